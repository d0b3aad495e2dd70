// Authentication, roles and CSRF for every route of the table, in one onRequest hook that runs
// before the body is even read: an anonymous or wrong-role call never reaches validation or a
// handler. Sessions come from the HttpOnly cookie, scripts use `Authorization: Bearer <token>`.
// CSRF: a state-changing call on a session must carry the session's token in `x-csrf-token`
// and, when the browser says where it comes from (Origin, Referer, Sec-Fetch-Site), come from
// this very origin. Token calls carry no ambient credential and need neither.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { ApiDeps } from './api-deps.js';
import type { Auth } from './route.js';
import { fail, isStateChanging, plainIp, sendFailure } from './route.js';
import type { Failure } from './route.js';

export const SESSION_COOKIE = 'sg_session';
export const CSRF_COOKIE = 'sg_csrf';

export function securityHook(deps: ApiDeps) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    req.clientIp = plainIp(req.ip);
    req.auth = null;
    const spec = req.routeOptions.config?.spec;
    if (!spec) return; // static files and 404s
    const auth = await authenticate(req, deps, spec.access !== 'public');
    if (auth && 'code' in auth) {
      await sendFailure(reply, auth);
      return;
    }
    req.auth = auth;
    if (spec.access !== 'public') {
      if (!auth) {
        await sendFailure(reply, fail('SG_UNAUTHENTICATED'));
        return;
      }
      if (!spec.access.includes(auth.role)) {
        await sendFailure(reply, fail('SG_FORBIDDEN', `the ${auth.role} role may not do this (${spec.access.join(' or ')} only)`));
        return;
      }
    }
    if (isStateChanging(req.method)) {
      const refused = csrfCheck(req, spec.csrf ?? 'session', auth);
      if (refused) await sendFailure(reply, refused);
    }
  };
}

/** null: anonymous; a Failure only for a bad token on a route that needs one. */
async function authenticate(req: FastifyRequest, deps: ApiDeps, required: boolean): Promise<Auth | null | Failure> {
  const { users } = deps.ctx.core;
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const record = await users.checkToken(header.slice(7).trim());
    if (record) return { actor: { name: record.name, kind: 'token', role: record.role }, role: record.role, via: 'token' };
    // /metrics takes its own bearer (metrics.token); elsewhere a wrong token is an error, not anonymity.
    return required ? fail('SG_UNAUTHENTICATED', 'the API token is not valid (revoked or mistyped)') : null;
  }
  const id = req.cookies[SESSION_COOKIE];
  if (!id) return null;
  const session = await deps.sessions.get(id);
  if (!session) return null;
  // The account as it is now: a removed user's session dies, a changed role applies at once.
  const user = await users.get(session.user);
  if (!user) {
    await deps.sessions.destroy(id);
    return null;
  }
  return { actor: { name: user.name, kind: 'user', role: user.role }, role: user.role, via: 'session', session };
}

function csrfCheck(req: FastifyRequest, mode: 'session' | 'pre-session' | 'none', auth: Auth | null): Failure | undefined {
  if (mode === 'none' || auth?.via === 'token') return undefined;
  const origin = originProblem(req);
  if (origin) return fail('SG_CSRF', origin);
  const sent = req.headers['x-csrf-token'];
  const expected = mode === 'session' || auth?.session ? auth?.session?.csrf : req.cookies[CSRF_COOKIE];
  if (typeof sent !== 'string' || !expected || !safeEqual(sent, expected)) {
    return fail('SG_CSRF', 'missing or wrong x-csrf-token header (GET /api/v1/session gives the token)');
  }
  return undefined;
}

/** undefined when the request may come from this origin. */
export function originProblem(req: FastifyRequest): string | undefined {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `a ${site} request is refused`;
  const self = ownOrigin(req);
  const origin = req.headers.origin;
  if (origin !== undefined) return origin !== 'null' && sameOrigin(origin, self) ? undefined : `Origin ${origin.slice(0, 100)} is not this site`;
  const referer = req.headers.referer;
  if (referer !== undefined) return sameOrigin(referer, self) ? undefined : 'the Referer is not this site';
  // Neither header: not a browser form or fetch (curl, a script); the token still has to match.
  return undefined;
}

function ownOrigin(req: FastifyRequest): string | undefined {
  try {
    return new URL(`${req.protocol}://${req.headers.host ?? ''}`).origin;
  } catch {
    return undefined;
  }
}

function sameOrigin(url: string, self: string | undefined): boolean {
  try {
    return self !== undefined && new URL(url).origin === self;
  } catch {
    return false;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
