import t from 'tap';
import { decide } from '../../src/policy/index.js';
import type { Actor } from '../../src/audit/index.js';
import type { CoreFixture } from '../fixtures/core.js';
import { coreFixture } from '../fixtures/core.js';

const TECH: Actor = { name: 'tess', kind: 'user', role: 'technician' };
const DSL: Actor = { name: 'dina', kind: 'user', role: 'safeguarding' };
const OTHER_DSL: Actor = { name: 'dave', kind: 'user', role: 'safeguarding' };

function answer(f: CoreFixture, name: string, ip: string) {
  const s = f.state.current;
  const bits = s.index.newBits();
  s.index.lookupInto(name, bits);
  const group = s.groups[s.matcher.match(ip)];
  return decide({ policy: s.policy, group, name, categories: bits, client: { ip }, overrides: s.overrides }, f.clock.now);
}

t.test('an override changes the next decision for its scope only, and lapses at expiry', async (t) => {
  const f = await coreFixture(t);
  t.equal(answer(f, 'casino.example', '10.10.1.5').action, 'block');
  const r = await f.core.overrides.create({ domain: 'casino.example', client: '10.10.1.5', minutes: 50, reason: 'statistics lesson on odds' }, TECH);
  t.ok(r.ok);
  t.equal(answer(f, 'casino.example', '10.10.1.5').action, 'allow', 'scoped client allowed at once');
  t.equal(answer(f, 'casino.example', '10.10.1.6').action, 'block', 'another pupil still blocked');
  f.clock.now += 50 * 60_000 - 1;
  t.equal(answer(f, 'casino.example', '10.10.1.5').action, 'allow', 'a millisecond before expiry');
  f.clock.now += 1;
  t.equal(answer(f, 'casino.example', '10.10.1.5').action, 'block', 'at expiry, without any rebuild');
  t.equal(f.core.overrides.list()[0].status, 'expired');
});

t.test('validation', async (t) => {
  const f = await coreFixture(t);
  const cases: [string, Parameters<typeof f.core.overrides.create>[0], string][] = [
    ['reason required', { domain: 'casino.example', group: 'pupils', minutes: 10 }, 'SG_BAD_OVERRIDE'],
    ['short reason', { domain: 'casino.example', group: 'pupils', minutes: 10, reason: 'because' }, 'SG_BAD_OVERRIDE'],
    ['unknown group', { domain: 'casino.example', group: 'year7', minutes: 10, reason: 'for the period of study' }, 'SG_BAD_OVERRIDE'],
    ['over the maximum', { domain: 'casino.example', group: 'pupils', minutes: 8 * 24 * 60, reason: 'for the period of study' }, 'SG_BAD_OVERRIDE'],
    ['two targets', { domain: 'casino.example', category: 'games', group: 'pupils', minutes: 10, reason: 'for the period of study' }, 'SG_BAD_OVERRIDE'],
    ['no duration', { domain: 'casino.example', group: 'pupils', reason: 'for the period of study' }, 'SG_BAD_OVERRIDE'],
    ['past until', { domain: 'casino.example', group: 'pupils', until: '2020-01-01T00:00:00Z', reason: 'for the period of study' }, 'SG_BAD_OVERRIDE'],
    ['bad domain', { domain: 'not a domain', group: 'pupils', minutes: 10, reason: 'for the period of study' }, 'SG_BAD_OVERRIDE'],
    ['locked category', { category: 'illegal', school: true, minutes: 10, reason: 'for the period of study' }, 'SG_LOCKED_CATEGORY'],
    ['domain in a locked category', { domain: 'www.csam.example', group: 'staff', minutes: 10, reason: 'for the period of study' }, 'SG_LOCKED_CATEGORY'],
  ];
  for (const [name, input, code] of cases) {
    const r = await f.core.overrides.create(input, TECH);
    t.equal(r.ok ? 'ok' : r.code, code, name);
  }
  const refused = await f.core.audit.list({ action: 'override.refused' });
  t.equal(refused.length, 2, 'both locked attempts are audited');
  t.match(refused[0], { actor: { name: 'tess' }, target: 'www.csam.example' });
});

t.test('filtering off needs a second person with the safeguarding role', async (t) => {
  const f = await coreFixture(t);
  const r = await f.core.overrides.create({ all: true, client: '10.10.1.5', minutes: 60, reason: 'exam invigilation laptop' }, DSL);
  if (!r.ok) throw new Error(r.message);
  t.equal(r.value.status, 'pending-approval');
  t.equal(answer(f, 'casino.example', '10.10.1.5').action, 'block', 'not in force with one person');
  const self = await f.core.overrides.approve(r.value.id, DSL);
  t.match(self, { ok: false, code: 'SG_FORBIDDEN' }, 'the requester cannot approve');
  const tech = await f.core.overrides.approve(r.value.id, TECH);
  t.match(tech, { ok: false, code: 'SG_FORBIDDEN' }, 'a technician cannot approve');
  t.equal(answer(f, 'casino.example', '10.10.1.5').action, 'block');
  const ok = await f.core.overrides.approve(r.value.id, OTHER_DSL, 'agreed with the head');
  t.ok(ok.ok);
  t.equal(answer(f, 'casino.example', '10.10.1.5').reason, 'filter-off');
  t.equal(answer(f, 'csam.example', '10.10.1.5').reason, 'locked', 'locked stays blocked');
  const actions = (await f.core.audit.list()).map((e) => e.action);
  t.same(actions.slice(0, 2), ['filter-off.approve', 'filter-off.request']);
  t.ok((await f.core.audit.verify()).ok);
});

t.test('revoke and extend', async (t) => {
  const f = await coreFixture(t);
  const r = await f.core.overrides.create({ category: 'games', group: 'pupils', minutes: 30, reason: 'games design club today' }, TECH);
  if (!r.ok) throw new Error(r.message);
  t.equal(answer(f, 'arcade.example', '10.10.1.9').action, 'allow');
  const ext = await f.core.overrides.extend(r.value.id, { minutes: 30 }, TECH, 'club runs late');
  t.ok(ext.ok && ext.value.expiresAt === new Date(f.clock.now + 60 * 60_000).toISOString());
  const tooLong = await f.core.overrides.extend(r.value.id, { minutes: 8 * 24 * 60 }, TECH);
  t.match(tooLong, { ok: false, code: 'SG_BAD_OVERRIDE' });
  await f.core.overrides.revoke(r.value.id, TECH, 'club cancelled');
  t.equal(answer(f, 'arcade.example', '10.10.1.9').action, 'block', 'revoked at once');
  t.match(await f.core.overrides.revoke(r.value.id, TECH), { ok: false, code: 'SG_CONFLICT' });
});

t.test('overrides survive a restart of the service', async (t) => {
  const f = await coreFixture(t);
  await f.core.overrides.create({ domain: 'casino.example', group: 'pupils', minutes: 30, reason: 'maths: probability' }, TECH);
  const { OverrideService } = await import('../../src/overrides/index.js');
  const reloaded = new OverrideService({ store: f.store, audit: f.core.audit, now: () => f.clock.now, rules: () => { throw new Error('unused'); }, normalise: (d) => d, onChange: () => undefined });
  await reloaded.load();
  t.equal(reloaded.list().length, 1);
  t.equal(reloaded.list()[0].status, 'active');
  reloaded.stop();
});
