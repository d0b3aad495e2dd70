// The firewall stage: in gateway mode it renders the config into the kernel at start (and again
// on a config change), then keeps the dynamic parts current with set element updates: learned
// bypass endpoints, listed addresses after a list update, groups blocking a category as
// schedules and overrides change, devices over quota. It reads the kernel's counters every
// network.usageInterval. No user packet ever passes through here. In dns-only mode it does
// nothing at all. Stopping removes our table and qdiscs; a crash (kill -9) leaves them in force.
import { readFileSync } from 'node:fs';
import type { DaemonContext, EventMap, ResolvedEvent, Stage } from '../daemon/index.js';
import type { Logger } from '../log.js';
import { localTime } from '../policy/index.js';
import { createNftCli, createTcCli } from './appliers.js';
import type { NftApplier, TcApplier } from './appliers.js';
import { AttemptTracker, attemptKind, toEvent } from './bypass-attempts.js';
import { bypassState, sameCategoryState } from './bypass-state.js';
import type { CategoryState } from './bypass-state.js';
import { FirewallKernel } from './kernel.js';
import type { ApplyResult } from './kernel.js';
import type { FlowBlock } from './nft-read.js';
import { LearnedAddresses } from './learned-addresses.js';
import { renderBlocking, renderFlowBlock, renderLearn, renderListedDiff } from './nft-elements.js';
import { planGeneration, setNames } from './nft-render.js';
import type { DynamicElements } from './nft-render.js';
import { OverQuotaDevices } from './over-quota.js';
import { buildPlan } from './plan.js';
import type { FirewallPlan } from './plan.js';
import { UsageLedger } from './usage-ledger.js';
import type { DeviceDay, QuotaRule } from './usage-ledger.js';
import { createUsageService, disabledUsageService } from './usage-service.js';
import type { UsageRuntime, UsageService } from './usage-service.js';
import { dayBefore, loadUsage, saveUsage } from './usage-store.js';

export interface FirewallStageOptions {
  nft?: NftApplier;
  tc?: TcApplier;
  /** apply inside this network namespace (tests); the daemon itself runs in the appliance's */
  netns?: string;
}

export interface FirewallStage extends Stage {
  /** per-device usage and quota resets, for the API */
  readonly usage: UsageService;
  /** a device → server block with a timeout (traffic stage: a blocked SNI/Host) */
  blockFlow(client: string, server: string, seconds: number): Promise<boolean>;
}

const POLICY_TICK_MS = 60_000;
const SAVE_EVERY_MS = 60_000;

export function createFirewallStage(ctx: DaemonContext, opts: FirewallStageOptions = {}): FirewallStage {
  if (ctx.state.current.config.mode !== 'gateway') {
    const log = ctx.log.child({ stage: 'firewall' });
    return {
      name: 'firewall',
      usage: disabledUsageService,
      blockFlow: async () => false,
      start: async () => void log.info('dns-only mode: the kernel is left alone (the school firewall must stop DNS, DoT and DoH going around schoolgate)'),
      stop: async () => undefined,
    };
  }
  return new GatewayFirewall(ctx, opts);
}

class GatewayFirewall implements FirewallStage, UsageRuntime {
  readonly name = 'firewall';
  readonly usage: UsageService;
  private readonly log: Logger;
  private readonly kernel: FirewallKernel;
  private readonly learned = new LearnedAddresses();
  private readonly attempts = new AttemptTracker();
  private readonly overQuota: OverQuotaDevices;
  plan!: FirewallPlan;
  ledger!: UsageLedger;
  private epoch = 1;
  private categories = new Map<string, CategoryState>();
  private readonly dirty = new Set<string>();
  private pendingLearn: string[] = [];
  private learnScheduled = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private polling: Promise<void> | undefined;
  /** flow blocks added while a full apply runs: they may have gone into the table it replaces */
  private blockedDuringApply: (FlowBlock & { at: number })[] | undefined;

  constructor(private readonly ctx: DaemonContext, opts: FirewallStageOptions) {
    this.log = ctx.log.child({ stage: 'firewall' });
    this.kernel = new FirewallKernel(opts.nft ?? createNftCli({ netns: opts.netns }), opts.tc ?? createTcCli({ netns: opts.netns }), this.log);
    this.overQuota = new OverQuotaDevices(this.kernel, this.log);
    this.usage = createUsageService(this, ctx.store.usage);
    if (!opts.netns && !opts.nft) warnIfNotForwarding(this.log);
  }

