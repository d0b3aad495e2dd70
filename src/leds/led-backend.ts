// The small interface every LED backend implements (gpio, sysfs, virtual, file), and the timer
// source they share: the daemon passes real timers, tests a fake clock.
import type { LedStates } from '../daemon/index.js';

export type LedErrorCode = 'SG_LED_ACCESS' | 'SG_LED_MISSING' | 'SG_LED_CONFIG' | 'SG_LED_WRITE';
export type LedFailure = { ok: false; code: LedErrorCode; message: string };
export type LedResult = { ok: true } | LedFailure;

export interface LedBackend {
  readonly name: 'gpio' | 'sysfs' | 'virtual' | 'file';
  /** Finds and claims the hardware; a clear error (what is missing, how to fix it) when it cannot. */
  open(): Promise<LedResult>;
  /** Shows these patterns from now on; the backend (or the kernel) keeps them blinking. */
  show(states: LedStates): Promise<LedResult>;
  /** LEDs off, hardware released, timers cleared. */
  close(): Promise<void>;
}

/** What a backend gets: the clock, and where to say that something went wrong between calls. */
export interface BackendDeps {
  timers: Timers;
  /** an error outside open()/show() (a blink that could not be written, a keep-alive refresh) */
  onError(err: LedFailure): void;
  /** a fact worth one log line (which kernel trigger keeps the power LED honest) */
  onNote(msg: string, fields?: Record<string, unknown>): void;
}

/** A clock with one-shot timers; `after` returns its own cancel function. */
export interface Timers {
  now(): number;
  after(ms: number, fn: () => void): () => void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** Maps a failed file operation to a result that says what to do about it. */
export function fileError(path: string, err: unknown, hint = ''): LedFailure {
  const e = err as NodeJS.ErrnoException;
  const code: LedErrorCode = e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' ? 'SG_LED_ACCESS' : e.code === 'ENOENT' ? 'SG_LED_MISSING' : 'SG_LED_WRITE';
  const why = code === 'SG_LED_ACCESS' ? ' (permission denied: run schoolgate as root, or give its user the gpio/leds group — firmware/leds.md)' : '';
  return { ok: false, code, message: `${path}: ${e.code ?? ''} ${e.message ?? String(err)}${why}${hint}`.replace(/\s+/g, ' ').trim() };
}
