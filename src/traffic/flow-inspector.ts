// One captured frame in, at most one new flow out: decode → sighting (SNI, Host, QUIC, DNS/DoT)
// → who the device is → the policy decision → the flow table. The live stage and
// `schoolgate traffic inspect` share this; what they do with a blocked flow differs.
import type { FlowRecord, PolicyState } from '../daemon/index.js';
import type { CompiledGroup } from '../policy/index.js';
import { FlowPolicy } from './flow-policy.js';
import { FlowReader } from './flow-reader.js';
import type { Sighting } from './flow-reader.js';
import { FlowTable } from './flow-table.js';
import { DECODE, PacketView, decodePacket } from './packet.js';

export interface Device {
  group: CompiledGroup;
  mac?: string;
  user?: string;
}

export interface InspectorDeps {
  state: () => PolicyState;
  identify: (ip: string) => Device;
  isOwnAddress?: (ip: string) => boolean;
  /** the time decisions are made at; by default the packet's capture time */
  now?: (captureMs: number) => number;
}

export interface InspectorCounters {
  packets: number;
  undecodable: number;
  sightings: number;
  flows: number;
}

export class FlowInspector {
  readonly counters: InspectorCounters = { packets: 0, undecodable: 0, sightings: 0, flows: 0 };
  readonly table = new FlowTable();
  readonly reader: FlowReader;
  private readonly view = new PacketView();
  private readonly policy = new FlowPolicy();

  constructor(private readonly deps: InspectorDeps) {
    this.reader = new FlowReader(deps.isOwnAddress);
  }

  onPacket(frame: Uint8Array, captureMs: number, linkType: number): FlowRecord | undefined {
    return this.onRecord(frame, 0, frame.length, captureMs, linkType);
  }

  /** The same for buf[start, end) (the pcap reader's records, without a view object each). */
  onRecord(buf: Uint8Array, start: number, end: number, captureMs: number, linkType: number): FlowRecord | undefined {
    this.counters.packets++;
    const st = decodePacket(buf, linkType, this.view, start, end);
    if (st !== DECODE.OK) {
      if (st !== DECODE.OTHER) this.counters.undecodable++;
      return undefined;
    }
    const s = this.reader.read(this.view, captureMs);
    if (!s) return undefined;
    this.counters.sightings++;
    const now = this.deps.now ? this.deps.now(captureMs) : captureMs;
    if (!this.table.isNew(`${s.client}|${s.dst}|${s.dport}|${s.proto}|${s.server ?? ''}`, now)) return undefined;
    const flow = this.decide(s, now);
    this.table.add(flow);
    this.counters.flows++;
    return flow;
  }

  private decide(s: Sighting, now: number): FlowRecord {
    const who = this.deps.identify(s.client);
    const flow: FlowRecord = {
      time: now, client: s.client, mac: who.mac, user: who.user, group: who.group.name, server: s.server ?? s.dst,
      proto: s.proto, dst: s.dst, dport: s.dport, sport: s.sport, action: 'allow', reason: 'no-name', category: undefined, ech: s.ech || undefined,
    };
    if (s.proto === 'dns' || s.proto === 'dot') {
      // the kernel redirects (DNS) or refuses (DoT) these; the firewall reports the attempt
      flow.action = 'block';
      flow.reason = s.proto === 'dns' ? 'foreign-dns' : 'dot';
    } else if (s.server !== undefined) {
      const d = this.policy.decide(this.deps.state(), who.group, { ip: s.client, mac: who.mac }, s.server, now);
      flow.action = d.action;
      // a block is logged as "sni": the name was seen on the wire, not asked of our resolver
      flow.reason = d.action === 'block' ? 'sni' : d.reason;
      flow.category = d.category;
    }
    return flow;
  }
}
