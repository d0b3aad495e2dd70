// Devices over their daily quota: each gets its own HTB class at the group's over-quota rate and
// an element in the overquota map that points its packets there. Slots are per group.
import type { Logger } from '../log.js';
import type { FirewallKernel } from './kernel.js';
import { renderOverQuotaAdd, renderOverQuotaDelete } from './nft-elements.js';
import { OVER_QUOTA_OFFSET, OVER_QUOTA_SLOTS } from './plan.js';
import type { FirewallPlan } from './plan.js';
import type { OverQuotaClass } from './tc-render.js';

export class OverQuotaDevices {
  /** device address → class minor */
  private readonly minors = new Map<string, number>();

  constructor(
    private readonly kernel: FirewallKernel,
    private readonly log: Logger,
  ) {}

  has(device: string): boolean {
    return this.minors.has(device);
  }

  /** What a full re-render must carry: the map elements and their classes. */
  elements(): { address: string; minor: number }[] {
    return [...this.minors].map(([address, minor]) => ({ address, minor }));
  }

  classes(plan: FirewallPlan): OverQuotaClass[] {
    return this.elements().map((e) => ({ minor: e.minor, rate: rateOf(plan, e.minor) })).filter((c) => c.rate > 0);
  }

  /** Re-allocates every device for a new plan (the group class numbering may have changed). */
  reassign(plan: FirewallPlan, devices: readonly { device: string; group: string }[]): void {
    this.minors.clear();
    for (const d of devices) this.allocate(plan, d.device, d.group);
  }

  /** Moves a device to its over-quota class (tc first, then the map, so the class exists). */
  async add(plan: FirewallPlan, device: string, group: string): Promise<boolean> {
    if (this.minors.has(device)) return true;
    const minor = this.allocate(plan, device, group);
    if (minor === undefined) return false;
    const cls = await this.kernel.addClass(plan, { minor, rate: rateOf(plan, minor) });
    const map = cls.ok ? await this.kernel.run(renderOverQuotaAdd([{ address: device, minor }])) : cls;
    if (!map.ok) {
      this.minors.delete(device);
      this.log.error({ client: device, group, err: map.error }, 'could not move the device to its over-quota rate');
      return false;
    }
    this.log.info({ client: device, group, classid: minor.toString(16) }, 'device over its daily quota: over-quota rate applies');
    return true;
  }

  /** Back to the group's cap (map first, then the class, so no packet points at a missing class). */
  async remove(plan: FirewallPlan, device: string): Promise<void> {
    const minor = this.minors.get(device);
    if (minor === undefined) return;
    this.minors.delete(device);
    const r = await this.kernel.run(renderOverQuotaDelete([device]));
    if (!r.ok) this.log.warn({ client: device, err: r.error }, 'over-quota map element already gone');
    await this.kernel.deleteClass(plan, minor);
  }

  private allocate(plan: FirewallPlan, device: string, group: string): number | undefined {
    const bw = plan.groups.find((g) => g.name === group)?.bandwidth;
    if (!bw?.overQuota) return undefined;
    const used = new Set(this.minors.values());
    for (let slot = 0; slot < OVER_QUOTA_SLOTS; slot++) {
      const minor = bw.classBase + OVER_QUOTA_OFFSET + slot;
      if (!used.has(minor)) {
        this.minors.set(device, minor);
        return minor;
      }
    }
    this.log.warn({ client: device, group }, 'no over-quota class left in this group: the device keeps the group rate');
    return undefined;
  }
}

function rateOf(plan: FirewallPlan, minor: number): number {
  const base = minor - (minor % 0x400);
  return plan.groups.find((g) => g.bandwidth?.classBase === base)?.bandwidth?.overQuota ?? 0;
}
