import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '../../src/audit/index.js';
import { decide } from '../../src/policy/index.js';
import { coreFixture } from '../fixtures/core.js';
import { tempDir } from '../helpers/daemon.js';

const TECH: Actor = { name: 'tess', kind: 'user', role: 'technician' };

t.test('an approved site report blocks the site from the next query and lands in the deny file', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const deny = join(d.dir, 'deny.txt');
  writeFileSync(deny, '# school deny list\nalready.example\n');
  const f = await coreFixture(t, `
lists: [{ name: school-deny, format: domains, category: deny, source: ${deny} }]
reports: { list: school-deny, perDeviceHourly: 3 }
groups:
  - { name: pupils, match: { subnets: ["10.10.1.0/24"] }, block: [deny] }
  - { name: guests, default: true }
`, { deny: { names: ['already.example'] } });
  const pupil = { ip: '10.10.1.5', group: 'pupils' };
  const answer = (name: string) => {
    const s = f.state.current;
    const bits = s.index.newBits();
    s.index.lookupInto(name, bits);
    return decide({ policy: s.policy, group: s.groups[0], name, categories: bits, client: { ip: pupil.ip }, overrides: s.overrides }, f.clock.now);
  };
  t.equal(answer('www.nasty.example').action, 'allow');
  const r = await f.core.requests.create('report', { domain: 'nasty.example', reason: 'self-harm content', category: 'self-harm' }, pupil);
  if (!r.ok) throw new Error(r.message);
  t.match(await f.core.requests.approve(r.value.id, TECH, {}), { ok: false, code: 'SG_CONFLICT' }, 'reports are not access requests');
  const ok = await f.core.requests.approveReport(r.value.id, TECH, 'confirmed');
  t.match(ok, { ok: true, value: { status: 'approved' } });
  t.match(answer('www.nasty.example'), { action: 'block', category: 'deny' }, 'blocked on the next query');
  t.match(readFileSync(deny, 'utf8'), /^already\.example\nnasty\.example\n$/m);
  t.match((await f.core.audit.list({ limit: 1 }))[0], { action: 'report.approve', target: 'nasty.example', details: { list: 'school-deny', suggested: 'self-harm' } });
  let accepted = 0;
  for (let i = 0; i < 5; i++) if ((await f.core.requests.create('report', { domain: `r${i}.example`, reason: 'bad site' }, pupil)).ok) accepted++;
  t.equal(accepted, 2, 'reports are rate-limited per device (3 an hour, one used)');
});
