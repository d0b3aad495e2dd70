import t from 'tap';
import { coreFixture } from '../fixtures/core.js';
import type { QueryEvent } from '../../src/daemon/index.js';

t.test('batched writes, search with paging, retention', async (t) => {
  const f = await coreFixture(t);
  const log = f.core.queryLog;
  const base = Date.parse('2026-11-20T00:00:00Z');
  for (let i = 0; i < 2500; i++) {
    const e: QueryEvent = { time: base + i * 60_000, client: `10.10.1.${i % 5}`, group: 'pupils', name: i % 10 === 0 ? `ads${i}.tracker.example` : `site${i}.example`, type: 'A', action: i % 3 === 0 ? 'block' : 'allow', reason: i % 3 === 0 ? 'group-block' : 'default', rcode: 'NOERROR', latency: 0.5, cached: false };
    log.add(e);
  }
  t.equal(log.pending, 2500);
  await log.flush();
  t.equal(log.pending, 0);
  t.equal(log.written, 2500);
  const page1 = await log.search({ client: '10.10.1.0', limit: 100 });
  t.equal(page1.items.length, 100);
  t.ok(page1.items.every((q) => q.client === '10.10.1.0'));
  t.ok(page1.items[0].time > page1.items[99].time, 'newest first');
  const page2 = await log.search({ client: '10.10.1.0', limit: 100, cursor: page1.next });
  t.equal(page2.items.length, 100);
  t.ok(page2.items[0].time < page1.items[99].time, 'the next page is older');
  const blocked = await log.search({ action: 'block', domain: 'tracker', limit: 1000 });
  t.ok(blocked.items.length > 0 && blocked.items.every((q) => q.action === 'block' && q.name.includes('tracker')));
  const since = await log.search({ since: base + 2400 * 60_000, limit: 1000 });
  t.equal(since.items.length, 100);
  await log.prune(base + 2000 * 60_000);
  const rest = await log.search({ limit: 1000 });
  t.equal(rest.items.length, 500, 'older entries pruned');
});

t.test('blocks: every row once across pages, exact time ranges at block edges, rows from before blocks still read', async (t) => {
  const f = await coreFixture(t);
  const log = f.core.queryLog;
  const base = Date.parse('2026-11-21T08:00:00Z');
  // a busy school morning: 3000 queries 50 ms apart (blocks of 256 rows), then one an hour later
  const at = (i: number) => (i < 3000 ? base + i * 50 : base + 3_600_000);
  for (let i = 0; i <= 3000; i++) log.add({ time: at(i), client: `10.10.1.${i % 7}`, group: 'pupils', name: `n${i}.example`, type: 'A', action: 'allow', reason: 'default', rcode: 'NOERROR', latency: 0.2, cached: true });
  await log.flush();
  t.equal(log.written, 3001);
  let blocks = 0;
  for await (const v of f.store.querylog.values()) {
    blocks++;
    t.ok(Array.isArray(v) && v.length <= 256 && v.every((row) => Array.isArray(row)), 'a block of at most 256 rows, each without field names');
  }
  t.ok(blocks >= 13 && blocks <= 16, `${blocks} records for 3001 rows, not one each`);

  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const p = await log.search({ limit: 97, cursor });
    seen.push(...p.items.map((q) => q.name));
    if (!p.next) break;
    cursor = p.next;
  }
  t.equal(seen.length, 3001, 'paging gives every row');
  t.equal(new Set(seen).size, 3001, '...once');
  t.equal(seen[0], 'n3000.example', 'newest first');
  t.equal(seen[3000], 'n0.example');

  // a range that starts and ends inside blocks
  const range = await log.search({ since: at(1000), until: at(1999), limit: 1000 });
  t.equal(range.items.length, 1000);
  t.same([range.items[0].name, range.items[999].name], ['n1999.example', 'n1000.example']);
  const late = await log.search({ since: base + 120_000, limit: 1000 });
  t.same(late.items.map((q) => q.name).slice(0, 2), ['n3000.example', 'n2999.example']);
  t.equal(late.items.length, 1 + 3000 - 2400, 'rows at or after since, none before it');
  t.equal(late.items.at(-1)?.name, 'n2400.example');

  // a record written by a version before blocks: one row, its own key
  await f.store.querylog.put('0000019a0000:000001', { t: 0x19a0000, c: '10.10.9.9', g: 'staff', n: 'old.example', q: 'A', a: 'block', r: 'group-block', rc: 'NXDOMAIN', l: 1 });
  const old = await log.search({ client: '10.10.9.9' });
  t.same(old.items.map((q) => [q.name, q.action]), [['old.example', 'block']]);
  const fromOldCursor = await log.search({ cursor: '0000019a0000:000001' });
  t.equal(fromOldCursor.items.length, 0, 'an old cursor still pages on');

  // pruning by whole blocks never deletes a row newer than the cutoff
  await log.prune(at(1500));
  const rest = await log.search({ limit: 1000, since: at(1500) });
  t.equal(rest.items.length, 1000);
  const all: string[] = [];
  for (let c: string | undefined, i = 0; i < 100; i++) {
    const p = await log.search({ limit: 1000, cursor: c });
    all.push(...p.items.map((q) => q.name));
    if (!p.next) break;
    c = p.next;
  }
  t.ok(all.includes('n1500.example') && !all.includes('old.example'), 'rows from the cutoff on are kept');
  t.equal(all.length, 1501, 'every older row is gone, also from the block that straddles the cutoff');
});

