// Probe rounds against the internet: ICMP echo to each `health.wanTargets` address and one DNS
// question to each `dns.upstreams` resolver, all at once, every `health.interval`. The tracker
// turns rounds into a level with hysteresis. Rounds never overlap: the next is timed from the
// start of the last, and a round ends when its slowest probe answers or times out.
import type { Logger } from '../log.js';
import { parseDuration, parseHostPort } from '../schema/index.js';
import type { HealthConfig } from './config.js';
import type { ProbeOutcome, WanStatus } from './facts.js';
import { IcmpPinger, NO_SOCKET } from './icmp-probe.js';
import { probeDns } from './dns-probe.js';
import { WanTracker } from './wan-tracker.js';

export interface WanMonitorDeps {
  config(): { health: HealthConfig; upstreams: readonly string[] };
  now(): number;
  log: Logger;
  onChange(status: WanStatus): void;
}

export class WanMonitor {
  private readonly pinger = new IcmpPinger();
  private readonly tracker: WanTracker;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private saidUnavailable: string | undefined;

  constructor(private readonly deps: WanMonitorDeps) {
    const { health } = deps.config();
    this.tracker = new WanTracker(health);
  }

  status(): WanStatus {
    return this.tracker.current;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // Closing the sockets first ends the pings in flight at once; DNS probes end by their timeout.
    this.pinger.close();
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = performance.now();
      this.running = this.round().catch((err: Error) => this.deps.log.error({ err: err.message }, 'WAN probe round failed to run'));
      void this.running.finally(() => {
        const { health } = this.deps.config();
        const every = (parseDuration(health.interval) ?? 1) * 1000;
        this.schedule(Math.max(50, every - (performance.now() - started)));
      });
    }, ms);
  }

  private async round(): Promise<void> {
    const { health, upstreams } = this.deps.config();
    this.tracker.setRules(health);
    const probes: Promise<ProbeOutcome>[] = [];
    for (const target of health.wanTargets) probes.push(this.pinger.ping(target, health.timeoutMs));
    for (const u of upstreams) {
      const hp = parseHostPort(u, 53);
      if (hp) probes.push(probeDns(hp.host, hp.port, health.timeoutMs));
    }
    // A ping that could not be sent says nothing about the WAN: only the probes that ran count.
    const outcomes = (await Promise.all(probes)).filter((o) => !(o.kind === 'icmp' && o.error === NO_SOCKET));
    if (this.stopped) return;
    const unavailable = outcomes.length === 0 && !this.pinger.unavailable ? 'nothing to probe: no health.wanTargets and no dns.upstreams' : this.pinger.unavailable;
    if (unavailable && unavailable !== this.saidUnavailable) this.deps.log.warn({ wanTargets: health.wanTargets }, unavailable);
    this.saidUnavailable = unavailable;
    const before = this.tracker.current;
    const changed = this.tracker.round(outcomes, this.deps.now(), unavailable);
    const after = this.tracker.current;
    const failed = outcomes.filter((o) => !o.ok).map((o) => ({ kind: o.kind, target: o.target, error: o.error }));
    if (changed) {
      const line = { wan: after.level, from: before.level, failed, answered: outcomes.filter((o) => o.ok).map((o) => `${o.kind} ${o.target}`) };
      if (after.level === 'up') this.deps.log.info(line, 'WAN up');
      else this.deps.log.warn(line, after.level === 'down' ? 'WAN down' : after.level === 'no-dns' ? 'WAN up, but no upstream resolver answers' : 'WAN state unknown');
      this.deps.onChange(after);
    } else if (after.streak > 0) {
      // A round that disagrees but is not yet enough to change the state: the hysteresis at work.
      this.deps.log.info({ wan: after.level, streak: after.streak, downAfter: health.downAfter, upAfter: health.upAfter, failed }, 'WAN probe round disagrees; holding the current state');
    }
  }
}
