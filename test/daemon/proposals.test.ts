import t from 'tap';
import type { Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config-file/index.js';
import { ConfigService, EventBus, ProposalService, StateHolder, buildState } from '../../src/daemon/index.js';
import { AuditLog } from '../../src/audit/index.js';
import type { Actor } from '../../src/audit/index.js';
import { openStore } from '../../src/store/index.js';
import { decide } from '../../src/policy/index.js';
import { memoryIndex } from '../fixtures/memory-index.js';
import { tempDir } from '../helpers/daemon.js';

const YAML = `governance: { fourEyes: true, proposalExpiry: 1h }
groups:
  - name: pupils
    match: { subnets: ["10.10.1.0/24"] }
    block: [games]
  - { name: guests, default: true }
`;
const TECH: Actor = { name: 'tess', kind: 'user', role: 'technician' };
const TECH2: Actor = { name: 'tom', kind: 'user', role: 'technician' };
const DSL: Actor = { name: 'dina', kind: 'user', role: 'safeguarding' };

async function setup(t: Test) {
  const d = tempDir();
  t.teardown(d.cleanup);
  const file = join(d.dir, 'sg.yaml');
  writeFileSync(file, YAML);
  const catalog = async () => ({ categories: new Map([['games', { list: 'x', kind: 'block' as const }], ['gambling', { list: 'x', kind: 'block' as const }]]), complete: true });
  const loaded = await loadConfig(file, catalog);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const opened = await openStore(d.dir);
  if (!opened.ok) throw new Error(opened.error);
  t.teardown(() => opened.store.close());
  const clock = { now: Date.parse('2026-11-24T10:00:00Z') };
  const audit = new AuditLog(opened.store, () => clock.now);
  await audit.open();
  const index = memoryIndex({ games: { names: ['arcade.example'] }, gambling: { names: ['casino.example'] } });
  const state = new StateHolder(buildState(loaded.loaded.config, index, [], clock.now));
  const config = new ConfigService(loaded.loaded, { state, events: new EventBus(), audit, readCatalog: catalog, now: () => clock.now });
  const proposals = new ProposalService(opened.store, audit, config, () => clock.now);
  const pupilAnswer = (name: string) => {
    const s = state.current;
    const bits = s.index.newBits();
    s.index.lookupInto(name, bits);
    return decide({ policy: s.policy, group: s.groups[0], name, categories: bits, client: { ip: '10.10.1.5' }, overrides: [] }, clock.now).action;
  };
  return { proposals, audit, clock, pupilAnswer };
}


const change = { kind: 'set' as const, path: ['groups', 0], value: { name: 'pupils', match: { subnets: ['10.10.1.0/24'] }, block: ['games', 'gambling'] } };

t.test('a change waits for a second person with another role', async (t) => {
  const { proposals, audit, pupilAnswer } = await setup(t);
  t.equal(proposals.enabled, true);
  const p = await proposals.propose(change, 'pupils: block gambling', TECH, 'ads for betting in class');
  if (!p.ok) throw new Error(p.message);
  t.equal(pupilAnswer('casino.example'), 'allow', 'nothing changes before approval');
  t.match(await proposals.approve(p.value.id, TECH, 'looks fine'), { ok: false, code: 'SG_FORBIDDEN' }, 'not the proposer');
  t.match(await proposals.approve(p.value.id, TECH2, 'looks fine'), { ok: false, code: 'SG_FORBIDDEN' }, 'not the same role');
  t.match(await proposals.approve(p.value.id, DSL, ''), { ok: false, code: 'SG_BAD_INPUT' }, 'a reason is required');
  const ok = await proposals.approve(p.value.id, DSL, 'agreed at the e-safety meeting');
  t.match(ok, { ok: true, value: { status: 'approved', decidedBy: { name: 'dina' } } });
  t.equal(pupilAnswer('casino.example'), 'block', 'applied once approved');
  const entries = await audit.list({ limit: 3 });
  t.same(entries.map((e) => e.action), ['proposal.approve', 'config.change', 'proposal.create']);
  t.match(entries[1].details, { proposal: p.value.id, proposer: 'tess' });
  t.match(entries[0], { actor: { name: 'dina' }, reason: 'agreed at the e-safety meeting', details: { proposer: { name: 'tess' }, proposerReason: 'ads for betting in class' } });
  t.ok((await audit.verify()).ok);
});

t.test('rejected and expired proposals change nothing; invalid ones are not proposed', async (t) => {
  const { proposals, clock, pupilAnswer } = await setup(t);
  const a = await proposals.propose(change, 'pupils: block gambling', TECH);
  if (!a.ok) throw new Error(a.message);
  t.match(await proposals.reject(a.value.id, DSL, 'not without the head'), { ok: true, value: { status: 'rejected' } });
  t.equal(pupilAnswer('casino.example'), 'allow');
  clock.now += 1000;
  const b = await proposals.propose(change, 'pupils: block gambling', TECH);
  if (!b.ok) throw new Error(b.message);
  clock.now += 3_600_001;
  t.match(await proposals.approve(b.value.id, DSL, 'late'), { ok: false, code: 'SG_CONFLICT', message: /expired/ });
  t.equal(pupilAnswer('casino.example'), 'allow');
  const bad = await proposals.propose({ kind: 'set', path: ['groups', 0, 'block'], value: ['gamez'] }, 'typo', TECH);
  t.match(bad, { ok: false, code: 'SG_BAD_INPUT', message: /unknown category "gamez"/ });
  t.same((await proposals.list()).map((p) => p.status), ['expired', 'rejected']);
});
