// The health stage: facts (monitor) → conditions (assess) → LED states (the priority table) →
// the LED controller. It fills ctx.services.health, emits leds:changed and logs every change, so
// the API, the dashboard, the log and the hardware all show one set of states.
import type { DaemonContext, HealthService, LedStates, Stage } from '../daemon/index.js';
import { LEDS, LedController, ledStatesFor, systemTimers } from '../leds/index.js';
import type { Timers } from '../leds/index.js';
import { HealthMonitor } from './health-monitor.js';
import { assess } from './model.js';
import type { Condition } from './model.js';
import type { ClockSources } from './system-probes.js';

/** How often time alone is re-judged (an override's end, a list growing stale). */
const EVALUATE_EVERY_MS = 1000;

export interface HealthStageOptions {
  timers?: Timers;
  clockSources?: ClockSources;
}

export function createHealthStage(ctx: DaemonContext, opts: HealthStageOptions = {}): Stage {
  const log = ctx.log.child({ stage: 'health' });
  const ledLog = ctx.log.child({ stage: 'leds' });
  const onShown = (states: LedStates) => {
    ledLog.info({ leds: states }, 'LEDs changed');
    ctx.events.emit('leds:changed', states);
  };
  const leds = new LedController({ config: ctx.state.current.config.leds, timers: opts.timers ?? systemTimers, log: ledLog, onShown });
  let conditions: Condition[] = [];
  let started = false;
  const evaluate = () => {
    if (!started) return;
    conditions = assess(monitor.facts());
    leds.set(ledStatesFor(conditions));
  };
  const monitor = new HealthMonitor(ctx, log, evaluate, opts.clockSources);
  let tick: NodeJS.Timeout | undefined;
  const unregister: (() => void)[] = [];

  const service: HealthService = {
    leds: () => leds.shown(),
    snapshot: () => {
      const f = monitor.facts();
      return {
        conditions,
        wan: f.wan,
        admins: f.admins,
        incidentsOpen: f.incidentsOpen,
        disk: f.disk,
        clock: f.clock,
        store: f.store,
        listFailure: f.listFailure,
        leds: leds.status(),
      };
    },
  };
  ctx.services.health = service;

  return {
    name: 'health',
    async start() {
      await leds.start();
      started = true;
      monitor.start();
      evaluate();
      tick = setInterval(evaluate, EVALUATE_EVERY_MS);
      const m = ctx.metrics;
      unregister.push(
        m.register('schoolgate_wan_up', 'The WAN is up (1), down (0), or not known yet (-1)', 'gauge', () => {
          const level = monitor.wanStatus().level;
          return level === 'up' ? 1 : level === 'unknown' ? -1 : 0;
        }),
        m.register('schoolgate_health_condition', 'Health conditions that hold now (1 each)', 'gauge', () => conditions.map((c) => ({ labels: { condition: c.id }, value: 1 }))),
        m.register('schoolgate_led_pattern', 'The pattern each status LED shows (1 each)', 'gauge', () => {
          const shown = leds.shown();
          return LEDS.map((led) => ({ labels: { led, pattern: shown[led].pattern }, value: 1 }));
        }),
      );
    },
    async stop() {
      started = false;
      clearInterval(tick);
      for (const u of unregister) u();
      await monitor.stop();
      await leds.stop();
    },
  };
}
