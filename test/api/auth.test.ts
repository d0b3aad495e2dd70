// First-run setup, sign-in, lockout, sessions (store-backed: they survive a restart), tokens.
import t from 'tap';
import { Value } from '@sinclair/typebox/value';
import { SessionInfo } from '../../src/api/index.js';
import { LOCKOUT_AFTER } from '../../src/users/index.js';
import { apiFixture, json, PASSWORD } from './fixture.js';

t.test('setup: the one-time code creates the technician; wrong codes are refused and audited; the code works once', async (t) => {
  const f = await apiFixture(t);
  const code = f.deps.setup.issue();
  const a = f.agent();
  await a.start();
  const before = json<SessionInfo>(await a.get('/api/v1/session'));
  t.ok(Value.Check(SessionInfo, before), 'the answer fits its schema');
  t.match(before, { authenticated: false, setupNeeded: true });

  const wrong = await a.post('/api/v1/setup', { code: 'AAAA-BBBB-CCCC', username: 'tess', password: PASSWORD });
  t.equal(wrong.statusCode, 401);
  t.equal(json(wrong).code, 'SG_BAD_SETUP_CODE');
  const bad = await a.post('/api/v1/setup', { code, username: 'x', password: PASSWORD });
  t.equal(bad.statusCode, 400, 'a bad user name is refused before the code is spent');
  const noCsrf = await a.request('POST', '/api/v1/setup', { body: { code, username: 'tess', password: PASSWORD }, csrf: false });
  t.equal(noCsrf.statusCode, 403, 'setup without the pre-session CSRF token is refused');

  const ok = await a.post('/api/v1/setup', { code: code.toLowerCase().replace(/-/g, ' '), username: 'tess', password: PASSWORD });
  t.equal(ok.statusCode, 201, ok.body);
  t.match(json(ok), { authenticated: true, user: 'tess', role: 'technician', setupNeeded: false });
  a.csrf = json<SessionInfo>(ok).csrfToken;
  t.equal((await a.get('/api/v1/status')).statusCode, 200, 'signed in by the setup');

  const eve = f.agent('10.10.2.60');
  await eve.start();
  const again = await eve.post('/api/v1/setup', { code, username: 'eve', password: PASSWORD });
  t.equal(again.statusCode, 409, 'the code works once; setup is done');
  t.equal(json(again).code, 'SG_SETUP_DONE');
  t.same((await f.core.users.list()).map((u) => u.name), ['tess']);
  const actions = (await f.core.audit.list({ limit: 50 })).map((e) => e.action);
  t.ok(actions.includes('setup.failed'), 'the wrong code is audited');
  t.ok(actions.includes('setup.complete'));
});

t.test(`${LOCKOUT_AFTER} bad logins lock the account for a period, and every attempt is audited`, async (t) => {
  const f = await apiFixture(t);
  await f.core.users.add('tess', 'technician', PASSWORD, { name: 'test', kind: 'cli' });
  const a = f.agent();
  for (let i = 1; i < LOCKOUT_AFTER; i++) {
    const r = await a.login('tess', 'wrong password!');
    t.equal(r.statusCode, 401, `attempt ${i}: wrong password`);
  }
  const tenth = await a.login('tess', 'wrong password!');
  t.equal(tenth.statusCode, 423, 'the tenth failure locks');
  t.match(json(tenth), { code: 'SG_LOCKED', lockedUntil: String });
  const right = await a.login('tess');
  t.equal(right.statusCode, 423, 'even the right password is refused while locked');
  t.notOk(a.cookies.has('sg_session'));
  const audit = await f.core.audit.list({ limit: 100, action: 'login' });
  t.equal(audit.filter((e) => e.action === 'login.failed').length, LOCKOUT_AFTER - 1);
  t.equal(audit.filter((e) => e.action === 'login.locked').length, 1, 'the lockout is audited');
  t.equal(audit.filter((e) => e.action === 'login.refused').length, 1);
  t.ok(audit.every((e) => e.source === '10.10.2.50'), 'with the client address');
  f.clock.now += 16 * 60_000;
  t.equal((await a.login('tess')).statusCode, 200, 'after the lock period the right password works');
});

t.test('logins are rate-limited per address before any password check', async (t) => {
  const f = await apiFixture(t);
  const a = f.agent('10.10.1.99');
  let limited: number | undefined;
  for (let i = 0; i < 40 && limited === undefined; i++) {
    const r = await a.login(`nobody${i}`, 'whatever it is');
    if (r.statusCode === 429) limited = i;
  }
  t.equal(limited, 30, 'the 31st attempt in 10 minutes is refused');
  t.equal((await f.agent('10.10.1.98').login('someone', 'whatever')).statusCode, 401, 'another address is not affected');
});

