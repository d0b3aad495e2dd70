// The DNS stage: UDP and TCP listeners on every dns.listen address, the resolver behind them,
// its counters on /metrics, and the DnsService other stages and the API use.
import type { DaemonContext, DnsCounters, DnsService, Stage } from '../daemon/index.js';
import type { Logger } from '../log.js';
import { parseDuration, parseHostPort } from '../schema/index.js';
import { PATHS } from './latency-histogram.js';
import { Resolver } from './resolver.js';
import { TcpListener } from './tcp-listener.js';
import { UdpListener } from './udp-listener.js';

export interface DnsStage extends Stage, DnsService {
  /** bound addresses ("127.0.0.1:5353"), after start */
  readonly addresses: readonly string[];
  readonly resolver: Resolver;
}

const SWEEP_MS = 60_000;

export function createDnsStage(ctx: DaemonContext): DnsStage {
  return new DnsStageImpl(ctx);
}

class DnsStageImpl implements DnsStage {
  readonly name = 'dns';
  readonly resolver: Resolver;
  addresses: string[] = [];
  private readonly log: Logger;
  private readonly udp: UdpListener[] = [];
  private readonly tcp: TcpListener[] = [];
  private readonly unregister: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly onReload = () => this.resolver.reconfigure(this.ctx.state.current.config.dns);

  constructor(private readonly ctx: DaemonContext) {
    this.log = ctx.log.child({ stage: 'dns' });
    this.resolver = new Resolver(ctx, this.log);
  }

  async start(): Promise<void> {
    const cfg = this.ctx.state.current.config.dns;
    for (const text of cfg.listen) {
      const hp = parseHostPort(text, 53);
      if (!hp) throw new Error(`dns.listen: bad address ${text}`);
      this.addresses.push(await this.listen(hp.host, hp.port));
    }
    this.ctx.events.on('config:reloaded', this.onReload);
    this.timer = setInterval(() => this.resolver.cache.sweep(this.ctx.clock.now()), SWEEP_MS);
    this.timer.unref();
    this.registerMetrics();
    this.log.info({ listen: this.addresses, upstreams: cfg.upstreams, blocking: cfg.blocking.answer, udp: [...new Set(this.udp.map((u) => u.mode))].join() }, 'dns listening (UDP and TCP)');
  }

  /** UDP and TCP on the same port; with port 0 the kernel picks one for UDP and TCP follows. */
  private async listen(host: string, port: number): Promise<string> {
    const dns = () => this.ctx.state.current.config.dns;
    for (let attempt = 0; ; attempt++) {
      const udp = new UdpListener(host, this.resolver, () => dns().udpSize);
      const bound = await udp.start(port);
      const tcp = new TcpListener(host, this.resolver, () => dns().tcp, () => (parseDuration(dns().tcp.idleTimeout) ?? 10) * 1000);
      try {
        await tcp.start(bound);
      } catch (err) {
        await udp.stop();
        if (port !== 0 || attempt >= 10) throw err;
        continue;
      }
      this.udp.push(udp);
      this.tcp.push(tcp);
      return host.includes(':') ? `[${host}]:${bound}` : `${host}:${bound}`;
    }
  }

  async stop(): Promise<void> {
    this.ctx.events.off('config:reloaded', this.onReload);
    clearInterval(this.timer);
    for (const u of this.unregister.splice(0)) u();
    await Promise.all([...this.udp.splice(0).map((l) => l.stop()), ...this.tcp.splice(0).map((l) => l.stop())]);
    this.resolver.stop();
  }

  counters(): DnsCounters {
    const c = this.resolver.counters;
    const s = this.resolver.cache.stats;
    return {
      queries: c.queries, blocked: c.blocked, rewritten: c.rewritten, cacheHits: c.cacheHits, cacheEntries: s.entries, cacheBytes: s.bytes,
      servfail: c.servfail, rateLimited: c.rateLimited, upstreams: this.resolver.pool.health(),
    };
  }

  async answer(query: Uint8Array, client: { ip: string; group?: string }): Promise<Uint8Array> {
    const buf = Buffer.from(query);
    const r = this.resolver.handle(buf, buf.length, client.ip, true, 65535, client.group);
    return r === undefined ? new Uint8Array(0) : r;
  }

