import t from 'tap';
import { openStore } from '../../src/store/index.js';
import type { Migration } from '../../src/store/index.js';
import { tempDir } from '../helpers/daemon.js';

t.test('older stores are migrated step by step; a newer store is refused', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const v1 = await openStore(d.dir, { version: 1, migrations: {} });
  if (!v1.ok) throw new Error(v1.error);
  await v1.store.overrides.put('a', { id: 'a', reason: 'old field name', grantedBy: 'x' });
  await v1.store.close();

  const ran: number[] = [];
  const migrations: Record<number, Migration> = {
    1: async (s) => {
      ran.push(1);
      for await (const [k, v] of s.overrides.iterator()) {
        const o = v as { reason?: string; why?: string };
        if (o.reason !== undefined) await s.overrides.put(k, { ...o, why: o.reason, reason: undefined });
      }
    },
    2: async () => { ran.push(2); },
  };
  const v3 = await openStore(d.dir, { version: 3, migrations });
  if (!v3.ok) throw new Error(v3.error);
  t.same(ran, [1, 2], 'each step once, in order');
  t.match(await v3.store.overrides.get('a'), { why: 'old field name' });
  t.equal(await v3.store.settings.get('storeVersion'), 3);
  await v3.store.close();

  const again = await openStore(d.dir, { version: 3, migrations });
  if (!again.ok) throw new Error(again.error);
  t.same(ran, [1, 2], 'nothing runs on a current store');
  await again.store.close();

  const older = await openStore(d.dir, { version: 2, migrations });
  t.match(older, { ok: false, code: 'SG_STORE_NEWER', error: /newer schoolgate \(store version 3, this one knows 2\)/ });

  const broken = tempDir();
  t.teardown(broken.cleanup);
  const b1 = await openStore(broken.dir, { version: 1 });
  if (b1.ok) await b1.store.close();
  const failing = await openStore(broken.dir, { version: 2, migrations: { 1: async () => { throw new Error('disk full'); } } });
  t.match(failing, { ok: false, code: 'SG_STORE_ERROR', error: /migration from store version 1 failed: disk full; the store is left at version 1/ });
});
