// collectGarbage works without --expose-gc (the daemon runs without it) and really frees what
// nothing references any more, such as a swapped-out index.
import t from 'tap';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import type { NodeGCPerformanceDetail, PerformanceEntry } from 'node:perf_hooks';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { collectGarbage, collectSoon } from '../../src/lists/index.js';
import { memoryIndex } from '../fixtures/memory-index.js';

t.test('a dropped index is collected', async (t) => {
  t.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'no gc global in this process');
  let index: ReturnType<typeof memoryIndex> | undefined = memoryIndex({ adult: { names: ['a.example', 'b.example'] } });
  const ref = new WeakRef(index);
  t.same(index.categoriesOf('www.a.example'), ['adult']);
  index = undefined;
  // A WeakRef keeps its target for the rest of the current job: collect in a later one.
  await turn();
  collectGarbage();
  await turn();
  t.equal(ref.deref(), undefined, 'gone after one collection');
  t.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'and still no gc global for other code');
});

t.test('collectSoon runs its rounds apart, and a cancel stops the rest', async (t) => {
  // Forced major collections only: V8 may run its own meanwhile.
  let forced = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const d = (e as PerformanceEntry & { detail: NodeGCPerformanceDetail }).detail;
      if (d.kind === constants.NODE_PERFORMANCE_GC_MAJOR && d.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forced++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  t.teardown(() => obs.disconnect());
  collectSoon(3, 10, 20);
  await sleep(30);
  t.ok(forced <= 2, `not all at once (${forced} after 30 ms)`);
  await sleep(200);
  t.equal(forced, 3, 'three rounds');
  const cancel = collectSoon(3, 10, 100);
  await sleep(50);
  cancel();
  await sleep(300);
  t.equal(forced, 4, 'one round, then cancelled');
});
