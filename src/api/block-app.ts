// The port-80 server on the block-page address: any Host. Devices that must sign in go to the
// portal first (portalRedirectHook); the portal and "report a site" pages are mounted here; every
// other GET is the block page for the name in the Host header, judged for this very client by
// the same lookup the resolver's policy uses. POST /requests is the block page's form.
import { createHash } from 'node:crypto';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerFactory } from 'fastify';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import { portalRedirectHook, registerPortalRoutes } from '../portal/index.js';
import { lookupName, normalise } from '../daemon/index.js';
import type { ApiDeps } from './api-deps.js';
import { blockPage } from './block-page.js';
import type { BlockView } from './block-page.js';
import { createForClient } from './routes/request-routes.js';
import { fail, plainIp, sendFailure } from './route.js';
import { originProblem } from './security.js';
import { schemaOptions } from './validation.js';
import type { Failure } from './route.js';

type Body = Record<string, unknown> | undefined;
const field = (b: Body, k: string) => (typeof b?.[k] === 'string' ? (b[k] as string) : undefined);
const wantsJson = (req: FastifyRequest) => (req.headers['content-type'] ?? '').includes('json') || (req.headers.accept ?? '').startsWith('application/json');

/** The pages carry their style inline: allowed by its hash, nothing else runs or loads. */
export function pageCsp(html: string): string {
  const hashes = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
  return `default-src 'none'; style-src ${hashes.join(' ') || "'none'"}; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
}

/** The Host header without port, as a domain name (undefined for an address or garbage). */
export function hostName(req: FastifyRequest): { raw: string; domain?: string } {
  const raw = String(req.headers.host ?? '').slice(0, 300);
  const bare = raw.startsWith('[') ? '' : raw.replace(/:\d+$/, '');
  const domain = /^[\d.]+$/.test(bare) ? undefined : normalise(bare);
  return { raw, domain };
}

export async function buildBlockApp(deps: ApiDeps, serverFactory?: FastifyServerFactory): Promise<FastifyInstance> {
  const { ctx } = deps;
  const app = Fastify({
    loggerInstance: ctx.log.child({ stage: 'blockpage' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }), trustProxy: false, bodyLimit: 16 * 1024, return503OnClosing: true,
    requestTimeout: 15_000, keepAliveTimeout: 5000,
    // No route here has a schema; in the bundle this keeps fastify from loading ajv for nothing.
    ...schemaOptions(),
    ...(serverFactory ? { serverFactory } : {}),
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const client = (err.statusCode ?? 500) < 500;
    if (!client) req.log.error({ err }, 'block page failed');
    return reply.code(client ? err.statusCode ?? 400 : 500).type('text/plain; charset=utf-8').send(client ? 'bad request\n' : 'error\n');
  });
  await app.register(formbody);
  await app.register(helmet, { contentSecurityPolicy: false, strictTransportSecurity: false, referrerPolicy: { policy: 'no-referrer' }, frameguard: { action: 'deny' } });
  app.addHook('onRequest', async (req) => {
    req.clientIp = plainIp(req.ip);
  });
  app.addHook('onRequest', portalRedirectHook(ctx));
  app.addHook('onSend', async (_req, reply, payload) => {
    if (typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) void reply.header('content-security-policy', pageCsp(payload));
    return payload;
  });
  registerPortalRoutes(app, ctx, originProblem);

  const school = () => {
    const s = ctx.state.current.config.portal.school;
    return s === 'our school' ? 'school' : s;
  };

  const view = async (req: FastifyRequest, error?: string): Promise<BlockView> => {
    const { raw, domain } = hostName(req);
    if (!domain) return { host: raw, blocked: true, locked: false, school: school() };
    const who = ctx.identity.identify(req.clientIp);
    const state = ctx.state.current;
    const r = lookupName(state, domain, ctx.clock.now(), { ip: req.clientIp, mac: who.mac, group: who.group.name });
    const d = r.ok ? r.answer.decisions[0] : undefined;
    const request = await ctx.core.requests.latestFor(req.clientIp, domain);
    return {
      domain, host: raw, school: school(), error,
      blocked: d ? d.decision.action === 'block' : true,
      group: d?.group, category: d?.decision.category, why: d?.why, locked: d?.decision.reason === 'locked',
      request: request && request.type === 'access' ? { status: request.status, createdAt: request.createdAt, decision: request.decision, expiresAt: request.expiresAt } : undefined,
    };
  };

  const show = async (req: FastifyRequest, reply: FastifyReply, error?: string) => {
    const v = await view(req, error);
    return reply.code(error ? 400 : v.blocked ? 403 : 200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(blockPage(v));
  };

  const submit = (type: 'access' | 'report') => async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body as Body;
    const limit = deps.limits.anonymous.hit(req.clientIp);
    const domain = field(body, 'domain') ?? hostName(req).domain ?? '';
    const r: Failure | { id: string; status: string } = limit.allowed
      ? await createForClient(ctx, type, { domain, reason: field(body, 'reason') ?? '', name: field(body, 'name'), category: field(body, 'category') }, req.clientIp)
      : fail('SG_RATE_LIMITED', 'too many requests from this device; try again later', { retryAfter: limit.retryAfter });
    if (wantsJson(req)) return 'code' in r ? sendFailure(reply, r) : reply.code(201).send({ id: r.id, status: r.status });
    if ('code' in r) return show(req, reply, r.message);
    // Back to the blocked name: the reload shows the request's status.
    return reply.code(303).header('location', '/').send();
  };
  app.post('/requests', submit('access'));
  app.post('/api/v1/requests', submit('access'));
  app.post('/api/v1/reports', submit('report'));
  app.get('/*', async (req, reply) => show(req, reply));
  app.setNotFoundHandler(async (_req, reply) => reply.code(405).type('text/plain; charset=utf-8').send('method not allowed\n'));
  return app;
}
