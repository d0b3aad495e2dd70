import t from 'tap';
import type { Actor } from '../../src/audit/index.js';
import { coreFixture } from '../fixtures/core.js';

const TECH: Actor = { name: 'tess', kind: 'user', role: 'technician' };
const PUPIL = { ip: '10.10.1.5', group: 'pupils' };

t.test('a request is approved into an override carrying its reason, or declined with one', async (t) => {
  const f = await coreFixture(t);
  const r = await f.core.requests.create('access', { domain: 'Casino.Example.', reason: 'coursework on gambling harms', name: 'Sam 7B' }, PUPIL);
  if (!r.ok) throw new Error(r.message);
  t.equal(r.value.domain, 'casino.example');
  const again = await f.core.requests.create('access', { domain: 'casino.example', reason: 'please!' }, PUPIL);
  t.equal(again.ok && again.value.id, r.value.id, 'an open request is not duplicated');
  const approved = await f.core.requests.approve(r.value.id, TECH, { minutes: 45, note: 'for this lesson' });
  if (!approved.ok) throw new Error(approved.message);
  const o = f.core.overrides.get(approved.value.overrideId ?? '');
  t.match(o, { target: { domain: 'casino.example' }, scope: { group: 'pupils' }, requestId: r.value.id, requestedBy: 'Sam 7B' });
  t.match(o?.reason, /coursework on gambling harms — for this lesson/);
  t.equal((await f.core.requests.latestFor(PUPIL.ip, 'casino.example'))?.status, 'approved', 'what the block page shows');
  t.match(await f.core.requests.approve(r.value.id, TECH, {}), { ok: false, code: 'SG_CONFLICT' });

  const d = await f.core.requests.create('access', { domain: 'arcade.example', reason: 'bored' }, PUPIL);
  if (!d.ok) throw new Error(d.message);
  t.match(await f.core.requests.decline(d.value.id, TECH, ''), { ok: false }, 'declining needs a reason');
  const declined = await f.core.requests.decline(d.value.id, TECH, 'not for school work');
  t.match(declined, { ok: true, value: { status: 'declined', decision: 'not for school work' } });
  t.ok((await f.core.audit.verify()).ok);
});

t.test('requests are rate-limited per device and validated', async (t) => {
  const f = await coreFixture(t);
  t.match(await f.core.requests.create('access', { domain: '<script>', reason: 'x y z' }, PUPIL), { ok: false });
  t.match(await f.core.requests.create('access', { domain: 'a.example', reason: '' }, PUPIL), { ok: false });
  let accepted = 0;
  for (let i = 0; i < 15; i++) if ((await f.core.requests.create('access', { domain: `site${i}.example`, reason: 'for homework' }, PUPIL)).ok) accepted++;
  t.equal(accepted, 10, 'ten an hour per device');
  t.ok((await f.core.requests.create('access', { domain: 'other.example', reason: 'for homework' }, { ip: '10.10.1.6', group: 'pupils' })).ok, 'other devices unaffected');
  f.clock.now += 3_600_001;
  t.ok((await f.core.requests.create('access', { domain: 'later.example', reason: 'for homework' }, PUPIL)).ok, 'allowed again an hour later');
});
