// Live figures for the dashboard, kept in memory from query events: queries and blocks per
// minute for the last hour, and the top blocked categories and devices of the last 24 hours.
// Bounded: 60 minute slots, 24 hour slots, at most MAX_KEYS keys per hour slot.
import type { QueryEvent } from '../daemon/index.js';

const MAX_KEYS = 2000;

interface HourSlot {
  hour: number;
  categories: Map<string, number>;
  clients: Map<string, number>;
}

export interface StatsSnapshot {
  /** oldest first: [minute start (epoch ms), queries, blocked] */
  perMinute: [number, number, number][];
  topCategories: { name: string; count: number }[];
  topClients: { name: string; count: number }[];
  total24h: number;
  blocked24h: number;
}

export class QueryStats {
  private readonly minutes = new Map<number, [number, number]>();
  private readonly hours: HourSlot[] = [];
  private totals = new Map<number, [number, number]>();

  add(e: QueryEvent): void {
    const minute = Math.floor(e.time / 60_000) * 60_000;
    const blocked = e.action === 'block' ? 1 : 0;
    const m = this.minutes.get(minute);
    if (m) {
      m[0]++;
      m[1] += blocked;
    } else {
      this.minutes.set(minute, [1, blocked]);
      for (const k of this.minutes.keys()) if (k < minute - 60 * 60_000) this.minutes.delete(k);
    }
    const hour = Math.floor(e.time / 3_600_000);
    const t = this.totals.get(hour);
    if (t) {
      t[0]++;
      t[1] += blocked;
    } else this.totals.set(hour, [1, blocked]);
    if (!blocked) return;
    let slot = this.hours[this.hours.length - 1];
    if (!slot || slot.hour !== hour) {
      slot = { hour, categories: new Map(), clients: new Map() };
      this.hours.push(slot);
      while (this.hours.length > 24) this.hours.shift();
      for (const k of this.totals.keys()) if (k <= hour - 24) this.totals.delete(k);
    }
    bump(slot.categories, e.category ?? e.reason);
    bump(slot.clients, e.client);
  }

  snapshot(now: number, top = 10): StatsSnapshot {
    const since = now - 60 * 60_000;
    const perMinute = [...this.minutes.entries()].filter(([k]) => k >= since).sort((a, b) => a[0] - b[0]).map(([k, [q, b]]): [number, number, number] => [k, q, b]);
    const hourNow = Math.floor(now / 3_600_000);
    const recent = this.hours.filter((h) => h.hour > hourNow - 24);
    const merge = (pick: (h: HourSlot) => Map<string, number>) => {
      const all = new Map<string, number>();
      for (const h of recent) for (const [k, v] of pick(h)) all.set(k, (all.get(k) ?? 0) + v);
      return [...all.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, count]) => ({ name, count }));
    };
    let total24h = 0;
    let blocked24h = 0;
    for (const [h, [q, b]] of this.totals) if (h > hourNow - 24) [total24h, blocked24h] = [total24h + q, blocked24h + b];
    return { perMinute, topCategories: merge((h) => h.categories), topClients: merge((h) => h.clients), total24h, blocked24h };
  }
}

function bump(map: Map<string, number>, key: string): void {
  const v = map.get(key);
  if (v !== undefined) map.set(key, v + 1);
  else if (map.size < MAX_KEYS) map.set(key, 1);
}