t.test('sessions: HttpOnly SameSite=Strict cookie, kept in the store (they survive a restart), end on logout', async (t) => {
  const f = await apiFixture(t);
  const a = await f.as('technician', { name: 'tess' });
  const r = await a.login('tess');
  const set = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
  const session = set.find((c) => c.startsWith('sg_session='));
  t.match(session, /HttpOnly/);
  t.match(session, /SameSite=Strict/);
  t.notMatch(session, /Secure/, 'plain HTTP here (tls: off): the TLS daemon test checks Secure');
  const id = a.cookies.get('sg_session') ?? '';
  const stored = [];
  for await (const k of f.store.sessions.keys()) stored.push(k);
  t.notOk(stored.includes(id), 'the store keeps a hash, not the cookie value');

  const restarted = await f.restart();
  const after = await restarted.inject({ url: '/api/v1/session', headers: { cookie: `sg_session=${id}` } });
  t.match(after.json(), { authenticated: true, user: 'tess' }, 'the session survives a restart');

  t.equal((await a.post('/api/v1/logout')).statusCode, 200);
  const gone = await restarted.inject({ url: '/api/v1/status', headers: { cookie: `sg_session=${id}` } });
  t.equal(gone.statusCode, 401, 'logged out everywhere');
});

t.test('sessions end when idle, and a removed user or changed password ends them', async (t) => {
  const f = await apiFixture(t);
  const tess = await f.as('technician', { name: 'tess' });
  f.clock.now += 7 * 3600_000;
  t.equal((await tess.get('/api/v1/status')).statusCode, 200, 'used after 7 h: still signed in');
  f.clock.now += 7 * 3600_000;
  t.equal((await tess.get('/api/v1/status')).statusCode, 200, 'and again 7 h later (idle time counts from the last use)');
  f.clock.now += 9 * 3600_000;
  t.equal((await tess.get('/api/v1/status')).statusCode, 401, 'idle for more than 8 h: signed out');
  await tess.login('tess');
  const vic = await f.as('viewer', { name: 'vic' });
  const vic2 = f.agent('10.10.2.51');
  await vic2.login('vic');
  const changed = await vic.put('/api/v1/users/vic/password', { password: 'another long password', current: PASSWORD });
  t.equal(changed.statusCode, 200, changed.body);
  t.equal((await vic.get('/api/v1/status')).statusCode, 200, 'the session that changed it stays');
  t.equal((await vic2.get('/api/v1/status')).statusCode, 401, 'other sessions of that user end');
  const wrongCurrent = await vic.put('/api/v1/users/vic/password', { password: 'a third long password', current: 'nope' });
  t.equal(wrongCurrent.statusCode, 401);
  t.equal((await vic.put('/api/v1/users/tess/password', { password: 'hijacked password!' })).statusCode, 403, 'a viewer cannot set another user\'s password');
  t.equal((await tess.delete('/api/v1/users/vic')).statusCode, 200);
  t.equal((await vic.get('/api/v1/status')).statusCode, 401, 'a removed user is signed out at once');
  const last = await tess.delete('/api/v1/users/tess');
  t.equal(last.statusCode, 409, 'the last technician cannot be removed');
});

t.test('API tokens: Bearer works without CSRF, a revoked or wrong token is refused, the role holds', async (t) => {
  const f = await apiFixture(t);
  const tess = await f.as('technician');
  const created = await tess.post('/api/v1/tokens', { name: 'nightly-export', role: 'viewer' });
  t.equal(created.statusCode, 201, created.body);
  const { token, record } = json<{ token: string; record: { id: string } }>(created);
  const bearer = { authorization: `Bearer ${token}` };
  const script = f.agent('10.10.2.70');
  t.equal((await script.get('/api/v1/status', bearer)).statusCode, 200);
  t.equal((await script.post('/api/v1/overrides', { domain: 'casino.example', group: 'pupils', minutes: 10, reason: 'a viewer token tries' }, bearer)).statusCode, 403, 'a viewer token cannot write');
  const list = json<{ items: { id: string; hash?: string }[] }>(await tess.get('/api/v1/tokens'));
  t.equal(list.items.length, 1);
  t.notOk('hash' in list.items[0], 'the token\'s hash is never shown');
  t.equal((await script.get('/api/v1/status', { authorization: 'Bearer sg_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).statusCode, 401);
  t.equal((await tess.delete(`/api/v1/tokens/${record.id}`)).statusCode, 200);
  t.equal((await script.get('/api/v1/status', bearer)).statusCode, 401, 'revoked');

  const techToken = json<{ token: string }>(await tess.post('/api/v1/tokens', { name: 'override-bot', role: 'technician' })).token;
  const r = await script.post('/api/v1/overrides', { domain: 'casino.example', group: 'pupils', minutes: 10, reason: 'scripted for the maths lesson' }, { authorization: `Bearer ${techToken}` });
  t.equal(r.statusCode, 201, 'a script needs no CSRF token');
  const entry = (await f.core.audit.list({ action: 'override.create' }))[0];
  t.match(entry.actor, { name: 'override-bot', kind: 'token', role: 'technician' }, 'audited as the token');
});
