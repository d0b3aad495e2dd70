// After an index swap the old index (up to ~40 MB of ArrayBuffer with the full UT1 set) is
// garbage, but V8 collects it only when its own heap asks, and the daemon's heap is small and
// calm: without help the old index stays resident for minutes. One full GC a moment after the
// swap (queries in flight have let go of the old state by then) returns it at once.
//
// Start-up is the same: its garbage (the config's parse tree, schemas, route tables being built)
// sits in old space, and the bytecode of code that ran once stays until several full collections
// have passed it unused (V8's bytecode ageing). A few full GCs a moment apart return both.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** A full garbage collection (~10-50 ms on a Pi): for rare moments such as an index swap. */
export function collectGarbage(): void {
  if (!gc) {
    // `gc` without --expose-gc on the command line: the flag applies to contexts created after it.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/**
 * `rounds` full collections, the first `delayMs` from now, then one every `gapMs` (queries are
 * answered in between); the timers do not keep the process alive. Returns a cancel.
 */
export function collectSoon(rounds: number, delayMs: number, gapMs = 250): () => void {
  let left = rounds;
  const run = (): void => {
    collectGarbage();
    if (--left > 0) timer = setTimeout(run, gapMs).unref();
  };
  let timer = setTimeout(run, delayMs).unref();
  return () => clearTimeout(timer);
}

/** Collects `delayMs` after a swap. */
export function collectAfterSwap(delayMs = 1000): void {
  collectSoon(1, delayMs);
}

/** Four rounds: fewer leave start-up's bytecode (1M names, serving: ~80 MB with one, ~78 with four; bench/out/lists.md). */
export function collectAfterStart(): () => void {
  return collectSoon(4, 1000);
}
