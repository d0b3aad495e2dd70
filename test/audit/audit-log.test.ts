import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { AuditLog } from '../../src/audit/index.js';
import type { AuditEntry } from '../../src/audit/index.js';
import { tempDir } from '../helpers/daemon.js';

async function fresh(t: Tap.Test): Promise<{ store: Store; audit: AuditLog; dir: string }> {
  const d = tempDir();
  const opened = await openStore(d.dir);
  if (!opened.ok) throw new Error(opened.error);
  t.teardown(async () => {
    await opened.store.close().catch(() => undefined);
    d.cleanup();
  });
  let clock = Date.parse('2026-11-24T09:00:00Z');
  const audit = new AuditLog(opened.store, () => (clock += 1000));
  await audit.open();
  for (let i = 1; i <= 5; i++) await audit.append({ actor: { name: 'tech', kind: 'user', role: 'technician' }, action: 'override.create', target: `site${i}.example`, reason: `lesson ${i} on networks` });
  return { store: opened.store, audit, dir: d.dir };
}

import type * as Tap from 'tap';

t.test('a clean chain verifies and lists newest first', async (t) => {
  const { audit } = await fresh(t);
  t.same(await audit.verify(), { ok: true, entries: 5, head: (await audit.list({ limit: 1 }))[0].hash });
  t.same((await audit.list({ limit: 2 })).map((e) => e.seq), [5, 4]);
  const csv: string[] = [];
  for await (const line of audit.csv()) csv.push(line);
  t.equal(csv.length, 6);
  t.match(csv[1], /^1,2026-11-24T09:00:01.000Z,tech,user,technician,override.create,site1.example,lesson 1 on networks,/);
});

const tampering: { name: string; edit: (s: Store) => Promise<void>; seq: number; problem: RegExp }[] = [
  {
    name: 'an edited reason',
    edit: async (s) => { const e = (await s.audit.get('000000000003')) as AuditEntry; await s.audit.put('000000000003', { ...e, reason: 'nothing to see' }); },
    seq: 3, problem: /entry 3 was altered/,
  },
  {
    name: 'an edited entry with its hash recomputed',
    edit: async (s) => {
      const { entryHash } = await import('../../src/audit/index.js');
      const e = (await s.audit.get('000000000002')) as AuditEntry;
      const { hash: _h, ...rest } = { ...e, target: 'other.example' };
      await s.audit.put('000000000002', { ...rest, hash: entryHash(rest) });
    },
    seq: 3, problem: /entry 3 does not follow entry 2/,
  },
  { name: 'a deleted middle entry', edit: (s) => s.audit.del('000000000002'), seq: 2, problem: /entry 2 missing/ },
  { name: 'deleted last entries', edit: async (s) => { await s.audit.del('000000000005'); await s.audit.del('000000000004'); }, seq: 5, problem: /ends at entry 3 but entry 5 was written/ },
];

for (const c of tampering) {
  t.test(`tampering is detected: ${c.name}`, async (t) => {
    const { store, audit } = await fresh(t);
    await c.edit(store);
    const r = await audit.verify();
    t.equal(r.ok, false);
    if (!r.ok) {
      t.equal(r.seq, c.seq);
      t.match(r.problem, c.problem);
    }
  });
}

t.test('appends after a truncation keep the gap visible', async (t) => {
  const { store, dir } = await fresh(t);
  await store.audit.del('000000000005');
  await store.close();
  const reopened = await openStore(dir);
  if (!reopened.ok) throw new Error(reopened.error);
  t.teardown(() => reopened.store.close());
  const again = new AuditLog(reopened.store, Date.now);
  await again.open();
  const next = await again.append({ actor: { name: 'x', kind: 'system' }, action: 'test' });
  t.equal(next.seq, 6, 'numbering continues from the recorded head');
  const r = await again.verify();
  t.notOk(r.ok);
  if (!r.ok) t.match(r.problem, /entry 5 missing/);
});

t.test('kill -9 during a burst of writes leaves a chain that verifies', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  let total = 0;
  for (let round = 0; round < 5; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'burst-child.ts'), d.dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 150 + round * 60));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const opened = await openStore(d.dir);
    if (!opened.ok) throw new Error(opened.error);
    const audit = new AuditLog(opened.store, Date.now);
    await audit.open();
    const r = await audit.verify();
    await opened.store.close();
    t.ok(r.ok, `round ${round}: ${JSON.stringify(r)}`);
    t.ok(r.entries > total, `round ${round}: the chain grew (${r.entries})`);
    total = r.entries;
  }
});
