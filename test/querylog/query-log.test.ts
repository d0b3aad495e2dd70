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
