// Bytes per device per day, from the kernel's counters. The kernel counts (usage4/usage6: group .
// direction . address); the ledger turns counter readings into daily totals and says who went
// over quota. Pure: the day and the time are passed in. A counter that went down was reset (the
// table was rebuilt), so all of it is new.

export interface DeviceDay {
  day: string;
  device: string;
  group: string;
  up: number;
  down: number;
  /** total at the last reset: the quota counts from here */
  quotaBase: number;
  /** epoch ms when the device went over quota today */
  overQuotaSince?: number;
  resets: number;
  /** kernel counter values already counted, per "groupId|up|down" element */
  seen: Record<string, number>;
}

export interface Reading {
  groupId: number;
  direction: 'up' | 'down';
  address: string;
  bytes: number;
}

export interface QuotaRule {
  name: string;
  dailyQuota?: number;
}

export interface Observation {
  changed: DeviceDay[];
  newlyOver: DeviceDay[];
}

export class UsageLedger {
  private readonly days = new Map<string, DeviceDay>();

  constructor(public day: string, records: readonly DeviceDay[] = []) {
    // Today's records, plus the kernel counter positions of earlier days' (so a restart counts
    // only what the kernel counted since the last save).
    for (const r of [...records].sort((a, b) => a.day.localeCompare(b.day))) {
      if (r.day === day) this.days.set(r.device, { ...r, seen: { ...r.seen } });
      else if (r.day < day) {
        const today = this.days.get(r.device);
        if (today) today.seen = { ...r.seen, ...today.seen };
        else this.days.set(r.device, fresh(day, r.device, r.group, r.seen));
      }
    }
  }

  get(device: string): DeviceDay | undefined {
    return this.days.get(device);
  }

  all(): DeviceDay[] {
    return [...this.days.values()];
  }

  /** Counts new bytes; `rules` gives each group id its name and quota. */
  observe(readings: readonly Reading[], rules: ReadonlyMap<number, QuotaRule>, now: number): Observation {
    const changed = new Set<DeviceDay>();
    const newlyOver: DeviceDay[] = [];
    for (const r of readings) {
      const rule = rules.get(r.groupId);
      if (!rule) continue;
      let d = this.days.get(r.address);
      if (!d) this.days.set(r.address, (d = fresh(this.day, r.address, rule.name, {})));
      const key = `${r.groupId}|${r.direction}`;
      const before = d.seen[key] ?? 0;
      const delta = r.bytes >= before ? r.bytes - before : r.bytes;
      d.seen[key] = r.bytes;
      if (delta === 0) continue;
      d[r.direction] += delta;
      d.group = rule.name;
      changed.add(d);
    }
    for (const d of changed) {
      const quota = [...rules.values()].find((r) => r.name === d.group)?.dailyQuota;
      if (quota !== undefined && d.overQuotaSince === undefined && d.up + d.down - d.quotaBase >= quota) {
        d.overQuotaSince = now;
        newlyOver.push(d);
      }
    }
    return { changed: [...changed], newlyOver };
  }

  /** The kernel's counters restarted from zero (our table was rebuilt). */
  countersReset(): void {
    for (const d of this.days.values()) d.seen = {};
  }

  /** A new day: totals start again; returns the devices that were over quota. */
  rollover(day: string): DeviceDay[] {
    const wasOver = this.all().filter((d) => d.overQuotaSince !== undefined);
    for (const [device, d] of this.days) this.days.set(device, fresh(day, device, d.group, d.seen));
    this.day = day;
    return wasOver;
  }

  /** A technician's reset: the quota counts again from now. */
  reset(device: string): DeviceDay | undefined {
    const d = this.days.get(device);
    if (!d) return undefined;
    d.quotaBase = d.up + d.down;
    d.overQuotaSince = undefined;
    d.resets += 1;
    return d;
  }
}

function fresh(day: string, device: string, group: string, seen: Record<string, number>): DeviceDay {
  return { day, device, group, up: 0, down: 0, quotaBase: 0, resets: 0, seen: { ...seen } };
}
