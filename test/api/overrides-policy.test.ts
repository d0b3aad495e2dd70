// Overrides through the API (the decision for the scoped client changes at once, and reverts at
// expiry), locked categories (403 and audited), filtering off (two people), and policy changes
// (groups, the matrix, schedules, locked) applied at once or held as four-eyes proposals.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiFixture, json } from './fixture.js';
import type { Agent } from './fixture.js';

const decision = async (a: Agent, domain: string, client: string) =>
  json<{ decisions: { decision: { action: string; reason: string } }[] }>(await a.get(`/api/v1/lookup?domain=${domain}&client=${client}`)).decisions[0].decision;

t.test('an override changes the decision for the scoped client only, and reverts at expiry', async (t) => {
  const f = await apiFixture(t);
  const tess = await f.as('technician', { name: 'tess' });
  t.match(await decision(tess, 'casino.example', '10.10.1.23'), { action: 'block', reason: 'group-block' });
  const r = await tess.post('/api/v1/overrides', { domain: 'casino.example', client: '10.10.1.23', minutes: 45, reason: 'probability lesson, Y9 maths', requestedBy: 'Mr Jones' });
  t.equal(r.statusCode, 201, r.body);
  const o = json<{ id: string; expiresAt: string; status: string; description: string }>(r);
  t.equal(o.expiresAt, new Date(f.clock.now + 45 * 60_000).toISOString(), 'DESIGN: 201 {id, expiresAt}');
  t.match(o, { status: 'active', description: 'casino.example for device 10.10.1.23' });
  t.match(await decision(tess, 'casino.example', '10.10.1.23'), { action: 'allow', reason: 'override' });
  t.match(await decision(tess, 'casino.example', '10.10.1.24'), { action: 'block' }, 'another pupil: still blocked');
  const listed = json<{ items: { id: string; status: string }[]; serverTime: string }>(await tess.get('/api/v1/overrides?status=active'));
  t.same(listed.items.map((i) => i.id), [o.id]);

  const ext = await tess.post(`/api/v1/overrides/${o.id}/extend`, { minutes: 15, reason: 'the lesson runs over' });
  t.equal(json(ext).expiresAt, new Date(f.clock.now + 60 * 60_000).toISOString());
  f.clock.now += 60 * 60_000;
  t.match(await decision(tess, 'casino.example', '10.10.1.23'), { action: 'block' }, 'at expiry, blocked again with no restart');
  t.equal(json<{ items: { status: string }[] }>(await tess.get('/api/v1/overrides')).items[0].status, 'expired');
  const gone = await tess.request('DELETE', `/api/v1/overrides/${o.id}?reason=tidy`);
  t.equal(gone.statusCode, 409, 'an expired override cannot be revoked');

  const second = json<{ id: string }>(await tess.post('/api/v1/overrides', { category: 'games', group: 'pupils', until: new Date(f.clock.now + 3600_000).toISOString(), reason: 'end of term games afternoon' }));
  t.match(await decision(tess, 'arcade.example', '10.10.1.40'), { action: 'allow' });
  const revoked = await tess.request('DELETE', `/api/v1/overrides/${second.id}?reason=lesson%20over`);
  t.equal(json(revoked).status, 'revoked');
  t.match(await decision(tess, 'arcade.example', '10.10.1.40'), { action: 'block' }, 'revoked: blocked on the next query');
  const actions = (await f.core.audit.list({ action: 'override.' })).map((e) => e.action);
  t.same(actions.sort(), ['override.create', 'override.create', 'override.extend', 'override.revoke'].sort());
});

