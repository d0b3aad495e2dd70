// The usage service the API uses: per-device bytes per day and quota resets.
//   list({ day?, group?, device? }) → DeviceUsage[]   (today: live, from the kernel's last reading)
//   reset(device, { by, reason? })  → the device's quota counts again from now; its cap returns
import type { Sublevel } from '../store/index.js';
import type { FirewallPlan } from './plan.js';
import type { DeviceDay, UsageLedger } from './usage-ledger.js';
import { loadUsage } from './usage-store.js';

export interface DeviceUsage {
  day: string;
  /** the device's address */
  device: string;
  group: string;
  /** bytes from the device to the internet, and back */
  up: number;
  down: number;
  bytes: number;
  /** the group's daily quota (bytes), if it has one */
  quota?: number;
  /** bytes left before the over-quota rate (0 when over) */
  remaining?: number;
  overQuota: boolean;
  /** ISO time it went over quota today */
  overQuotaSince?: string;
  /** technician resets today */
  resets: number;
}

export type ResetResult =
  | { ok: true; usage: DeviceUsage }
  | { ok: false; code: 'SG_NOT_GATEWAY' | 'SG_UNKNOWN_DEVICE'; message: string };

export interface UsageService {
  list(filter?: { day?: string; group?: string; device?: string }): Promise<DeviceUsage[]>;
  reset(device: string, by: { by: string; reason?: string }): Promise<ResetResult>;
}

/** What the service needs from the running firewall. */
export interface UsageRuntime {
  readonly plan: FirewallPlan;
  readonly ledger: UsageLedger;
  /** reads the kernel's counters now */
  poll(): Promise<void>;
  /** resets the device's quota, gives it its group's cap back, saves; undefined: unknown device */
  resetDevice(device: string, by: { by: string; reason?: string }): Promise<DeviceDay | undefined>;
}

export const disabledUsageService: UsageService = {
  list: async () => [],
  reset: async () => ({ ok: false, code: 'SG_NOT_GATEWAY', message: 'usage and quotas exist in gateway mode only' }),
};

export function createUsageService(rt: UsageRuntime, store: Sublevel): UsageService {
  const quotaOf = (group: string) => {
    const bw = rt.plan.groups.find((g) => g.name === group)?.bandwidth;
    return bw?.overQuota ? bw.dailyQuota : undefined;
  };
  const view = (d: DeviceDay): DeviceUsage => {
    const quota = quotaOf(d.group);
    const bytes = d.up + d.down;
    return {
      day: d.day, device: d.device, group: d.group, up: d.up, down: d.down, bytes, quota,
      remaining: quota === undefined ? undefined : Math.max(0, quota - (bytes - d.quotaBase)),
      overQuota: d.overQuotaSince !== undefined,
      overQuotaSince: d.overQuotaSince === undefined ? undefined : new Date(d.overQuotaSince).toISOString(),
      resets: d.resets,
    };
  };
  return {
    async list(filter = {}) {
      const day = filter.day ?? rt.ledger.day;
      const records = day === rt.ledger.day ? rt.ledger.all() : await loadUsage(store, day, day);
      return records
        .filter((d) => (filter.group === undefined || d.group === filter.group) && (filter.device === undefined || d.device === filter.device))
        .filter((d) => d.up + d.down > 0 || d.resets > 0)
        .map(view)
        .sort((a, b) => b.bytes - a.bytes);
    },
    async reset(device, by) {
      await rt.poll();
      const d = await rt.resetDevice(device, by);
      if (!d) return { ok: false, code: 'SG_UNKNOWN_DEVICE', message: `no usage recorded today for ${device}` };
      return { ok: true, usage: view(d) };
    },
  };
}
