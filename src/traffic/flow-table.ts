// What the traffic view shows: the last flows (a bounded ring) and flows per device (bounded),
// and the one place that says whether a sighting is new or a repeat of one just seen.
import type { FlowRecord, TrafficService } from '../daemon/index.js';

export interface FlowTableLimits {
  /** flows kept for the UI */
  recent: number;
  /** devices counted for top talkers (the most recent ones, at least half of this) */
  devices: number;
  /** the same device, server and port within this many ms is one flow */
  repeatMs: number;
}

export const DEFAULT_LIMITS: FlowTableLimits = { recent: 2000, devices: 4096, repeatMs: 2000 };

/**
 * Bounded maps as two generations: writes go to `current`; when it is full, it becomes
 * `previous` and the old previous is dropped. O(1) per operation (evicting a Map's oldest key
 * one at a time is not: V8 skips over the deleted slots from the front on every call).
 */
class Generations<V> {
  current = new Map<string, V>();
  previous = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    return this.current.get(key) ?? this.previous.get(key);
  }

  set(key: string, value: V): void {
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}

export class FlowTable implements Pick<TrafficService, 'recentFlows' | 'topTalkers'> {
  private readonly ring: (FlowRecord | undefined)[];
  private next = 0;
  private readonly talkers: Generations<{ flows: number; bytes: number }>;
  private readonly lastSeen: Generations<number>;
  repeats = 0;

  constructor(private readonly limits: FlowTableLimits = DEFAULT_LIMITS) {
    this.ring = new Array<FlowRecord | undefined>(limits.recent);
    this.talkers = new Generations(Math.ceil(limits.devices / 2));
    this.lastSeen = new Generations(limits.devices * 2);
  }

  /** false when the same flow was seen within repeatMs (a retransmitted hello, DNS retries) */
  isNew(key: string, now: number): boolean {
    const last = this.lastSeen.get(key);
    if (last !== undefined && now - last < this.limits.repeatMs) {
      this.repeats++;
      return false;
    }
    this.lastSeen.set(key, now);
    return true;
  }

  add(flow: FlowRecord): void {
    this.ring[this.next] = flow;
    this.next = (this.next + 1) % this.ring.length;
    const bytes = flow.bytes ?? 0;
    const t = this.talkers.current.get(flow.client);
    if (t) {
      t.flows++;
      t.bytes += bytes;
      return;
    }
    // a device of the previous generation moves to the current one with its counts
    const old = this.talkers.previous.get(flow.client);
    if (old) this.talkers.previous.delete(flow.client);
    this.talkers.set(flow.client, { flows: (old?.flows ?? 0) + 1, bytes: (old?.bytes ?? 0) + bytes });
  }

  /** A flow's byte count from the kernel (it only grows): the device's total follows. */
  setBytes(flow: FlowRecord, bytes: number): void {
    const delta = bytes - (flow.bytes ?? 0);
    if (delta <= 0) return;
    flow.bytes = bytes;
    const t = this.talkers.get(flow.client);
    if (t) t.bytes += delta;
  }

  recentFlows(filter: { client?: string; limit?: number } = {}): FlowRecord[] {
    const limit = Math.max(0, Math.min(filter.limit ?? 100, this.ring.length));
    const out: FlowRecord[] = [];
    for (let i = 1; i <= this.ring.length && out.length < limit; i++) {
      const f = this.ring[(this.next - i + this.ring.length) % this.ring.length];
      if (!f) break;
      if (filter.client === undefined || f.client === filter.client) out.push(f);
    }
    return out; // newest first
  }

  topTalkers(limit = 10): { client: string; flows: number; bytes: number }[] {
    return [...this.talkers.previous, ...this.talkers.current].map(([client, t]) => ({ client, ...t }))
      .sort((a, b) => b.flows - a.flows || b.bytes - a.bytes || a.client.localeCompare(b.client))
      .slice(0, limit);
  }
}
