// The I/O shell of the health model: listens to the other stages' events, runs the WAN probes and
// polls the slow facts (disk, clock, store, admin accounts), and hands assess() one plain facts
// object. It calls onChange whenever something it learned may change an LED.
import type { AuditEntry } from '../audit/index.js';
import type { DaemonContext } from '../daemon/index.js';
import type { Logger } from '../log.js';
import { parseDuration } from '../schema/index.js';
import type { ClockFact, HealthFacts, WanStatus } from './facts.js';
import { WanMonitor } from './wan-monitor.js';
import { clockSync, diskUsage, storeCheck } from './system-probes.js';
import type { ClockSources } from './system-probes.js';

const SLOW_EVERY_MS = 10_000;
const CLOCK_EVERY_MS = 60_000;

export class HealthMonitor {
  private readonly wan: WanMonitor;
  private readonly timers: NodeJS.Timeout[] = [];
  private admins: number | undefined;
  private disk: HealthFacts['disk'];
  private clock: ClockFact = { synced: undefined, source: 'unavailable', detail: 'not checked yet' };
  private storeError: string | undefined;
  private storeFull: { at: number; size: number; cap: number } | undefined;
  private listFailure: HealthFacts['listFailure'];
  private saidClock = '';

  constructor(
    private readonly ctx: DaemonContext,
    private readonly log: Logger,
    private readonly onChange: () => void,
    private readonly clockSources?: ClockSources,
  ) {
    this.wan = new WanMonitor({
      config: () => ({ health: ctx.state.current.config.health, upstreams: ctx.state.current.config.dns.upstreams }),
      now: () => ctx.clock.now(),
      log,
      onChange: () => onChange(),
    });
  }

  private readonly changed = () => this.onChange();
  private readonly onListsFailed = (error: string) => {
    this.listFailure = { at: this.ctx.clock.now(), error };
    this.onChange();
  };
  private readonly onSwapped = () => {
    // A new index is a successful compile; lists it kept from an older copy show in its reports.
    this.listFailure = undefined;
    this.onChange();
  };
  // The first admin account ends "setup needed" at once, not at the next poll.
  private readonly onAudit = (e: AuditEntry) => {
    if (e.action !== 'user.add' && e.action !== 'user.remove') return;
    void this.ctx.core.users.count().then((n) => {
      this.admins = n;
      this.onChange();
    }, () => undefined);
  };
  private readonly onStoreFull = (info: { size: number; cap: number }) => {
    this.storeFull = { at: this.ctx.clock.now(), ...info };
    this.onChange();
  };

  start(): void {
    const { events } = this.ctx;
    events.on('incidents:open', this.changed);
    events.on('overrides:changed', this.changed);
    events.on('config:reloaded', this.changed);
    events.on('index:swapped', this.onSwapped);
    events.on('lists:failed', this.onListsFailed);
    events.on('store:full', this.onStoreFull);
    events.on('audit', this.onAudit);
    this.wan.start();
    void this.slow();
    void this.checkClock();
    this.timers.push(setInterval(() => void this.slow(), SLOW_EVERY_MS), setInterval(() => void this.checkClock(), CLOCK_EVERY_MS));
  }

  async stop(): Promise<void> {
    const { events } = this.ctx;
    events.off('incidents:open', this.changed);
    events.off('overrides:changed', this.changed);
    events.off('config:reloaded', this.changed);
    events.off('index:swapped', this.onSwapped);
    events.off('lists:failed', this.onListsFailed);
    events.off('store:full', this.onStoreFull);
    events.off('audit', this.onAudit);
    for (const t of this.timers) clearInterval(t);
    await this.wan.stop();
  }

  wanStatus(): WanStatus {
    return this.wan.status();
  }

  facts(): HealthFacts {
    const { config, index, overrides } = this.ctx.state.current;
    return {
      now: this.ctx.clock.now(),
      admins: this.admins,
      wan: this.wan.status(),
      index: { size: index.size, lists: index.meta.lists },
      listSources: config.lists.map((l) => ({ name: l.name, remote: /^https?:\/\//i.test(l.source), updateSeconds: parseDuration(l.update) ?? 86_400 })),
      listFailure: this.listFailure,
      overrides,
      incidentsOpen: this.ctx.core.incidents.openCount,
      disk: this.disk,
      diskWarnPercent: config.health.diskWarnPercent,
      store: { error: this.storeError, fullAt: this.storeFull?.at, size: this.storeFull?.size, cap: this.storeFull?.cap },
      clock: this.clock,
    };
  }

  private async slow(): Promise<void> {
    const [admins, disk, storeError] = await Promise.all([
      this.ctx.core.users.count().catch(() => this.admins),
      diskUsage(this.ctx.state.current.config.dataDir),
      storeCheck(this.ctx.store),
    ]);
    this.admins = admins;
    this.disk = disk;
    if (storeError !== this.storeError) this.log[storeError ? 'error' : 'info']({ err: storeError }, storeError ? 'store check failed' : 'store reads again');
    this.storeError = storeError;
    this.onChange();
  }

  private async checkClock(): Promise<void> {
    this.clock = await clockSync(this.clockSources);
    const said = `${this.clock.synced}:${this.clock.source}`;
    if (said !== this.saidClock) {
      if (this.clock.synced === undefined) this.log.warn({ detail: this.clock.detail }, 'clock synchronisation cannot be checked here: the alert LED will not show an unsynchronised clock');
      else this.log.info({ synced: this.clock.synced, source: this.clock.source }, this.clock.synced ? 'clock synchronised' : 'clock not synchronised');
      this.saidClock = said;
    }
    this.onChange();
  }
}
