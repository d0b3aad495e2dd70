// Owns the LED backend: opens it (and falls back to showing the states only in the log and UI
// when the hardware is not there), runs the self-test sweep, then shows what the health model
// asks for. What it has handed to the backend is what leds() reports: GET /status and the
// hardware agree by construction.
import type { Logger } from '../log.js';
import type { LedStates } from '../daemon/index.js';
import type { LedsConfig } from './config.js';
import type { LedBackend, LedFailure, Timers } from './led-backend.js';
import { createLedBackend } from './create-backend.js';
import { createVirtualBackend } from './virtual-backend.js';
import { allLeds, sameStates } from './priority.js';
import { SELF_TEST } from './self-test.js';

export interface LedStatus {
  backend: LedsConfig['backend'];
  /** false: the configured hardware is not (fully) driven; `error` says why */
  ok: boolean;
  error?: { code: LedFailure['code']; message: string };
  selfTest: boolean;
}

export interface LedControllerDeps {
  config: LedsConfig;
  timers: Timers;
  log: Logger;
  /** every change of what the LEDs show */
  onShown(states: LedStates): void;
  /** tests hand in a backend; the daemon builds the configured one */
  backend?: LedBackend;
}

const MAX_LOGGED_ERRORS = 20;

export class LedController {
  private backend: LedBackend;
  private current: LedStates = allLeds('off', 'schoolgate is starting');
  private desired: LedStates | undefined;
  private sweeping = false;
  private cancelSweep: (() => void) | undefined;
  private failure: LedFailure | undefined;
  /** the hardware could not be opened: the states live on in the log and the UI only */
  private openFailed = false;
  /** the last show() failed: the next health check hands the states over again */
  private retry = false;
  private errors = 0;
  private readonly logged = new Set<string>();

  constructor(private readonly deps: LedControllerDeps) {
    this.backend = deps.backend ?? createLedBackend(deps.config, {
      timers: deps.timers,
      onError: (err) => this.degraded(err),
      onNote: (msg, fields) => deps.log.info(fields ?? {}, msg),
    });
  }

  async start(): Promise<void> {
    const opened = await this.backend.open();
    if (!opened.ok) {
      // The daemon keeps filtering without its LEDs: they are shown in the log and the UI instead.
      this.degraded(opened);
      this.openFailed = true;
      this.backend = createVirtualBackend();
    } else {
      this.deps.log.info({ backend: this.backend.name }, 'LEDs ready');
    }
    if (this.deps.config.selfTest) this.sweep(0);
    else this.show(this.desired ?? this.current);
  }

  /** The states the health model wants; shown once the self-test is over. */
  set(states: LedStates): void {
    this.desired = states;
    if (!this.sweeping) this.show(states);
  }

  shown(): LedStates {
    return this.current;
  }

  status(): LedStatus {
    return {
      backend: this.deps.config.backend,
      ok: this.failure === undefined,
      error: this.failure && { code: this.failure.code, message: this.failure.message },
      selfTest: this.sweeping,
    };
  }

  async stop(): Promise<void> {
    this.cancelSweep?.();
    this.sweeping = false;
    await this.backend.close();
  }

  private sweep(i: number): void {
    const frame = SELF_TEST[i];
    if (!frame) {
      this.sweeping = false;
      this.cancelSweep = undefined;
      this.show(this.desired ?? allLeds('off', 'waiting for the first health check'));
      return;
    }
    this.sweeping = true;
    this.show(frame.states);
    this.cancelSweep = this.deps.timers.after(frame.ms, () => this.sweep(i + 1));
  }

  private show(states: LedStates): void {
    const same = sameStates(this.current, states);
    if (same && !this.retry) return;
    this.retry = false;
    if (!same) {
      this.current = states;
      this.deps.onShown(states);
    }
    const errorsBefore = this.errors;
    void this.backend.show(states).then((r) => {
      if (!r.ok) {
        this.retry = true;
        this.degraded(r);
      } else if (this.failure && !this.openFailed && this.errors === errorsBefore) {
        // Handed over with no error on the way: the LEDs show the states again.
        this.failure = undefined;
        this.deps.log.info({ backend: this.backend.name }, 'LEDs recovered');
      }
    });
  }

  private degraded(err: LedFailure): void {
    this.failure = err;
    this.errors++;
    if (this.logged.has(err.message) || this.logged.size >= MAX_LOGGED_ERRORS) return;
    this.logged.add(err.message);
    this.deps.log.error({ code: err.code, err: err.message, backend: this.deps.config.backend }, 'LEDs degraded: the states are shown in the log and the admin UI only');
  }
}
