// The traffic stage (gateway mode, traffic.enabled): tcpdump on the LAN → flows with server
// names → the same policy as DNS. A blocked name puts the device → server address pair into
// the firewall's flow-block set (TCP reset / ICMP reject, for traffic.blockTimeout), is logged
// to the query log with reason "sni", and a blocked name in a bypass category (doh, vpn, …)
// is a bypass attempt. Every new flow is a `flow` event and lands in the traffic view, where
// its bytes follow from the kernel's conntrack accounting while it lasts (flow-bytes.ts).
import { networkInterfaces } from 'node:os';
import type { BypassEvent, DaemonContext, FlowRecord, Stage, TrafficService } from '../daemon/index.js';
import { attemptKind } from '../firewall/index.js';
import type { Logger } from '../log.js';
import { parseDuration } from '../schema/index.js';
import { TcpdumpCapture } from './capture.js';
import { FlowBytes } from './flow-bytes.js';
import { FlowInspector } from './flow-inspector.js';

export interface TrafficStage extends Stage, TrafficService {}

export interface TrafficStageOptions {
  /** tcpdump's path (tests) */
  tcpdump?: string;
  /** the conntrack command (tests) */
  conntrack?: readonly string[];
  /** the appliance's addresses, and how often to read them again (tests) */
  ownAddresses?: () => Set<string>;
  ownRefreshMs?: number;
}

/** how often the appliance's own addresses are read again (DHCP, IPv6 privacy addresses) */
const OWN_REFRESH_MS = 30_000;
/** blocks waiting for nft: beyond this a burst is dropped (and counted), not queued */
const MAX_PENDING_BLOCKS = 1024;
const BYPASS_CATEGORIES = new Set(['doh', 'vpn', 'redirector', 'residential-proxies']);

export function createTrafficStage(ctx: DaemonContext, opts: TrafficStageOptions = {}): TrafficStage {
  return new Traffic(ctx, opts);
}