t.test('a locked category cannot be overridden: 403, and the attempt is audited', async (t) => {
  const f = await apiFixture(t);
  const tess = await f.as('technician', { name: 'tess' });
  for (const body of [{ category: 'illegal' }, { domain: 'csam.example' }, { domain: 'www.csam.example' }]) {
    const r = await tess.post('/api/v1/overrides', { ...body, school: true, minutes: 10, reason: 'trying to unblock a locked one' });
    t.equal(r.statusCode, 403, JSON.stringify(body));
    t.equal(json(r).code, 'SG_LOCKED_CATEGORY');
  }
  const refused = await f.core.audit.list({ action: 'override.refused' });
  t.equal(refused.length, 3, 'each attempt is in the audit chain');
  t.match(refused[0], { actor: { name: 'tess' }, source: '10.10.2.50' });
  t.equal(json<{ items: unknown[] }>(await tess.get('/api/v1/overrides')).items.length, 0, 'nothing was created');
  t.equal((await tess.post('/api/v1/overrides', { domain: 'casino.example', group: 'pupils', minutes: 10, reason: 'short' })).statusCode, 400, 'the reason has a minimum length');
  t.equal((await tess.post('/api/v1/overrides', { domain: 'casino.example', group: 'pupils', minutes: 60 * 24 * 8, reason: 'longer than a week please' })).statusCode, 400, 'longer than the maximum');
});

t.test('filtering off needs a second person with the safeguarding role before it starts', async (t) => {
  const f = await apiFixture(t);
  const tess = await f.as('technician', { name: 'tess' });
  const r = await tess.post('/api/v1/overrides', { all: true, group: 'pupils', minutes: 30, reason: 'exam invigilation software needs open access' });
  t.equal(r.statusCode, 201, r.body);
  const o = json<{ id: string; status: string }>(r);
  t.equal(o.status, 'pending-approval');
  t.match(await decision(tess, 'casino.example', '10.10.1.23'), { action: 'block' }, 'not started by one person');
  t.equal((await tess.post(`/api/v1/overrides/${o.id}/approve`, { reason: 'me again' })).statusCode, 403, 'the technician cannot approve');
  const token = json<{ token: string }>(await tess.post('/api/v1/tokens', { name: 'tess-script', role: 'technician' })).token;
  t.equal((await f.agent().post(`/api/v1/overrides/${o.id}/approve`, { reason: 'script' }, { authorization: `Bearer ${token}` })).statusCode, 403, 'nor a technician token');
  const dina = await f.as('safeguarding', { name: 'dina' });
  const ok = await dina.post(`/api/v1/overrides/${o.id}/approve`, { reason: 'agreed with the exams officer' });
  t.equal(ok.statusCode, 200, ok.body);
  t.match(json(ok), { status: 'active', approval: { approvedBy: 'dina' } });
  t.match(await decision(tess, 'casino.example', '10.10.1.23'), { action: 'allow', reason: 'filter-off' });
  t.match(await decision(tess, 'csam.example', '10.10.1.23'), { action: 'block', reason: 'locked' }, 'locked categories stay blocked');
  const audit = (await f.core.audit.list({ action: 'filter-off' })).map((e) => [e.action, e.actor.name]);
  t.same(audit.sort(), [['filter-off.approve', 'dina'], ['filter-off.request', 'tess']]);
});

