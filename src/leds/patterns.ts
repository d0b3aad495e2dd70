// The five LED patterns as timing data. What "slow blink" means is written once, here: the gpio
// player, the kernel triggers (sysfs) and the README card all read this table. Pure: the caller
// passes the time elapsed since the pattern started.
import type { LedPattern } from '../daemon/index.js';

export interface PatternTiming {
  /** steady patterns: the level; blinking ones leave it undefined */
  steady?: 0 | 1;
  /** blinking: alternating on/off durations in ms, starting with on (one period) */
  segments: readonly number[];
}

export const PATTERN_TIMING: Readonly<Record<LedPattern, PatternTiming>> = {
  off: { steady: 0, segments: [] },
  on: { steady: 1, segments: [] },
  // 0.5 Hz, even: calm, "look when you pass".
  'slow-blink': { segments: [1000, 1000] },
  // 4 Hz: urgent, seen from the door.
  'fast-blink': { segments: [125, 125] },
  // lub-dub once a second: the daemon is alive.
  heartbeat: { segments: [80, 120, 80, 720] },
};

export function periodOf(pattern: LedPattern): number {
  return PATTERN_TIMING[pattern].segments.reduce((a, b) => a + b, 0);
}

/** The level (1 = lit) `elapsedMs` after the pattern started. */
export function levelAt(pattern: LedPattern, elapsedMs: number): 0 | 1 {
  const t = PATTERN_TIMING[pattern];
  if (t.steady !== undefined) return t.steady;
  let at = mod(elapsedMs, periodOf(pattern));
  for (let i = 0; i < t.segments.length; i++) {
    if (at < t.segments[i]) return i % 2 === 0 ? 1 : 0;
    at -= t.segments[i];
  }
  return 0;
}

/** Milliseconds from `elapsedMs` to the next change of level (> 0), or undefined when steady. */
export function nextEdgeIn(pattern: LedPattern, elapsedMs: number): number | undefined {
  const t = PATTERN_TIMING[pattern];
  if (t.steady !== undefined) return undefined;
  const at = mod(elapsedMs, periodOf(pattern));
  let boundary = 0;
  for (const d of t.segments) {
    boundary += d;
    if (boundary > at) return boundary - at;
  }
  return periodOf(pattern) - at;
}

/** Blinking with one on-time and one off-time (what the kernel's timer trigger can do). */
export function evenBlink(pattern: LedPattern): { onMs: number; offMs: number } | undefined {
  const s = PATTERN_TIMING[pattern].segments;
  return s.length === 2 ? { onMs: s[0], offMs: s[1] } : undefined;
}

const mod = (a: number, n: number) => ((a % n) + n) % n;
