// The dashboard's live feed: daemon events (LED changes, incidents, overrides, lists, requests,
// proposals) and a stats tick every few seconds, fanned out to every open SSE stream. Listeners
// are on the daemon's bus only while the API runs (stop() removes them); each stream is bounded
// (a slow client whose buffer fills is dropped, not buffered without end).
import type { ServerResponse } from 'node:http';
import type { Role } from '../audit/index.js';
import type { AuditEntry } from '../audit/index.js';
import type { DaemonContext, DnsCounters, LedStates } from '../daemon/index.js';
import type { Incident } from '../incidents/index.js';
import type { IndexMeta } from '../lists/index.js';
import type { SseEventName, SseEvents } from './schemas/index.js';
import type { Anonymiser } from './anonymise.js';
import { overrideCounts } from './routes/status-routes.js';

export const MAX_STREAMS = 32;
const STATS_EVERY_MS = 2000;
const PING_EVERY_MS = 15_000;
const MAX_BUFFERED = 256 * 1024;

interface Stream { res: ServerResponse; role: Role }

export class EventHub {
  private readonly streams = new Set<Stream>();
  private timers: NodeJS.Timeout[] = [];
  private last: { at: number; dns: DnsCounters } | undefined;
  private debounce = new Map<string, NodeJS.Timeout>();

  constructor(private readonly ctx: DaemonContext, private readonly anonymiser: Anonymiser) {}

  get size(): number {
    return this.streams.size;
  }

  start(): void {
    const { events } = this.ctx;
    events.on('leds:changed', this.onLeds);
    events.on('incident', this.onIncident);
    events.on('overrides:changed', this.onOverrides);
    events.on('index:swapped', this.onIndex);
    events.on('lists:failed', this.onListsFailed);
    events.on('audit', this.onAudit);
    this.timers.push(setInterval(() => this.tick(), STATS_EVERY_MS), setInterval(() => this.ping(), PING_EVERY_MS));
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    const { events } = this.ctx;
    events.off('leds:changed', this.onLeds);
    events.off('incident', this.onIncident);
    events.off('overrides:changed', this.onOverrides);
    events.off('index:swapped', this.onIndex);
    events.off('lists:failed', this.onListsFailed);
    events.off('audit', this.onAudit);
    for (const t of this.timers) clearInterval(t);
    for (const t of this.debounce.values()) clearTimeout(t);
    this.timers = [];
    for (const s of this.streams) s.res.end();
    this.streams.clear();
  }

  add(res: ServerResponse, role: Role, hello: SseEvents['hello']): void {
    const stream = { res, role };
    this.streams.add(stream);
    res.on('close', () => this.streams.delete(stream));
    // Tell EventSource how long to wait before reconnecting.
    res.write('retry: 3000\n\n');
    this.send(stream, 'hello', hello);
    this.send(stream, 'stats', this.stats(false));
  }

  private send<N extends SseEventName>(s: Stream, event: N, data: SseEvents[N]): void {
    if (s.res.writableLength > MAX_BUFFERED) {
      s.res.destroy();
      this.streams.delete(s);
      return;
    }
    const payload = s.role === 'viewer' ? this.anonymiser.scrub(data) : data;
    s.res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  private broadcast<N extends SseEventName>(event: N, data: SseEvents[N]): void {
    for (const s of this.streams) this.send(s, event, data);
  }

  private stats(advance = true): SseEvents['stats'] {
    const now = this.ctx.clock.now();
    const dns = this.ctx.services.dns?.counters();
    let queriesPerSecond: number | undefined;
    let blockedPerSecond: number | undefined;
    if (dns && this.last && now > this.last.at) {
      const secs = (now - this.last.at) / 1000;
      queriesPerSecond = Math.max(0, (dns.queries - this.last.dns.queries) / secs);
      blockedPerSecond = Math.max(0, (dns.blocked - this.last.dns.blocked) / secs);
    }
    if (dns && advance) this.last = { at: now, dns };
    const minute = this.ctx.core.stats.snapshot(now, 0).perMinute.at(-1);
    return { at: new Date(now).toISOString(), queriesPerSecond, blockedPerSecond, dns, minute, openIncidents: this.ctx.core.incidents.openCount, activeOverrides: overrideCounts(this.ctx).active };
  }

  private tick(): void {
    if (this.streams.size === 0) {
      this.last = undefined;
      return;
    }
    this.broadcast('stats', this.stats());
  }

  private ping(): void {
    for (const s of this.streams) s.res.write(': ping\n\n');
  }

  /** Runs `fn` once per burst (an import or a sweep can emit many audit entries at once). */
  private soon(key: string, fn: () => Promise<void>): void {
    if (this.streams.size === 0 || this.debounce.has(key)) return;
    this.debounce.set(key, setTimeout(() => {
      this.debounce.delete(key);
      void fn().catch(() => undefined);
    }, 300));
  }

  private readonly onLeds = (states: LedStates) => this.broadcast('leds', states);
  private readonly onIncident = (incident: Incident, isNew: boolean) => this.broadcast('incident', { incident, isNew });
  private readonly onOverrides = () => {
    const c = overrideCounts(this.ctx);
    this.broadcast('overrides', { active: c.active, pendingApproval: c.pendingApproval });
  };
  private readonly onIndex = (meta: IndexMeta) => this.broadcast('lists', { ok: true, domains: meta.entries });
  private readonly onListsFailed = (error: string) => this.broadcast('lists', { ok: false, error });
  private readonly onAudit = (e: AuditEntry) => {
    if (/^(request|report)\./.test(e.action)) {
      this.soon('requests', async () => this.broadcast('requests', { open: (await this.ctx.core.requests.list({ status: 'open', limit: 2000 })).length }));
    } else if (e.action.startsWith('proposal.')) {
      this.soon('proposals', async () => this.broadcast('proposals', { pending: (await this.ctx.core.proposals.list('pending')).length }));
    }
  };
}
