// What the traffic view shows: the last flows (a bounded ring) and flows per device (bounded),
// and the one place that says whether a sighting is new or a repeat of one just seen.
import type { FlowRecord, TrafficService } from '../daemon/index.js';

export interface FlowTableLimits {
  /** flows kept for the UI */
  recent: number;
  /** devices counted for top talkers */
  devices: number;
  /** the same device, server and port within this many ms is one flow */
  repeatMs: number;
}

export const DEFAULT_LIMITS: FlowTableLimits = { recent: 2000, devices: 4096, repeatMs: 2000 };

export class FlowTable implements TrafficService {
  private readonly ring: (FlowRecord | undefined)[];
  private next = 0;
  private readonly talkers = new Map<string, { flows: number; bytes: number }>();
  private readonly lastSeen = new Map<string, number>();
  repeats = 0;

  constructor(private readonly limits: FlowTableLimits = DEFAULT_LIMITS) {
    this.ring = new Array<FlowRecord | undefined>(limits.recent);
  }

  /** false when the same flow was seen within repeatMs (a retransmitted hello, DNS retries) */
  isNew(key: string, now: number): boolean {
    const last = this.lastSeen.get(key);
    if (last !== undefined && now - last < this.limits.repeatMs) {
      this.repeats++;
      return false;
    }
    this.lastSeen.delete(key);
    this.lastSeen.set(key, now);
    if (this.lastSeen.size > this.limits.devices * 4) this.lastSeen.delete(this.lastSeen.keys().next().value as string);
    return true;
  }

  add(flow: FlowRecord): void {
    this.ring[this.next] = flow;
    this.next = (this.next + 1) % this.ring.length;
    const t = this.talkers.get(flow.client);
    if (t) {
      t.flows++;
      t.bytes += flow.bytes ?? 0;
      this.talkers.delete(flow.client);
      this.talkers.set(flow.client, t);
      return;
    }
    if (this.talkers.size >= this.limits.devices) {
      // forget the device seen least recently (Map order is insertion order; re-inserted on use)
      this.talkers.delete(this.talkers.keys().next().value as string);
    }
    this.talkers.set(flow.client, { flows: 1, bytes: flow.bytes ?? 0 });
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
    return [...this.talkers].map(([client, t]) => ({ client, ...t }))
      .sort((a, b) => b.flows - a.flows || b.bytes - a.bytes || a.client.localeCompare(b.client))
      .slice(0, limit);
  }
}