  async start(): Promise<void> {
    const state = this.ctx.state.current;
    const built = buildPlan(state.config);
    if (!built.ok) throw new Error(built.error);
    this.plan = built.plan;
    const now = this.ctx.clock.now();
    const today = localTime(this.ctx.state.current.policy.timezone, now).date;
    this.ledger = new UsageLedger(today, await loadUsage(this.ctx.store.usage, dayBefore(today), today));
    const existing = await this.kernel.identity();
    if (existing) await this.adoptLeftovers(now);
    this.epoch = existing ? (existing.gen === planGeneration(this.plan) ? existing.epoch : nextEpoch(existing.epoch)) : 1;
    this.learned.setListed(listedAddresses(this.plan, state.index.meta.ips));
    this.categories = bypassState(this.plan, state, now);
    this.overQuota.reassign(this.plan, this.ledger.all().filter((d) => d.overQuotaSince !== undefined));
    const t0 = performance.now();
    const applied = await this.applyFull(this.plan, this.epoch, now);
    if (!applied.ok) throw new Error(`firewall: ${applied.error}`);
    this.ledger.countersReset();
    await this.save(true);
    this.log.info({ epoch: this.epoch, groups: this.plan.groups.length, applyMs: Math.round(performance.now() - t0), adopted: Boolean(existing) }, 'gateway rules in force');

    this.listen('resolved', (ev) => this.onResolved(ev));
    this.listen('index:swapped', () => void this.onListsChanged());
    this.listen('overrides:changed', () => void this.syncPolicy());
    this.listen('config:reloaded', () => void this.onConfigReloaded());
    this.every(this.plan.usageIntervalMs, () => void this.poll());
    this.every(POLICY_TICK_MS, () => void this.syncPolicy());
    this.every(SAVE_EVERY_MS, () => void this.save(false));
    this.registerMetrics();
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    for (const u of this.unsubscribe.splice(0)) u();
    await this.poll();
    await this.save(true);
    await this.kernel.serial(() => this.kernel.remove(this.plan));
    this.log.info('gateway rules removed');
  }

  // ---- dynamic updates -------------------------------------------------------------------------

  private onResolved(ev: ResolvedEvent): void {
    const now = this.ctx.clock.now();
    for (const b of this.plan.bypass) {
      if (!ev.categories.includes(b.category)) continue;
      const learn = this.learned.learn(b.category, ev.addresses, Math.max(ev.ttl, this.plan.learnForSeconds), now);
      this.pendingLearn.push(...renderLearn(b, learn.fresh, learn.refresh));
    }
    if (this.pendingLearn.length === 0 || this.learnScheduled) return;
    // Answers come in bursts: everything learned in this turn of the event loop is one transaction.
    this.learnScheduled = true;
    setImmediate(() => void this.flushLearned());
  }

  private flushLearned(): Promise<void> {
    this.learnScheduled = false;
    const lines = this.pendingLearn.splice(0);
    if (lines.length === 0) return Promise.resolve();
    return this.kernel.serial(async () => {
      const r = await this.kernel.run(lines);
      if (!r.ok) this.log.error({ err: r.error }, 'could not add learned bypass addresses');
    });
  }

  private async onListsChanged(): Promise<void> {
    const changes = this.learned.setListed(listedAddresses(this.plan, this.ctx.state.current.index.meta.ips));
    const lines = this.plan.bypass.flatMap((b) => {
      const c = changes.get(b.category);
      return c ? renderListedDiff(b, c.added, c.removed) : [];
    });
    if (lines.length > 0) await this.kernel.serial(() => this.kernel.run(lines));
    await this.syncPolicy();
  }

  /** Schedules and overrides change which groups block a category: set updates, no reload. */
  private async syncPolicy(): Promise<void> {
    const next = bypassState(this.plan, this.ctx.state.current, this.ctx.clock.now());
    const lines = this.plan.bypass.flatMap((b) => {
      const s = next.get(b.category);
      if (!s || sameCategoryState(s, this.categories.get(b.category))) return [];
      return renderBlocking(this.plan, this.epoch, b, s.groupIds, s.exempt);
    });
    this.categories = next;
    if (lines.length === 0) return;
    const r = await this.kernel.serial(() => this.kernel.run(lines));
    if (!r.ok) this.log.error({ err: r.error }, 'could not update the bypass blocking sets');
  }

