// Sign-in, sign-out, first-run setup, the session. Logins are rate-limited per client address
// before the password is checked; the users service counts failures, locks the account after
// ten, and audits every attempt and lockout.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { ROUTES } from '../schemas/index.js';
import type { SessionInfo } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import { sessionLimits } from '../api-deps.js';
import type { Auth, Mounter } from '../route.js';
import { fail, failureOf } from '../route.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../security.js';
import { newSecret } from '../sessions.js';
import type { Session } from '../sessions.js';

const USER_NAME = /^[a-z0-9][a-z0-9._-]{1,31}$/i;

function cookieOptions(req: FastifyRequest, maxAgeSeconds?: number) {
  // Secure whenever the admin side speaks TLS (tls: off is for the lab only).
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: req.protocol === 'https', maxAge: maxAgeSeconds };
}

export function registerAuthRoutes(mount: Mounter, deps: ApiDeps): void {
  const { users, audit } = deps.ctx.core;

  const info = async (req: FastifyRequest, reply: FastifyReply, auth: Auth | null, session?: Session): Promise<SessionInfo> => {
    const setupNeeded = (await users.count()) === 0;
    let csrfToken = session?.csrf ?? auth?.session?.csrf ?? req.cookies[CSRF_COOKIE];
    if (!csrfToken || !/^[A-Za-z0-9_-]{43}$/.test(csrfToken)) csrfToken = newSecret();
    if (req.cookies[CSRF_COOKIE] !== csrfToken) void reply.setCookie(CSRF_COOKIE, csrfToken, cookieOptions(req));
    const s = session ?? auth?.session;
    return {
      authenticated: Boolean(session ?? auth), setupNeeded, csrfToken,
      user: session?.user ?? auth?.actor.name, role: session?.role ?? auth?.role, via: session ? 'session' : auth?.via,
      expiresAt: s ? new Date(s.expiresAt).toISOString() : undefined,
      fourEyes: deps.ctx.state.current.config.governance.fourEyes,
      version: session ?? auth ? deps.version : undefined,
    };
  };

  const startSession = async (req: FastifyRequest, reply: FastifyReply, name: string, role: Session['role']) => {
    const old = req.cookies[SESSION_COOKIE];
    if (old) await deps.sessions.destroy(old); // a new session id at every sign-in (no fixation)
    const session = await deps.sessions.create(name, role, req.clientIp);
    const maxAge = Math.round(sessionLimits(deps.ctx).maxMs / 1000);
    void reply.setCookie(SESSION_COOKIE, session.id, cookieOptions(req, maxAge));
    void reply.setCookie(CSRF_COOKIE, session.csrf, cookieOptions(req, maxAge));
    return session;
  };

  mount('getSession', ROUTES.getSession, async (c) => info(c.req, c.reply, c.auth));

  mount('login', ROUTES.login, async (c) => {
    const limit = deps.limits.login.hit(c.req.clientIp);
    if (!limit.allowed) {
      c.req.log.warn({ client: c.req.clientIp }, 'login rate limit');
      return fail('SG_RATE_LIMITED', 'too many sign-in attempts from this address; wait a few minutes', { retryAfter: limit.retryAfter });
    }
    const r = await users.login(c.body.username, c.body.password, c.req.clientIp);
    if (!r.ok) {
      if (r.code !== 'SG_LOCKED') return failureOf(r);
      c.req.log.warn({ user: c.body.username, client: c.req.clientIp, lockedUntil: r.lockedUntil }, 'account locked');
      return fail('SG_LOCKED', r.message, { lockedUntil: r.lockedUntil });
    }
    const session = await startSession(c.req, c.reply, r.user.name, r.user.role);
    return info(c.req, c.reply, null, session);
  });

  mount('logout', ROUTES.logout, async (c) => {
    const id = c.req.cookies[SESSION_COOKIE];
    if (id) await deps.sessions.destroy(id);
    void c.reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
    await audit.append({ actor: c.auth?.actor ?? { name: 'unknown', kind: 'anonymous' }, action: 'logout', target: c.auth?.actor.name, source: c.req.clientIp });
    return { ok: true as const };
  });

  // The first visit: no account exists; the code from the log creates the technician.
  let setupQueue: Promise<unknown> = Promise.resolve();
  mount('setup', ROUTES.setup, async (c) => {
    const run = setupQueue.then(async () => {
      if ((await users.count()) > 0) return fail('SG_SETUP_DONE');
      const limit = deps.limits.setup.hit(c.req.clientIp);
      if (!limit.allowed) return fail('SG_RATE_LIMITED', 'too many setup attempts from this address', { retryAfter: limit.retryAfter });
      // Check what can be wrong with the account before the code is spent.
      if (!USER_NAME.test(c.body.username)) return fail('SG_BAD_INPUT', 'a user name is 2–32 letters, digits, ".", "_" or "-"');
      if (!deps.setup.consume(c.body.code)) {
        await audit.append({ actor: { name: c.body.username, kind: 'anonymous' }, action: 'setup.failed', source: c.req.clientIp, details: { why: deps.setup.open ? 'wrong code' : 'no code open' } });
        return fail('SG_BAD_SETUP_CODE');
      }
      const added = await users.add(c.body.username, 'technician', c.body.password, { name: 'setup code', kind: 'system' });
      if (!added.ok) {
        if ((await users.count()) === 0) deps.onSetupCode(deps.setup.issue());
        return failureOf(added);
      }
      await audit.append({ actor: { name: added.value.name, kind: 'user', role: 'technician' }, action: 'setup.complete', target: added.value.name, source: c.req.clientIp });
      const session = await startSession(c.req, c.reply, added.value.name, 'technician');
      return info(c.req, c.reply, null, session);
    });
    setupQueue = run.catch(() => undefined);
    return run;
  });
}
