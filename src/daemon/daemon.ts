// Assembles the stages of DESIGN.md's flow. Each long-lived part has start()/stop(); they are
// started in the order listed and stopped in reverse.
import type { LoadedConfig } from '../config-file/index.js';
import type { Logger } from '../log.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { IdentityService } from '../identity/index.js';
import { localDay } from '../policy/index.js';
import { EventBus } from './events.js';
import { ensureIndex } from './index-loader.js';
import { collectAfterStart } from '../lists/index.js';
import { StateHolder, buildState } from './state.js';
import { MetricsRegistry } from './metrics.js';
import { createListUpdater } from './list-updater.js';
import { createCoreServices } from './core-services.js';
import type { CoreServices } from './core-services.js';
import type { Services } from './services.js';
import { createRecorder } from './recorder.js';
import { createControlStage } from './control-stage.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface Stage {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What every stage gets: one object, no module singletons. */
export interface DaemonContext {
  readonly loaded: LoadedConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly store: Store;
  readonly state: StateHolder;
  readonly events: EventBus;
  readonly identity: IdentityService;
  readonly metrics: MetricsRegistry;
  /** audit, users, overrides, requests, incidents, query log, devices */
  readonly core: CoreServices;
  /** what stages offer each other (the API reads these); filled as stages are created */
  readonly services: Services;
}


export type StageFactory = (ctx: DaemonContext) => Stage | Stage[];

export type StartResult = { ok: true } | { ok: false; error: string };

export class Daemon {
  private readonly started: Stage[] = [];
  private store: Store | undefined;
  ctx: DaemonContext | undefined;

  constructor(
    private readonly loaded: LoadedConfig,
    private readonly log: Logger,
    private readonly stages: readonly StageFactory[],
    private readonly clock: Clock = systemClock,
  ) {}

  async start(): Promise<StartResult> {
    const { config } = this.loaded;
    const t0 = performance.now();
    const opened = await openStore(config.dataDir);
    if (!opened.ok) return { ok: false, error: opened.error };
    this.store = opened.store;
    const index = await ensureIndex(config, this.log.child({ stage: 'lists' }), 'child');
    if (!index.ok) {
      await this.stop();
      return { ok: false, error: `no usable domain index: ${index.error}` };
    }
    const now = () => this.clock.now();
    const state = new StateHolder(buildState(config, index.index, [], now()));
    const events = new EventBus();
    const core = await createCoreServices({ loaded: this.loaded, store: opened.store, state, events, log: this.log, now });
    await core.devices.start();
    this.started.push({ name: 'devices', start: async () => undefined, stop: async () => core.devices.stop() });
    this.started.push({ name: 'overrides', start: async () => undefined, stop: async () => core.overrides.stop() });
    if (config.devices.register) await core.register.watchFile(config.devices.register);
    this.started.push({ name: 'register', start: async () => undefined, stop: async () => core.register.stop() });
    this.started.push({ name: 'visitors', start: async () => undefined, stop: async () => core.visitors.stop() });
    const ctx: DaemonContext = {
      loaded: this.loaded, log: this.log, clock: this.clock, store: opened.store, state, events,
      identity: new IdentityService(() => state.current, core.devices, now, (ms) => localDay(state.current.policy.timezone, ms)),
      metrics: new MetricsRegistry(), core, services: {},
    };
    this.ctx = ctx;
    ctx.metrics.register('schoolgate_process_memory_bytes', 'Resident memory and where it goes: the V8 heap (used, total), and external / array buffers (the domain index, cached answers)', 'gauge', () => {
      const m = process.memoryUsage();
      const kinds = { rss: m.rss, heap_used: m.heapUsed, heap_total: m.heapTotal, external: m.external, array_buffers: m.arrayBuffers };
      return Object.entries(kinds).map(([kind, value]) => ({ labels: { kind }, value }));
    });
    // Built-in stages first: the list updater keeps the index current for everyone after it,
    // the recorder must listen before any stage emits queries, the control socket serves the CLI.
    const lists = createListUpdater(ctx);
    ctx.services.lists = lists;
    const builtIn: StageFactory[] = [() => lists, (c) => createRecorder(c, core), (c) => createControlStage(c, core)];
    for (const factory of [...builtIn, ...this.stages]) {
      for (const stage of [factory(ctx)].flat()) {
        try {
          await stage.start();
        } catch (err) {
          this.log.error({ stage: stage.name, err }, 'stage failed to start');
          await this.stop();
          return { ok: false, error: `${stage.name}: ${(err as Error).message}` };
        }
        this.started.push(stage);
      }
    }
    this.log.info({
      startupMs: Math.round(performance.now() - t0),
      domains: index.index.size,
      categories: index.index.categories.length,
      mode: config.mode,
      rssMB: Math.round(process.memoryUsage.rss() / 1e6),
    }, 'ready');
    ctx.events.emit('ready');
    // Start-up's garbage and run-once bytecode go back now, not when V8's heap next asks.
    const cancelCollection = collectAfterStart();
    this.started.push({ name: 'memory', start: async () => undefined, stop: async () => cancelCollection() });
    return { ok: true };
  }

  /** SIGHUP: re-read the config file; a bad file is reported and the running config kept. */
  async reload(): Promise<void> {
    if (!this.ctx) return;
    const { core } = this.ctx;
    if (core.proposals.enabled) {
      // Four-eyes: a changed file waits for a second person like any other policy change.
      const text = await core.config.readFileText();
      if (text === undefined) return;
      const p = await core.proposals.propose({ kind: 'text', text }, 'config file changed on disk', { name: 'config file on disk', kind: 'system', role: undefined }, 'reloaded with SIGHUP');
      if (p.ok) this.log.warn({ proposal: p.value.id }, 'config file changed: held as a proposal until a second person approves it');
      else this.log.error({ err: p.message }, 'config file changed but is not valid; nothing proposed');
      return;
    }
    const r = await core.config.reload({ name: 'SIGHUP', kind: 'system' });
    if (r.ok) this.log.info({ changed: r.changed }, 'config reloaded');
    else this.log.error({ err: r.message }, 'config not reloaded; the running config stays');
  }

  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const stage = this.started.pop() as Stage;
      try {
        await stage.stop();
      } catch (err) {
        this.log.error({ stage: stage.name, err }, 'stage failed to stop cleanly');
      }
    }
    await this.store?.close();
    this.store = undefined;
  }
}