  private async onConfigReloaded(): Promise<void> {
    const built = buildPlan(this.ctx.state.current.config);
    if (!built.ok) return void this.log.error({ err: built.error }, 'new config not applied to the kernel');
    if (planGeneration(built.plan) === planGeneration(this.plan)) return this.syncPolicy();
    await this.reapply(built.plan);
  }

  /** A full re-render (config change): counters are read first, the new epoch reclassifies flows. */
  async reapply(plan: FirewallPlan): Promise<boolean> {
    await this.poll();
    const now = this.ctx.clock.now();
    const epoch = nextEpoch(this.epoch);
    const previous = { plan: this.plan, epoch: this.epoch, categories: this.categories };
    this.plan = plan;
    this.epoch = epoch;
    this.categories = bypassState(plan, this.ctx.state.current, now);
    this.overQuota.reassign(plan, this.ledger.all().filter((d) => d.overQuotaSince !== undefined));
    const r = await this.applyFull(plan, epoch, now);
    if (r.ok) {
      this.ledger.countersReset();
      this.log.info({ epoch }, 'new config in force');
      return true;
    }
    Object.assign(this, previous);
    this.overQuota.reassign(previous.plan, this.ledger.all().filter((d) => d.overQuotaSince !== undefined));
    if (r.rolledBack) this.ledger.countersReset();
    this.log.error({ err: r.error, rolledBack: r.rolledBack }, 'new config not applied to the kernel');
    return false;
  }

  async blockFlow(client: string, server: string, seconds: number): Promise<boolean> {
    const lines = renderFlowBlock(client, server, seconds);
    if (lines.length === 0) return false;
    this.blockedDuringApply?.push({ client, server, seconds, at: performance.now() });
    // Not queued behind a poll: the connection must die while it is still in its handshake.
    const r = await this.kernel.run(lines);
    if (!r.ok) this.log.error({ err: r.error, client, server }, 'could not add the flow block');
    return r.ok;
  }

  /**
   * Replaces the table (start, config change). The traffic stage's flow blocks are read back
   * first and go into the new table with the time they have left, so a reload lets no blocked
   * device through; blocks that arrive meanwhile are added again once the new table is in.
   */
  private applyFull(plan: FirewallPlan, epoch: number, now: number): Promise<ApplyResult> {
    return this.kernel.serial(async () => {
      const late: (FlowBlock & { at: number })[] = [];
      this.blockedDuringApply = late;
      let flowBlocks: FlowBlock[] = [];
      let r: ApplyResult;
      try {
        flowBlocks = await this.kernel.readFlowBlocks();
        r = await this.kernel.applyFull(plan, epoch, { ...this.elements(now), flowBlocks }, this.overQuota.classes(plan));
      } finally {
        this.blockedDuringApply = undefined;
      }
      const lines = late.flatMap((b) => {
        const left = b.seconds - (performance.now() - b.at) / 1000;
        return left > 0 ? renderFlowBlock(b.client, b.server, left) : [];
      });
      const again = await this.kernel.run(lines);
      if (!again.ok) this.log.error({ err: again.error }, 'could not add flow blocks again after the reload');
      if (flowBlocks.length > 0 || late.length > 0) this.log.info({ kept: flowBlocks.length, late: late.length }, 'flow blocks carried into the new rules');
      return r;
    });
  }

  // ---- counters --------------------------------------------------------------------------------

