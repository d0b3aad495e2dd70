// After an index swap the old index (up to ~40 MB of ArrayBuffer with the full UT1 set) is
// garbage, but V8 collects it only when its own heap asks, and the daemon's heap is small and
// calm: without help the old index stays resident for minutes. One full GC a moment after the
// swap (queries in flight have let go of the old state by then) returns it at once.
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

/** Collects `delayMs` after a swap; the timer does not keep the process alive. */
export function collectAfterSwap(delayMs = 1000): void {
  setTimeout(collectGarbage, delayMs).unref();
}
