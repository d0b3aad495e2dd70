// collectGarbage works without --expose-gc (the daemon runs without it) and really frees what
// nothing references any more, such as a swapped-out index.
import t from 'tap';
import { setImmediate as turn } from 'node:timers/promises';
import { collectGarbage } from '../../src/lists/index.js';
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