t.test('a row keeps every field through its block, absent ones stay absent', async (t) => {
  const f = await coreFixture(t);
  const log = f.core.queryLog;
  const full = { time: 1_764_000_000_123, client: '10.10.1.9', mac: 'aa:bb:cc:dd:ee:09', hostname: 'lab-pc-9', user: 'sam.p', group: 'pupils', name: 'x.example', type: 'HTTPS', action: 'block' as const, reason: 'override', category: 'games', rcode: 'NXDOMAIN', latency: 1.25, upstream: '127.0.0.1:53', cached: true, overrideId: 'ov-1' };
  const bare = { time: 1_764_000_000_124, client: '10.10.1.8', group: 'pupils', name: 'y.example', type: 'A', action: 'allow' as const, reason: 'default', rcode: 'NOERROR', latency: 0, cached: false };
  log.add(full);
  log.add(bare);
  await log.flush();
  const { items } = await log.search({});
  t.same(items.map(({ key: _key, ...q }) => q), [{ ...bare, mac: undefined, hostname: undefined, user: undefined, category: undefined, upstream: undefined, overrideId: undefined }, full]);
  t.strictSame(Object.entries(items[0]).filter(([, v]) => v !== undefined).map(([k]) => k).sort(), ['action', 'cached', 'client', 'group', 'key', 'latency', 'name', 'rcode', 'reason', 'time', 'type']);
});

t.test('a flood is written as its blocks fill, not held until the flush; a failed write does not stop the later ones', async (t) => {
  const f = await coreFixture(t);
  const log = f.core.queryLog;
  const base = Date.parse('2026-11-23T09:00:00Z');
  const row = (i: number): QueryEvent => ({ time: base + i, client: '10.10.1.3', group: 'pupils', name: `flood${i}.example`, type: 'A', action: 'allow', reason: 'default', rcode: 'NOERROR', latency: 0.1, cached: true });
  // 8 full blocks of 256 rows and one more row: the ninth block's first row seals the eighth
  for (let i = 0; i <= 8 * 256; i++) log.add(row(i));
  for (let i = 0; i < 200 && log.written < 8 * 256; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(log.written, 8 * 256, 'eight blocks written without a flush');
  t.equal(log.pending, 1, 'the open block waits for the next');

  // the card fails one write (full, or gone for a moment): those rows are lost and counted, later ones are written
  const batch = f.store.querylog.batch.bind(f.store.querylog);
  let failures = 1;
  f.store.querylog.batch = ((...args: Parameters<typeof batch>) => (failures-- > 0 ? Promise.reject(new Error('No space left on device')) : batch(...args))) as typeof batch;
  await t.rejects(log.flush(), /No space left/);
  t.equal(log.dropped, 1);
  log.add(row(5000));
  await log.flush();
  t.equal(log.written, 8 * 256 + 1, 'the write after the failed one went through');
  const { items } = await log.search({ since: base + 5000 });
  t.same(items.map((q) => q.name), ['flood5000.example']);
});