  /** Reads usage and bypass records from the kernel (one poll at a time). */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const now = this.ctx.clock.now();
    const day = localTime(this.ctx.state.current.policy.timezone, now).date;
    if (day !== this.ledger.day) await this.rollover(day);
    const readings = await this.kernel.serial(() => this.kernel.readUsage());
    const seen = await this.kernel.serial(() => this.kernel.readSeen());
    const { changed, newlyOver } = this.ledger.observe(readings, this.quotaRules(), now);
    for (const d of changed) this.dirty.add(d.device);
    for (const d of newlyOver) await this.kernel.serial(() => this.overQuota.add(this.plan, d.device, d.group));
    for (const a of this.attempts.fresh(seen)) {
      const kind = attemptKind(a, this.learned.categoriesOf(a.target, now));
      const ev = toEvent(a, kind, now, this.ctx.identity.identify(a.client).mac);
      this.log.info({ client: ev.client, kind: ev.kind, detail: ev.detail, category: ev.category }, 'bypass attempt');
      this.ctx.events.emit('bypass-attempt', ev);
    }
  }

  async resetDevice(device: string, by: { by: string; reason?: string }): Promise<DeviceDay | undefined> {
    const d = this.ledger.reset(device);
    if (!d) return undefined;
    await this.kernel.serial(() => this.overQuota.remove(this.plan, device));
    this.dirty.add(device);
    await this.save(false);
    this.log.info({ client: device, group: d.group, by: by.by, reason: by.reason }, 'quota reset: the group cap applies again');
    return d;
  }

  private async rollover(day: string): Promise<void> {
    await this.save(true);
    const wasOver = this.ledger.rollover(day);
    for (const d of wasOver) await this.kernel.serial(() => this.overQuota.remove(this.plan, d.device));
    if (wasOver.length > 0) this.log.info({ devices: wasOver.length, day }, 'new day: quotas start again');
  }

  quotaRules(): Map<number, QuotaRule> {
    return new Map(this.plan.groups.map((g) => [g.id, { name: g.name, dailyQuota: g.bandwidth?.overQuota ? g.bandwidth.dailyQuota : undefined }]));
  }

  async save(all: boolean): Promise<void> {
    const records = all ? this.ledger.all() : [...this.dirty].map((d) => this.ledger.get(d)).filter((d) => d !== undefined);
    this.dirty.clear();
    try {
      await saveUsage(this.ctx.store.usage, records);
    } catch (err) {
      this.log.error({ err }, 'could not save usage');
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private elements(now: number): DynamicElements {
    const listed = new Map(this.plan.bypass.map((b) => [b.category, this.learned.listedOf(b.category)]));
    return {
      listed,
      learned: this.learned.snapshot(now),
      blocking: new Map([...this.categories].map(([c, s]) => [c, s.groupIds])),
      exempt: new Map([...this.categories].map(([c, s]) => [c, s.exempt])),
      overQuota: this.overQuota.elements(),
    };
  }

  /** Whatever the previous run left in the kernel: learned endpoints and uncounted bytes. */
  private async adoptLeftovers(now: number): Promise<void> {
    for (const b of this.plan.bypass) {
      this.learned.seed(b.category, await this.kernel.readLearned(setNames.bypass4(b), setNames.bypass6(b)), now);
    }
    const { changed } = this.ledger.observe(await this.kernel.readUsage(), this.quotaRules(), now);
    for (const d of changed) this.dirty.add(d.device);
  }

  private listen<K extends keyof EventMap>(event: K, fn: (...args: EventMap[K]) => void): void {
    const events = this.ctx.events as unknown as { on(e: K, f: typeof fn): void; off(e: K, f: typeof fn): void };
    events.on(event, fn);
    this.unsubscribe.push(() => events.off(event, fn));
  }

  private every(ms: number, fn: () => void): void {
    // Not unref'd: in gateway mode these timers are part of what the daemon is for.
    this.timers.push(setInterval(fn, ms));
  }

  private registerMetrics(): void {
    const m = this.ctx.metrics;
    this.unsubscribe.push(
      m.register('schoolgate_firewall_learned_addresses', 'Bypass endpoints learned from DNS answers, in force', 'gauge', () =>
        [...this.learned.snapshot(this.ctx.clock.now())].map(([category, list]) => ({ labels: { category }, value: list.length }))),
      m.register('schoolgate_firewall_over_quota_devices', 'Devices at their over-quota rate', 'gauge', () => this.overQuota.elements().length),
    );
  }
}

function nextEpoch(epoch: number): number {
  return (epoch % 255) + 1;
}

function listedAddresses(plan: FirewallPlan, ips: Readonly<Record<string, string[]>>): Map<string, string[]> {
  return new Map(plan.bypass.map((b) => [b.category, ips[b.category] ?? []]));
}

function warnIfNotForwarding(log: Logger): void {
  try {
    if (readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() !== '1') {
      log.warn('net.ipv4.ip_forward is 0: the LAN cannot reach the internet through this gateway (firmware/ sets it)');
    }
  } catch {
    // not Linux, or no procfs: nothing to say
  }
}
