// The thin shell between the renderers and the kernel: applies a complete ruleset and the HTB
// trees, verifies them, rolls back to the last good state on failure, and reads counters back.
// Every kernel operation goes through one queue, so a set update never interleaves with a reload.
import type { Logger } from '../log.js';
import type { KernelResult, NftApplier, TcApplier } from './appliers.js';
import { TABLE_REF, renderRuleset, planGeneration, setNames } from './nft-render.js';
import type { DynamicElements } from './nft-render.js';
import { parseAddresses, parseFlowBlocks, parseSeen, parseTableIdentity, parseUsage } from './nft-read.js';
import type { FlowBlock, SeenAttempt, TableIdentity, UsageCounter } from './nft-read.js';
import { parseTcClasses, parseTcRootIsOurs } from './tc-read.js';
import type { FirewallPlan } from './plan.js';
import { renderClass, renderTcBatch, renderTcPrune, renderTcRemoval, shapedDevices, tcClasses } from './tc-render.js';
import type { LeafQdisc, OverQuotaClass, TcClass } from './tc-render.js';

export type ApplyResult = { ok: true } | { ok: false; error: string; rolledBack: boolean };

export class FirewallKernel {
  private queue: Promise<unknown> = Promise.resolve();
  private leaf: LeafQdisc = 'fq_codel';
  private lastGood: { plan: FirewallPlan; epoch: number } | undefined;

  constructor(
    private readonly nft: NftApplier,
    private readonly tc: TcApplier,
    private readonly log: Logger,
  ) {}

  /** Runs `fn` after every earlier kernel operation has finished. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Our table's identity, or undefined when it is absent (or not ours). */
  async identity(): Promise<TableIdentity | undefined> {
    const r = await this.nft.listTerse(['table', ...TABLE_REF.split(' ')]);
    return r.ok ? parseTableIdentity(r.stdout) : undefined;
  }

  /** nft element updates: one transaction. */
  run(lines: readonly string[]): Promise<KernelResult> {
    if (lines.length === 0) return Promise.resolve({ ok: true, stdout: '' });
    return this.nft.run(`${lines.join('\n')}\n`);
  }

  /** Replaces the whole table and the HTB trees; on failure restores the last good state. */
  async applyFull(plan: FirewallPlan, epoch: number, dyn: DynamicElements, overQuota: readonly OverQuotaClass[]): Promise<ApplyResult> {
    const applied = await this.applyOnce(plan, epoch, dyn, overQuota);
    if (applied.ok) {
      this.lastGood = { plan, epoch };
      return applied;
    }
    if (!this.lastGood) return { ok: false, error: applied.error, rolledBack: false };
    this.log.error({ err: applied.error }, 'firewall apply failed; restoring the previous rules');
    const back = await this.applyOnce(this.lastGood.plan, this.lastGood.epoch, dyn, overQuota);
    return { ok: false, error: applied.error, rolledBack: back.ok };
  }

  get epochInForce(): number | undefined {
    return this.lastGood?.epoch;
  }

  private async applyOnce(plan: FirewallPlan, epoch: number, dyn: DynamicElements, overQuota: readonly OverQuotaClass[]): Promise<{ ok: true } | { ok: false; error: string }> {
    const nft = await this.nft.run(renderRuleset(plan, epoch, dyn));
    if (!nft.ok) return { ok: false, error: `nft: ${nft.error}` };
    const id = await this.identity();
    if (id?.gen !== planGeneration(plan) || id.epoch !== epoch) return { ok: false, error: 'nft: the table in force is not the one just applied' };
    for (const { dev, direction } of shapedDevices(plan)) {
      const classes = tcClasses(plan, direction, overQuota);
      const r = await this.applyTc(dev, classes);
      if (!r.ok) return r;
    }
    return { ok: true };
  }