  private registerMetrics(): void {
    const m = this.ctx.metrics;
    const r = this.resolver;
    const c = r.counters;
    const reg = (...args: Parameters<typeof m.register>) => this.unregister.push(m.register(...args));
    reg('schoolgate_dns_queries_total', 'DNS queries answered, by action', 'counter', () => {
      const allow = c.queries - c.blocked - c.rewritten - c.refused - c.errors;
      return [['allow', allow], ['block', c.blocked], ['rewrite', c.rewritten], ['refused', c.refused], ['error', c.errors]].map(([action, value]) => ({ labels: { action: String(action) }, value: Number(value) }));
    });
    reg('schoolgate_dns_cache_hits_total', 'Answers served from the cache', 'counter', () => c.cacheHits);
    reg('schoolgate_dns_cache_misses_total', 'Queries the cache could not answer', 'counter', () => c.cacheMisses);
    reg('schoolgate_dns_cache_entries', 'Cached answers', 'gauge', () => r.cache.stats.entries);
    reg('schoolgate_dns_cache_bytes', 'Memory charged to cached answers', 'gauge', () => r.cache.stats.bytes);
    reg('schoolgate_dns_cache_evictions_total', 'Cached answers evicted to stay within dns.cache.size', 'counter', () => r.cache.stats.evicted);
    reg('schoolgate_dns_stale_answers_total', 'Expired answers served while every upstream failed (RFC 8767)', 'counter', () => c.stale);
    reg('schoolgate_dns_servfail_total', 'SERVFAIL answers (upstreams failed, nothing stale)', 'counter', () => c.servfail);
    reg('schoolgate_dns_cname_cloaked_total', 'Allowed names blocked because a CNAME target is blocked', 'counter', () => c.cloaked);
    reg('schoolgate_dns_rate_limited_total', 'Queries refused by the per-client rate limit', 'counter', () => c.rateLimited);
    reg('schoolgate_dns_rate_limit_trips_total', 'Times a client went over the rate limit', 'counter', () => c.rateTrips);
    reg('schoolgate_dns_malformed_total', 'Packets dropped or answered FORMERR/NOTIMP/BADVERS', 'counter', () => c.malformed);
    reg('schoolgate_dns_truncated_total', 'UDP answers sent truncated (TC) because they did not fit', 'counter', () => c.truncated);
    const udpSum = (of: (u: UdpListener) => number) => () => this.udp.reduce((n, u) => n + of(u), 0);
    reg('schoolgate_dns_udp_send_errors_total', 'UDP answers not sent: the kernel did not take them (client gone, buffer full), or the query failed outside the resolver', 'counter', udpSum((u) => u.sendErrors));
    reg('schoolgate_dns_udp_oversized_total', 'UDP datagrams over 4096 bytes, dropped unread (no DNS query is that large)', 'counter', udpSum((u) => u.receiveStats.oversized));
    reg('schoolgate_dns_udp_receive_errors_total', 'Failed reads of the UDP sockets', 'counter', udpSum((u) => u.receiveStats.errors));
    reg('schoolgate_dns_coalesced_total', 'Queries that waited for an identical one already in flight', 'counter', () => r.filler.stats.coalesced);
    reg('schoolgate_dns_upstream_queries_total', 'Queries sent to upstreams', 'counter', () => r.forwarder.stats.sent);
    reg('schoolgate_dns_upstream_mismatched_total', 'Upstream datagrams dropped: wrong ID or question', 'counter', () => r.forwarder.stats.mismatched);
    reg('schoolgate_dns_upstream_timeouts_total', 'Upstream attempts that timed out', 'counter', () => r.forwarder.stats.timeouts);
    reg('schoolgate_dns_upstream_tcp_retries_total', 'Truncated upstream answers asked again over TCP', 'counter', () => r.forwarder.stats.tcpRetries);
    reg('schoolgate_dns_upstream_up', 'Upstream health (1 up, 0 marked down)', 'gauge', () => r.pool.health().map((u) => ({ labels: { upstream: u.address }, value: u.healthy ? 1 : 0 })));
    reg('schoolgate_dns_upstream_rtt_seconds', 'Smoothed upstream round-trip time', 'gauge', () => r.pool.health().filter((u) => u.rttMs !== undefined).map((u) => ({ labels: { upstream: u.address }, value: (u.rttMs ?? 0) / 1000 })));
    reg('schoolgate_dns_tcp_connections', 'Open DNS-over-TCP connections', 'gauge', () => this.tcp.reduce((n, t) => n + t.open, 0));
    const tcpClosed = (key: 'refusedConnections' | 'evicted' | 'idleClosed' | 'oversized') => this.tcp.reduce((n, t) => n + t.stats[key], 0);
    reg('schoolgate_dns_tcp_closed_total', 'DNS-over-TCP connections we closed, by reason', 'counter', () => ([['refused', 'refusedConnections'], ['evicted', 'evicted'], ['idle', 'idleClosed'], ['oversized', 'oversized']] as const).map(([reason, key]) => ({ labels: { reason }, value: tcpClosed(key) })));
    reg('schoolgate_dns_answer_duration_seconds', 'Time from receipt to answer, by path (cached, local, upstream)', 'histogram', () => PATHS.flatMap((p) => r.latency[p].samples({ path: p })));
  }
}
