// Visitors and unregistered devices sign in here (port 80 on the appliance's LAN address), and
// anyone can report a site that should be blocked. A device that must sign in is redirected here
// from any HTTP request, which is what makes phones and laptops open their sign-in sheet; the
// Captive Portal API (RFC 8908) answers the URI that DHCP option 114 (RFC 8910) advertises.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DaemonContext } from '../daemon/index.js';
import { portalPage, reportPage } from './pages.js';
import probes from './probe-hosts.json' with { type: 'json' };

export const PROBE_HOSTS: ReadonlySet<string> = new Set(probes.hosts);
const OPEN_PATHS = new Set(['/portal', '/portal/login', '/captive-portal/api', '/report']);

type Body = Record<string, unknown> | undefined;
const field = (b: Body, k: string) => (typeof b?.[k] === 'string' ? (b[k] as string) : undefined);
const wantsJson = (req: FastifyRequest) => (req.headers['content-type'] ?? '').includes('json') || (req.headers.accept ?? '').includes('json');

export function portalUrl(ctx: DaemonContext): string {
  const c = ctx.state.current.config;
  const addr = c.portal.address ?? c.dns.blocking.address ?? '127.0.0.1';
  return `http://${addr.includes(':') ? `[${addr}]` : addr}/portal`;
}

/** For the port-80 server: sends portal devices to the portal before any other route runs. */
export function portalRedirectHook(ctx: DaemonContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0];
    if (OPEN_PATHS.has(path)) return;
    if (!ctx.identity.identify(req.ip).portal) return;
    // 302 (not 303/307): what the OSes' probes expect from a captive portal.
    await reply.code(302).header('location', portalUrl(ctx)).header('cache-control', 'no-store').send();
  };
}

/** Why a request may not come from where the browser says it comes from (the admin API's check), or undefined. */
export type OriginCheck = (req: FastifyRequest) => string | undefined;

/**
 * Another site's page must not post here through a pupil's browser (sign the device in under
 * someone's code, or file reports in its name): the browser's Origin / Referer / Sec-Fetch-Site
 * has to say this page. A form needs no token for that; clients without those headers pass.
 */
async function refuseCrossSite(req: FastifyRequest, reply: FastifyReply, originProblem: OriginCheck): Promise<boolean> {
  const problem = originProblem(req);
  if (!problem) return false;
  const message = `refused: ${problem}; use the form on this page`;
  if (wantsJson(req)) await reply.code(403).send({ ok: false, code: 'SG_CSRF', message });
  else await reply.code(403).type('text/plain; charset=utf-8').send(message);
  return true;
}

export function registerPortalRoutes(app: FastifyInstance, ctx: DaemonContext, originProblem: OriginCheck): void {
  const device = (ip: string) => {
    const who = ctx.identity.identify(ip);
    return { who, key: who.mac ?? ip };
  };

  app.get('/captive-portal/api', async (req, reply) => {
    const { who } = device(req.ip);
    const remaining = who.binding ? Math.max(0, Math.round((Date.parse(who.binding.expiresAt) - ctx.clock.now()) / 1000)) : undefined;
    return reply.header('content-type', 'application/captive+json').header('cache-control', 'private, no-store')
      .send(Buffer.from(JSON.stringify({ captive: who.portal, 'user-portal-url': portalUrl(ctx), ...(remaining !== undefined ? { 'seconds-remaining': remaining } : {}) })));
  });

  app.get('/portal', async (req, reply) => {
    const { who } = device(req.ip);
    const c = ctx.state.current.config.portal;
    const signedIn = who.binding ? { user: who.binding.user, until: who.binding.expiresAt } : undefined;
    const error = typeof (req.query as Record<string, unknown>).error === 'string' ? String((req.query as Record<string, unknown>).error).slice(0, 200) : undefined;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(portalPage({ school: c.school, signedIn, error, staffLogin: Boolean(c.staffGroup) }));
  });

  app.post('/portal/login', async (req, reply) => {
    if (await refuseCrossSite(req, reply, originProblem)) return reply;
    const body = req.body as Body;
    const { who, key } = device(req.ip);
    const c = ctx.state.current.config.portal;
    const code = field(body, 'code');
    const username = field(body, 'username');
    let result;
    if (code !== undefined) {
      result = await ctx.core.visitors.signIn(code, { device: key, ip: req.ip, group: who.group.name });
    } else if (username !== undefined && c.staffGroup) {
      const login = await ctx.core.users.login(username, field(body, 'password') ?? '', req.ip);
      result = login.ok
        ? await ctx.core.visitors.signInStaff(login.user.name, c.staffGroup, { device: key, ip: req.ip })
        : { ok: false as const, code: 'SG_BAD_LOGIN' as const, message: login.message };
    } else {
      result = { ok: false as const, code: 'SG_BAD_INPUT' as const, message: 'enter your visitor code' };
    }
    if (wantsJson(req)) {
      return result.ok ? reply.send({ ok: true, user: result.value.user, expiresAt: result.value.expiresAt }) : reply.code(result.code === 'SG_FORBIDDEN' ? 429 : 401).send({ ok: false, code: result.code, message: result.message });
    }
    const target = result.ok ? '/portal' : `/portal?error=${encodeURIComponent(result.message)}`;
    return reply.code(303).header('location', target).send();
  });

  app.get('/report', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    return reply.type('text/html; charset=utf-8').send(reportPage({ sent: q.sent === '1', domain: typeof q.domain === 'string' ? q.domain : undefined }));
  });

  app.post('/report', async (req, reply) => {
    if (await refuseCrossSite(req, reply, originProblem)) return reply;
    const body = req.body as Body;
    const { who } = device(req.ip);
    const r = await ctx.core.requests.create('report', { domain: field(body, 'domain') ?? '', reason: field(body, 'reason') ?? '', category: field(body, 'category') }, { ip: req.ip, mac: who.mac, hostname: who.hostname, group: who.group.name });
    if (wantsJson(req)) return r.ok ? reply.code(201).send({ id: r.value.id }) : reply.code(r.code === 'SG_FORBIDDEN' ? 429 : 400).send({ code: r.code, message: r.message });
    if (!r.ok) return reply.code(r.code === 'SG_FORBIDDEN' ? 429 : 400).type('text/html; charset=utf-8').send(reportPage({ error: r.message, domain: field(body, 'domain') }));
    return reply.code(303).header('location', '/report?sent=1').send();
  });
}
