// Drives blinking from Node, for backends whose hardware cannot blink by itself (gpio) and for
// the oneshot keep-alive of the sysfs power LED. One timer wakes at the next edge of any LED; the
// level is recomputed from the clock at every wake, so a late timer never drifts the rhythm.
import type { LedName, LedPattern } from '../daemon/index.js';
import type { Timers } from './led-backend.js';
import { levelAt, nextEdgeIn } from './patterns.js';

interface Track {
  pattern: LedPattern;
  start: number;
  level: 0 | 1 | undefined;
}

export class PatternPlayer {
  private readonly tracks = new Map<LedName, Track>();
  private cancel: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly timers: Timers,
    /** called on every change of an LED's level (and once when a pattern is set) */
    private readonly write: (led: LedName, level: 0 | 1) => void,
  ) {}

  /**
   * Starts `pattern` on `led` from its beginning (a blink starts lit, so a change is seen at once).
   * A level the LED already has is not written again.
   */
  set(led: LedName, pattern: LedPattern): void {
    this.stopped = false;
    this.tracks.set(led, { pattern, start: this.timers.now(), level: this.tracks.get(led)?.level });
    this.tick();
  }

  /** Forgets an LED (its level stays where it was). */
  remove(led: LedName): void {
    this.tracks.delete(led);
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
    this.tracks.clear();
  }

  private tick(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (this.stopped) return;
    const now = this.timers.now();
    let wait: number | undefined;
    for (const [led, t] of this.tracks) {
      const level = levelAt(t.pattern, now - t.start);
      if (level !== t.level) {
        t.level = level;
        this.write(led, level);
      }
      const next = nextEdgeIn(t.pattern, now - t.start);
      if (next !== undefined) wait = wait === undefined ? next : Math.min(wait, next);
    }
    if (wait !== undefined) this.cancel = this.timers.after(wait, () => this.tick());
  }
}
