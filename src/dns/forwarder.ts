// Asking the upstreams. Each attempt goes out on one of the upstream's rotating UDP sockets
// (upstream-sockets.ts: random source ports, connected, so the kernel drops datagrams from anyone
// else and an ICMP "port unreachable" fails the attempt at once) with a random ID; an answer
// counts only if its ID, QR bit and question match what we sent (anything else is dropped and
// counted: no cache poisoning by a guessed reply). A truncated answer is asked again over TCP.
// (Identical questions in flight are coalesced one level up, in the cache filler.)
import { connect } from 'node:net';
import type { Socket as TcpSocket } from 'node:net';
import { FLAG, HEADER, TYPE, EDNS_DO, sameQuestion } from './wire.js';
import type { Upstream, UpstreamPool } from './upstream-pool.js';
import { UpstreamSockets, randomU16 } from './upstream-sockets.js';

export type ForwardResult =
  | { ok: true; message: Buffer; upstream: string }
  | { ok: false; error: 'all-down' | 'failed' | 'stopped'; upstream?: string };

type Attempt = { ok: true; message: Buffer } | { ok: false; why: 'timeout' | 'unreachable' | 'refused' | 'malformed' | 'stopped' };

export interface ForwarderStats {
  sent: number;
  mismatched: number;
  timeouts: number;
  tcpRetries: number;
  failovers: number;
}

export interface ForwarderOptions {
  timeoutMs: number;
  /** our EDNS UDP payload size towards upstreams */
  udpSize: number;
  now: () => number;
  onDown?: (u: Upstream) => void;
}

/** A query for upstreams: RD, the client's CD, our OPT record with the client's DO bit (RFC 3225). */
export function upstreamQuery(question: Uint8Array, id: number, dnssecOk: boolean, cd: boolean, udpSize: number): Buffer {
  const msg = Buffer.allocUnsafe(HEADER + question.length + 11);
  const flags = FLAG.RD | (cd ? FLAG.CD : 0);
  msg.writeUInt16BE(id, 0);
  msg.writeUInt16BE(flags, 2);
  msg.writeUInt16BE(1, 4);
  msg.writeUInt32BE(0, 6);
  msg.writeUInt16BE(1, 10);
  msg.set(question, HEADER);
  let p = HEADER + question.length;
  msg[p++] = 0;
  msg.writeUInt16BE(TYPE.OPT, p);
  msg.writeUInt16BE(udpSize, p + 2);
  msg.writeUInt32BE(dnssecOk ? EDNS_DO : 0, p + 4);
  msg.writeUInt16BE(0, p + 8);
  return msg;
}

/** Is `m` the answer to our query `id` with `question`? */
export function matchesQuery(m: Uint8Array, id: number, question: Uint8Array): boolean {
  if (m.length < HEADER + question.length) return false;
  if (((m[0] << 8) | m[1]) !== id || (m[2] & 0x80) === 0) return false;
  if (((m[4] << 8) | m[5]) !== 1) return false;
  return sameQuestion(m, HEADER, HEADER + question.length, question, 0, question.length);
}

export class Forwarder {
  readonly stats: ForwarderStats = { sent: 0, mismatched: 0, timeouts: 0, tcpRetries: 0, failovers: 0 };
  private readonly open = new Set<TcpSocket>();
  private readonly sockets = new Map<Upstream, UpstreamSockets>();
  private stopped = false;

  constructor(private readonly pool: UpstreamPool, private readonly opts: ForwarderOptions) {}

  /** Asks the upstreams in health order. `question` is the lower-cased question section (name, type, class). */
  async forward(question: Uint8Array, dnssecOk: boolean, cd: boolean): Promise<ForwardResult> {
    if (this.stopped) return { ok: false, error: 'stopped' };
    const plan = this.pool.plan(this.opts.now());
    for (const u of plan.probes) void this.ask(u, question, dnssecOk, cd);
    if (plan.tries.length === 0) return { ok: false, error: 'all-down' };
    let last: Upstream | undefined;
    for (const u of plan.tries) {
      if (last) this.stats.failovers++;
      last = u;
      const r = await this.ask(u, question, dnssecOk, cd);
      if (r.ok) return { ok: true, message: r.message, upstream: u.address };
      if (r.why === 'stopped') return { ok: false, error: 'stopped' };
    }
    return { ok: false, error: 'failed', upstream: last?.address };
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.open) s.destroy();
    this.open.clear();
    for (const u of this.sockets.values()) u.stop();
    this.sockets.clear();
  }

  /** One upstream, UDP then (on TC) TCP; updates its health. */
  private async ask(u: Upstream, question: Uint8Array, dnssecOk: boolean, cd: boolean): Promise<Attempt> {
    const t0 = performance.now();
    let r = await this.udp(u, question, dnssecOk, cd);
    if (r.ok && (r.message[2] & (FLAG.TC >> 8)) !== 0) {
      this.stats.tcpRetries++;
      r = await this.tcp(u, question, dnssecOk, cd);
    }
    // REFUSED from an upstream is its configuration, not the name: the next one may serve us.
    if (r.ok && (r.message[3] & 0xf) === 5) r = { ok: false, why: 'refused' };
    if (r.ok) this.pool.success(u, performance.now() - t0);
    else if (r.why !== 'stopped' && this.pool.failure(u, this.opts.now())) this.opts.onDown?.(u);
    return r;
  }

  private async udp(u: Upstream, question: Uint8Array, dnssecOk: boolean, cd: boolean): Promise<Attempt> {
    let sockets = this.sockets.get(u);
    if (!sockets) this.sockets.set(u, (sockets = new UpstreamSockets(u.host, u.port, u.family, () => this.stats.mismatched++)));
    this.stats.sent++;
    const r = await sockets.send(
      (id) => upstreamQuery(question, id, dnssecOk, cd, this.opts.udpSize),
      (m, id) => matchesQuery(m, id, question),
      this.opts.timeoutMs,
    );
    if (!r.ok && r.why === 'timeout') this.stats.timeouts++;
    return r;
  }

  private tcp(u: Upstream, question: Uint8Array, dnssecOk: boolean, cd: boolean): Promise<Attempt> {
    const id = randomU16();
    const msg = upstreamQuery(question, id, dnssecOk, cd, this.opts.udpSize);
    const framed = Buffer.allocUnsafe(msg.length + 2);
    framed.writeUInt16BE(msg.length, 0);
    msg.copy(framed, 2);
    return new Promise<Attempt>((resolve) => {
      const s = connect({ host: u.host, port: u.port });
      this.open.add(s);
      let buf: Buffer = Buffer.alloc(0);
      let done = false;
      const finish = (r: Attempt) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.open.delete(s);
        s.destroy();
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.stats.timeouts++;
        finish({ ok: false, why: 'timeout' });
      }, this.opts.timeoutMs);
      s.on('error', () => finish({ ok: false, why: 'unreachable' }));
      s.on('close', () => finish({ ok: false, why: 'unreachable' }));
      s.on('connect', () => {
        this.stats.sent++;
        s.write(framed);
      });
      s.on('data', (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        while (buf.length >= 2) {
          const n = buf.readUInt16BE(0);
          if (buf.length < 2 + n) return;
          const m = buf.subarray(2, 2 + n);
          buf = buf.subarray(2 + n);
          if (matchesQuery(m, id, question)) return finish({ ok: true, message: Buffer.from(m) });
          this.stats.mismatched++;
        }
      });
    });
  }
}
