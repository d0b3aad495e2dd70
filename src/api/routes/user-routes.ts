// Admin accounts and API tokens. The last technician cannot be removed (nobody could manage the
// appliance); a removed user's sessions end at once, and so do a user's other sessions when the
// password changes.
import { ROUTES } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { actorOf, fail, failureOf } from '../route.js';
import { checkPassword } from '../../users/index.js';

export function registerUserRoutes(mount: Mounter, deps: ApiDeps): void {
  const { users } = deps.ctx.core;

  mount('listUsers', ROUTES.listUsers, async () => ({ items: await users.list() }));

  mount('createUser', ROUTES.createUser, async (c) => {
    const r = await users.add(c.body.name, c.body.role, c.body.password, actorOf(c));
    if (!r.ok) return failureOf(r);
    const { passwordHash: _hidden, ...user } = r.value;
    return user;
  });

  mount('deleteUser', ROUTES.deleteUser, async (c) => {
    const target = await users.get(c.params.name);
    if (!target) return fail('SG_NOT_FOUND', `no user "${c.params.name}"`);
    if (target.role === 'technician' && (await users.list()).filter((u) => u.role === 'technician').length <= 1) {
      return fail('SG_CONFLICT', 'the last technician cannot be removed: add another technician first');
    }
    const r = await users.remove(c.params.name, actorOf(c));
    if (!r.ok) return failureOf(r);
    await deps.sessions.destroyUser(c.params.name);
    return { ok: true as const };
  });

  mount('setPassword', ROUTES.setPassword, async (c) => {
    const actor = actorOf(c);
    const own = c.auth?.via === 'session' && actor.name === c.params.name;
    if (!own && c.auth?.role !== 'technician') return fail('SG_FORBIDDEN', 'you may change your own password only');
    if (own) {
      const user = await users.get(actor.name);
      if (!user || !(await checkPassword(c.body.current ?? '', user.passwordHash))) return fail('SG_BAD_LOGIN', 'the current password is not right');
    }
    const r = await users.setPassword(c.params.name, c.body.password, actor);
    if (!r.ok) return failureOf(r);
    // Everyone else signed in as that user is signed out; the caller's own session stays.
    await deps.sessions.destroyUser(c.params.name, own ? c.auth?.session?.id : undefined);
    return { ok: true as const };
  });

  mount('listTokens', ROUTES.listTokens, async () => ({ items: await users.listTokens() }));

  mount('createToken', ROUTES.createToken, async (c) => {
    const r = await users.addToken(c.body.name, c.body.role, actorOf(c));
    if (!r.ok) return failureOf(r);
    const { hash: _hidden, ...record } = r.value.record;
    return { token: r.value.token, record };
  });

  mount('revokeToken', ROUTES.revokeToken, async (c) => {
    const r = await users.revokeToken(c.params.id, actorOf(c));
    return r.ok ? { ok: true as const } : failureOf(r);
  });
}
