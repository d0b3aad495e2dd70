// From decoded packets to sightings: a connection's server name (TLS SNI, HTTP Host, QUIC
// Initial) or a DNS/DoT exchange with some resolver. TLS hellos that span segments are put
// together here, per connection, within MAX_PENDING connections of MAX_HELLO_BYTES each and for
// PENDING_MS at most. Everything else costs a few byte comparisons and no allocation.
import type { FlowRecord } from '../daemon/index.js';
import { httpHost } from './http-host.js';
import { addressText, flowKey, TCP_SYN } from './packet.js';
import type { PacketView } from './packet.js';
import { QuicInitialReader } from './quic-initial.js';
import { HELLO, MAX_HELLO_BYTES, looksLikeHello, newHelloResult, parseTlsRecord } from './tls-hello.js';

export interface Sighting {
  proto: FlowRecord['proto'];
  client: string;
  sport: number;
  dst: string;
  dport: number;
  /** SNI or Host; undefined for DNS/DoT (the resolver is dst) and hellos without a name */
  server: string | undefined;
  ech: boolean;
}

export interface ReaderCounters {
  hellos: number;
  partial: number;
  /** reassemblies given up: out of order, too large, too old, or evicted */
  abandoned: number;
  malformed: number;
  quic: number;
}

const MAX_PENDING = 1024;
const PENDING_MS = 10_000;

interface Pending {
  data: Buffer;
  have: number;
  needed: number;
  nextSeq: number;
  since: number;
}

export class FlowReader {
  readonly counters: ReaderCounters = { hellos: 0, partial: 0, abandoned: 0, malformed: 0, quic: 0 };
  private readonly hello = newHelloResult();
  private readonly quic = new QuicInitialReader();
  private readonly pending = new Map<string, Pending>();
  private readonly last: Sighting = { proto: 'tls', client: '', sport: 0, dst: '', dport: 0, server: undefined, ech: false };

  /** @param isOwnAddress the appliance's addresses: DNS to them is ours, not a bypass */
  constructor(private readonly isOwnAddress: (ip: string) => boolean = () => false) {}

  /** The sighting in this packet, if any (a reused object); `time` is the capture time in epoch ms. */
  read(p: PacketView, time: number): Sighting | undefined {
    const { buf, payloadStart: s, payloadEnd: e } = p;
    if (p.proto === 6) {
      if (e > s) {
        if (this.pending.size > 0) {
          const done = this.continueHello(p, time);
          if (done !== undefined) return done || undefined;
        }
        if (looksLikeHello(buf, s, e)) return this.tlsHello(p, time);
        if (p.dport === 80 || buf[s] === 0x47 || buf[s] === 0x50) {
          const host = httpHost(buf, s, e);
          if (host !== null) return this.sighting(p, 'http', host ?? undefined, false);
        }
        if (p.dport === 53 && !this.own(p)) return this.sighting(p, 'dns', undefined, false);
        return undefined;
      }
      if ((p.flags & TCP_SYN) !== 0 && (p.flags & 0x10) === 0) {
        if (p.dport === 853 && !this.own(p)) return this.sighting(p, 'dot', undefined, false);
        if (p.dport === 53 && !this.own(p)) return this.sighting(p, 'dns', undefined, false);
      }
      return undefined;
    }
    if (p.proto === 17) {
      if (p.dport === 443 && e - s > 0 && (buf[s] & 0x80) !== 0) {
        const st = this.quic.read(buf, s, e, this.hello);
        if (st === HELLO.OK) {
          this.counters.quic++;
          return this.sighting(p, 'quic', this.hello.name, this.hello.ech);
        }
        if (st === HELLO.BAD) this.counters.malformed++;
        return undefined;
      }
      if ((p.dport === 53 || p.dport === 853) && !this.own(p)) return this.sighting(p, p.dport === 53 ? 'dns' : 'dot', undefined, false);
    }
    return undefined;
  }

  private own(p: PacketView): boolean {
    return this.isOwnAddress(addressText(p, 'dst'));
  }

  /** Fills the one Sighting object this reader hands out (valid until the next read). */
  private sighting(p: PacketView, proto: Sighting['proto'], server: string | undefined, ech: boolean): Sighting {
    const s = this.last;
    s.proto = proto;
    s.client = addressText(p, 'src');
    s.sport = p.sport;
    s.dst = addressText(p, 'dst');
    s.dport = p.dport;
    s.server = server;
    s.ech = ech;
    return s;
  }

  private tlsHello(p: PacketView, time: number): Sighting | undefined {
    const st = parseTlsRecord(p.buf, p.payloadStart, p.payloadEnd, this.hello);
    if (st === HELLO.OK) {
      this.counters.hellos++;
      return this.sighting(p, 'tls', this.hello.name, this.hello.ech);
    }
    if (st === HELLO.PARTIAL && this.hello.needed <= MAX_HELLO_BYTES) {
      this.counters.partial++;
      this.startPending(p, time, this.hello.needed);
    } else if (st === HELLO.BAD) {
      this.counters.malformed++;
    }
    return undefined;
  }

  private startPending(p: PacketView, time: number, needed: number): void {
    for (const [k, v] of this.pending) {
      if (this.pending.size < MAX_PENDING && time - v.since < PENDING_MS) break;
      this.pending.delete(k); // oldest first (insertion order)
      this.counters.abandoned++;
    }
    const data = Buffer.allocUnsafe(needed);
    const len = p.payloadLength;
    data.set(p.buf.subarray(p.payloadStart, p.payloadEnd));
    this.pending.set(flowKey(p), { data, have: len, needed, nextSeq: (p.seq + len) >>> 0, since: time });
  }

  /** A later segment of a pending hello: the sighting when complete, null when consumed, else undefined. */
  private continueHello(p: PacketView, time: number): Sighting | null | undefined {
    const key = flowKey(p);
    const pend = this.pending.get(key);
    if (!pend) return undefined;
    if (p.seq !== pend.nextSeq || time - pend.since > PENDING_MS) {
      // a retransmission of what we have is harmless; anything else ends the attempt
      if (((pend.nextSeq - p.seq) >>> 0) <= pend.have) return null;
      this.pending.delete(key);
      this.counters.abandoned++;
      return undefined;
    }
    const take = Math.min(p.payloadLength, pend.needed - pend.have);
    pend.data.set(p.buf.subarray(p.payloadStart, p.payloadStart + take), pend.have);
    pend.have += take;
    pend.nextSeq = (pend.nextSeq + p.payloadLength) >>> 0;
    if (pend.have < pend.needed) return null;
    this.pending.delete(key);
    const st = parseTlsRecord(pend.data, 0, pend.have, this.hello);
    if (st !== HELLO.OK) {
      this.counters.malformed++;
      return null;
    }
    this.counters.hellos++;
    return this.sighting(p, 'tls', this.hello.name, this.hello.ech);
  }
}