  private async applyTc(dev: string, classes: readonly TcClass[]): Promise<{ ok: true } | { ok: false; error: string }> {
    if (classes.length === 0) {
      await this.removeQdisc(dev);
      return { ok: true };
    }
    let r = await this.tc.batch(renderTcBatch(dev, classes, this.leaf, await this.rootIsOurs(dev)));
    if (!r.ok && this.leaf === 'fq_codel') {
      // Kernels without fq_codel say "unknown qdisc kind", or, when a leaf queue exists already,
      // "must match existing qdisc": either way, plain FIFOs (a real error fails again below).
      this.log.warn({ dev, err: r.error }, 'fq_codel refused: the device buckets get pfifo queues');
      this.leaf = 'pfifo';
      r = await this.tc.batch(renderTcBatch(dev, classes, this.leaf, await this.rootIsOurs(dev)));
    }
    if (!r.ok) return { ok: false, error: `tc ${dev}: ${r.error}` };
    const existing = await this.ourClasses(dev);
    const prune = await this.tc.batch(renderTcPrune(dev, existing, classes));
    if (!prune.ok) return { ok: false, error: `tc ${dev}: ${prune.error}` };
    const after = new Set(await this.ourClasses(dev));
    const missing = classes.filter((c) => !after.has(c.minor));
    if (missing.length > 0) return { ok: false, error: `tc ${dev}: ${missing.length} classes missing after apply` };
    return { ok: true };
  }

  /** Minor numbers of our classes on `dev`. */
  private async ourClasses(dev: string): Promise<number[]> {
    const r = await this.tc.show(['class', 'show', 'dev', dev]);
    return r.ok ? parseTcClasses(r.stdout) : [];
  }

  /** Adds one over-quota class on every shaped interface. */
  async addClass(plan: FirewallPlan, c: OverQuotaClass): Promise<KernelResult> {
    for (const { dev } of shapedDevices(plan)) {
      const r = await this.tc.batch(renderClass(dev, { minor: c.minor, parentMinor: 0, rate: c.rate, ceil: c.rate, quantum: 1514 }, this.leaf));
      if (!r.ok) return r;
    }
    return { ok: true, stdout: '' };
  }

  async deleteClass(plan: FirewallPlan, minor: number): Promise<void> {
    for (const { dev } of shapedDevices(plan)) {
      await this.tc.batch(renderTcPrune(dev, [minor], []));
    }
  }

  async readUsage(): Promise<UsageCounter[]> {
    const out: UsageCounter[] = [];
    for (const set of [setNames.usage4, setNames.usage6]) {
      const r = await this.nft.listJson(['set', ...TABLE_REF.split(' '), set]);
      if (r.ok) out.push(...parseUsage(r.stdout));
    }
    return out;
  }

  async readSeen(): Promise<SeenAttempt[]> {
    const out: SeenAttempt[] = [];
    for (const set of [setNames.seen4, setNames.seen6]) {
      const r = await this.nft.listJson(['set', ...TABLE_REF.split(' '), set]);
      if (r.ok) out.push(...parseSeen(r.stdout));
    }
    return out;
  }

  /** The traffic stage's device → server blocks still in force (none when there is no table). */
  async readFlowBlocks(): Promise<FlowBlock[]> {
    const out: FlowBlock[] = [];
    for (const set of [setNames.flowBlock4, setNames.flowBlock6]) {
      const r = await this.nft.listJson(['set', ...TABLE_REF.split(' '), set]);
      if (r.ok) out.push(...parseFlowBlocks(r.stdout));
    }
    return out;
  }

  /** Learned (timed) addresses of a bypass category still in the kernel. */
  async readLearned(setName4: string, setName6: string): Promise<{ address: string; expires?: number }[]> {
    const out: { address: string; expires?: number }[] = [];
    for (const set of [setName4, setName6]) {
      const r = await this.nft.listJson(['set', ...TABLE_REF.split(' '), set]);
      if (r.ok) out.push(...parseAddresses(r.stdout).filter((a) => a.expires !== undefined));
    }
    return out;
  }

  /** Clean stop: our table and our root qdiscs go; nothing else is touched. */
  async remove(plan: FirewallPlan | undefined): Promise<void> {
    if (await this.identity()) {
      const r = await this.nft.run(`delete table ${TABLE_REF}\n`);
      if (!r.ok) this.log.error({ err: r.error }, 'could not delete the firewall table');
    }
    if (plan) for (const { dev } of shapedDevices(plan)) await this.removeQdisc(dev);
  }

  private async rootIsOurs(dev: string): Promise<boolean> {
    const r = await this.tc.show(['qdisc', 'show', 'dev', dev, 'root']);
    return r.ok && parseTcRootIsOurs(r.stdout);
  }

  private async removeQdisc(dev: string): Promise<void> {
    if (await this.rootIsOurs(dev)) await this.tc.batch(renderTcRemoval(dev));
  }
}