class Traffic implements TrafficStage {
  readonly name = 'traffic';
  private readonly log: Logger;
  private readonly inspector: FlowInspector;
  private readonly capture: TcpdumpCapture;
  private readonly bytes: FlowBytes;
  private pending: FlowRecord[] = [];
  private flushing = false;
  private blocksDropped = 0;
  private blocksApplied = 0;
  private readonly unregister: (() => void)[] = [];
  private readonly readOwn: () => Set<string>;
  private own: Set<string>;
  private ownTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: DaemonContext, private readonly opts: TrafficStageOptions) {
    this.log = ctx.log.child({ stage: 'traffic' });
    this.readOwn = opts.ownAddresses ?? ownAddresses;
    const own = (this.own = this.readOwn());
    this.inspector = new FlowInspector({
      state: () => ctx.state.current,
      identify: (ip) => ctx.identity.identify(ip),
      isOwnAddress: (ip) => this.own.has(ip),
      now: () => ctx.clock.now(),
    });
    this.bytes = new FlowBytes({ table: this.inspector.table, log: this.log, conntrack: opts.conntrack });
    this.capture = new TcpdumpCapture({
      interfaces: ctx.state.current.config.network.lan,
      own: [...own],
      log: this.log,
      tcpdump: opts.tcpdump,
      onRecord: (buf, start, end, time, link) => {
        const flow = this.inspector.onRecord(buf, start, end, time, link);
        if (flow) this.onFlow(flow);
      },
    });
  }

  async start(): Promise<void> {
    this.capture.start();
    this.ownTimer = setInterval(() => this.refreshOwn(), this.opts.ownRefreshMs ?? OWN_REFRESH_MS);
    this.ownTimer.unref();
    this.bytes.start();
    this.registerMetrics();
  }

  async stop(): Promise<void> {
    if (this.ownTimer) clearInterval(this.ownTimer);
    for (const u of this.unregister.splice(0)) u();
    await this.capture.stop();
    await this.bytes.stop();
  }

  recentFlows(filter?: { client?: string; limit?: number }): FlowRecord[] {
    return this.inspector.table.recentFlows(filter);
  }

  topTalkers(limit?: number): { client: string; flows: number; bytes: number }[] {
    return this.inspector.table.topTalkers(limit);
  }

  byteCounters(): { available: boolean; note?: string } {
    return this.bytes.byteCounters();
  }

  private onFlow(flow: FlowRecord): void {
    this.ctx.events.emit('flow', flow);
    this.bytes.watch(flow);
    if (flow.action !== 'block' || flow.reason !== 'sni') return;
    this.log.info({ client: flow.client, group: flow.group, domain: flow.server, category: flow.category, action: 'block', reason: 'sni', proto: flow.proto, dst: flow.dst, ech: flow.ech }, 'blocked server name on the wire');
    this.ctx.events.emit('query', {
      time: flow.time, client: flow.client, mac: flow.mac, group: flow.group, name: flow.server,
      type: flow.proto.toUpperCase(), action: 'block', reason: 'sni', category: flow.category,
      rcode: '-', latency: 0, cached: false,
    });
    if (flow.category && BYPASS_CATEGORIES.has(flow.category)) this.ctx.events.emit('bypass-attempt', this.bypassEvent(flow));
    if (this.pending.length >= MAX_PENDING_BLOCKS) {
      this.blocksDropped++;
      return;
    }
    this.pending.push(flow);
    if (!this.flushing) void this.flush();
  }

  /** DNS to an address the appliance gained since start is ours too, not a foreign resolver. */
  private refreshOwn(): void {
    const next = this.readOwn();
    const added = [...next].filter((a) => !this.own.has(a));
    const removed = [...this.own].filter((a) => !next.has(a));
    if (added.length === 0 && removed.length === 0) return;
    this.own = next;
    this.log.info({ added, removed }, 'own addresses changed: capture filter updated');
    this.capture.setOwn([...next]);
  }

  /** The firewall's classification of the target (doh, vpn, proxy), the name as the detail. */
  private bypassEvent(flow: FlowRecord): BypassEvent {
    const kind = attemptKind({ client: flow.client, target: flow.dst, protocol: flow.proto === 'quic' ? 'udp' : 'tcp', port: flow.dport, expires: 0 }, flow.category ? [flow.category] : []);
    return { time: flow.time, client: flow.client, mac: flow.mac, kind: kind.kind, category: kind.category, detail: flow.server };
  }

  /** One nft call per block, in order; blocks that arrive meanwhile wait (bounded). */
  private async flush(): Promise<void> {
    this.flushing = true;
    const seconds = parseDuration(this.ctx.state.current.config.traffic.blockTimeout) ?? 600;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        for (const f of batch) {
          const fw = this.ctx.services.firewall;
          if (fw && (await fw.blockFlow(f.client, f.dst, seconds))) this.blocksApplied++;
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private registerMetrics(): void {
    const m = this.ctx.metrics;
    const c = this.inspector.counters;
    const r = this.inspector.reader.counters;
    this.unregister.push(
      m.register('schoolgate_traffic_packets_total', 'Packets read from the capture', 'counter', () => c.packets),
      m.register('schoolgate_traffic_flows_total', 'New flows with a server name or to a foreign resolver', 'counter', () => c.flows),
      m.register('schoolgate_traffic_hello_reassembly_abandoned_total', 'TLS hellos over several segments given up', 'counter', () => r.abandoned),
      m.register('schoolgate_traffic_blocks_total', 'Device → server blocks put into the kernel', 'counter', () => this.blocksApplied),
      m.register('schoolgate_traffic_blocks_dropped_total', 'Blocks dropped because too many waited for nft', 'counter', () => this.blocksDropped),
      m.register('schoolgate_traffic_kernel_drops_total', 'Packets the kernel dropped from the capture (tcpdump)', 'counter', () => this.capture.kernelDrops),
      m.register('schoolgate_traffic_conntrack_polls_total', 'Reads of the conntrack table for flow bytes', 'counter', () => this.bytes.counters.polls),
      m.register('schoolgate_traffic_conntrack_poll_seconds_total', 'Time spent reading the conntrack table', 'counter', () => this.bytes.counters.pollMs / 1000),
      m.register('schoolgate_traffic_capture_starts_total', 'tcpdump starts (restarts after it died)', 'counter', () => this.capture.starts),
    );
  }
}

function ownAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}