t.test('groups, the matrix, schedules and locked categories: applied at once, validated, audited', async (t) => {
  const f = await apiFixture(t);
  const tess = await f.as('technician', { name: 'tess' });
  const viewer = await f.as('viewer');
  const matrix = json<{ groups: { name: string; cells: Record<string, { state: string }> }[] }>(await viewer.get('/api/v1/policy'));
  const pupils = () => matrix.groups.find((g) => g.name === 'pupils');
  t.match(pupils()?.cells, { illegal: { state: 'locked' }, games: { state: 'allowed-during' }, gambling: { state: 'blocked' } });
  t.equal(matrix.groups.find((g) => g.name === 'staff')?.cells.gambling.state, 'allowed');

  const cell = await tess.patch('/api/v1/policy/cells', { group: 'staff', category: 'gambling', state: 'block', reason: 'governors asked for it' });
  t.equal(cell.statusCode, 200, cell.body);
  t.same(json(cell), { ok: true, changed: ['groups'] });
  t.match(await decision(tess, 'casino.example', '10.10.2.10'), { action: 'block' }, 'applied at once');
  const text = readFileSync(join(f.dir, 'schoolgate.yaml'), 'utf8');
  t.match(text, /block:\s*\n?\s*-?\s*\[?illegal, adult, gambling|gambling/, 'written to the config file');
  t.match(text, /^# |mode: dns-only/m);
  const locked = await tess.patch('/api/v1/policy/cells', { group: 'staff', category: 'illegal', state: 'allow' });
  t.equal(locked.statusCode, 403);
  t.equal((await f.core.audit.list({ action: 'policy.refused' })).length, 1, 'the attempt on a locked category is audited');
  t.equal((await tess.patch('/api/v1/policy/cells', { group: 'pupils', category: 'gambling', state: 'allow-during', schedules: ['nope'] })).statusCode, 400);
  const during = await tess.patch('/api/v1/policy/cells', { group: 'pupils', category: 'gambling', state: 'allow-during', schedules: ['lunch'] });
  t.equal(during.statusCode, 200, during.body);
  f.clock.now = Date.parse('2026-11-23T12:30:00Z');
  t.match(await decision(tess, 'casino.example', '10.10.1.5'), { action: 'allow', reason: 'schedule' }, 'allowed at lunch');

  const groups = json<{ items: Record<string, unknown>[] }>(await tess.get('/api/v1/groups')).items;
  const guests = { ...groups.find((g) => g.name === 'guests'), block: ['illegal', 'gambling'] };
  t.equal((await tess.put('/api/v1/groups/guests?reason=tighten', guests)).statusCode, 200);
  t.match(await decision(tess, 'casino.example', '10.10.9.9'), { action: 'block' });
  const bad = await tess.put('/api/v1/groups/guests', { ...guests, block: ['no-such-category'] });
  t.equal(bad.statusCode, 400);
  t.match(json(bad), { code: 'SG_BAD_CONFIG', message: /unknown category "no-such-category"/ });
  t.equal((await tess.put('/api/v1/groups/nobody', guests)).statusCode, 404);
  t.equal((await tess.put('/api/v1/groups/guests', { ...guests, surprise: true })).statusCode, 400, 'an unknown key is refused by the config schema');

  t.equal((await tess.put('/api/v1/schedules/after-school', [{ days: ['mon', 'tue'], from: '15:30', to: '18:00' }])).statusCode, 200);
  t.equal((await tess.put('/api/v1/schedules/broken', [{ days: ['funday'], from: '25:00', to: '18:00' }])).statusCode, 400);
  t.equal((await tess.delete('/api/v1/schedules/lunch')).statusCode, 409, 'a schedule in use cannot go');
  t.equal((await tess.delete('/api/v1/schedules/after-school')).statusCode, 200);
  const schedules = json<{ usedBy: Record<string, string[]> }>(await tess.get('/api/v1/schedules'));
  t.same(schedules.usedBy, { lunch: ['pupils'] });
  t.equal((await tess.put('/api/v1/calendar/holidays', [{ from: '2026-12-19', to: '2027-01-04', name: 'christmas' }])).statusCode, 200);
  t.equal((await tess.put('/api/v1/schedules/lunch', { windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:15', to: '13:15' }], except: ['holidays'] })).statusCode, 200);
  t.equal((await tess.delete('/api/v1/calendar/holidays')).statusCode, 409, 'a calendar in use cannot go');
  t.equal((await tess.put('/api/v1/calendar/bad', [{ from: '2026-13-45', to: '2027-01-04' }])).statusCode, 400);
  const inHolidays = json<{ decisions: { decision: { action: string } }[] }>(await tess.get('/api/v1/lookup?domain=casino.example&client=10.10.1.5&at=2026-12-21T12:30:00Z'));
  t.equal(inHolidays.decisions[0].decision.action, 'block', 'lunch is suspended in the holidays');

  const conflict = await tess.put('/api/v1/locked', { categories: ['illegal', 'gambling'], reason: 'gambling locked by the governors' });
  t.equal(conflict.statusCode, 400, 'gambling is still allowed at lunch for pupils: the config check refuses the lock');
  t.match(json(conflict), { code: 'SG_BAD_CONFIG', message: /gambling/ });
  t.equal((await tess.patch('/api/v1/policy/cells', { group: 'pupils', category: 'gambling', state: 'block' })).statusCode, 200);
  t.equal((await tess.put('/api/v1/locked', { categories: ['illegal', 'gambling'], reason: 'gambling locked by the governors' })).statusCode, 200);
  t.equal((await tess.post('/api/v1/overrides', { category: 'gambling', group: 'staff', minutes: 5, reason: 'now it is locked too' })).statusCode, 403);
  const changes = (await f.core.audit.list({ action: 'config.change' })).length;
  t.equal(changes, 9, 'every applied change is in the audit chain');
});

t.test('four-eyes: a change is a proposal until a second person with another role approves it', async (t) => {
  const f = await apiFixture(t, { extra: 'governance: { fourEyes: true, proposalExpiry: 1h }' });
  const tess = await f.as('technician', { name: 'tess' });
  const tom = await f.as('technician', { name: 'tom' });
  const dina = await f.as('safeguarding', { name: 'dina' });
  t.match(json(await tess.get('/api/v1/session')), { fourEyes: true });
  const r = await tess.patch('/api/v1/policy/cells', { group: 'staff', category: 'gambling', state: 'block', reason: 'safer for staff too' });
  t.equal(r.statusCode, 202, r.body);
  const { proposalId } = json<{ proposalId: string }>(r);
  t.match(await decision(tess, 'casino.example', '10.10.2.10'), { action: 'allow' }, 'nothing changes before approval');
  t.equal(json(await tess.post(`/api/v1/proposals/${proposalId}/approve`, { reason: 'my own' })).code, 'SG_FORBIDDEN', 'the proposer cannot approve');
  t.equal((await tom.post(`/api/v1/proposals/${proposalId}/approve`, { reason: 'same role' })).statusCode, 403, 'the same role cannot approve');
  const ok = await dina.post(`/api/v1/proposals/${proposalId}/approve`, { reason: 'agreed at the e-safety meeting' });
  t.equal(ok.statusCode, 200, ok.body);
  t.match(json(ok), { status: 'approved', decidedBy: { name: 'dina' } });
  t.match(await decision(tess, 'casino.example', '10.10.2.10'), { action: 'block' }, 'applied once approved');

  const second = json<{ proposalId: string }>(await tess.put('/api/v1/locked', { categories: [], reason: 'unlock everything' })).proposalId;
  t.equal((await dina.post(`/api/v1/proposals/${second}/reject`, { reason: 'no: illegal stays locked' })).statusCode, 200);
  t.same(f.state.current.config.locked, ['illegal'], 'a rejected proposal changes nothing');
  const third = json<{ proposalId: string }>(await tess.put('/api/v1/schedules/breakfast', [{ days: ['mon'], from: '08:00', to: '08:30' }])).proposalId;
  f.clock.now += 2 * 3600_000;
  const listed = json<{ items: { id: string; status: string }[] }>(await dina.get('/api/v1/proposals'));
  t.equal(listed.items.find((p) => p.id === third)?.status, 'expired', 'an unapproved proposal lapses');
  t.equal((await dina.post(`/api/v1/proposals/${third}/approve`, { reason: 'too late' })).statusCode, 409);
  t.notOk('breakfast' in f.state.current.config.schedules);
  t.equal((await tess.post('/api/v1/overrides', { domain: 'casino.example', group: 'pupils', minutes: 10, reason: 'overrides keep their own rules' })).statusCode, 201, 'four-eyes does not slow an override');
  const trail = (await f.core.audit.list({ action: 'proposal.' })).map((e) => `${e.action}:${e.actor.name}`);
  t.same(trail.sort(), ['proposal.approve:dina', 'proposal.create:tess', 'proposal.create:tess', 'proposal.create:tess', 'proposal.expire:schoolgate', 'proposal.reject:dina'].sort());
  const verify = json(await dina.get('/api/v1/audit/verify'));
  t.match(verify, { ok: true });
});
