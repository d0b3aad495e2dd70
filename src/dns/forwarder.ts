// Asking the upstreams. Each attempt goes out on one of the upstream's rotating UDP sockets
// (upstream-sockets.ts: random source ports, connected, so the kernel drops datagrams from anyone
// else and an ICMP "port unreachable" fails the attempt at once) with a random ID; an answer
// counts only if its ID, QR bit and question match what we sent (anything else is dropped and
// counted: no cache poisoning by a guessed reply). A truncated answer is asked again over TCP.
// (Identical questions in flight are coalesced one level up, in the cache filler.)
import { connect } from 'node:net';
import type { Socket as TcpSocket } from 'node:net';
import { FLAG } from './wire.js';
import { matchesQuery, upstreamQuery } from './upstream-query.js';
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
  /** per attempt, read at each attempt (a reloaded config applies) */
  timeoutMs: () => number;
  /** our EDNS UDP payload size towards upstreams */
  udpSize: () => number;
  now: () => number;
  onDown?: (u: Upstream) => void;
}

const STOPPED: ForwardResult = { ok: false, error: 'stopped' };
const ALL_DOWN: ForwardResult = { ok: false, error: 'all-down' };

export class Forwarder {
  readonly stats: ForwarderStats = { sent: 0, mismatched: 0, timeouts: 0, tcpRetries: 0, failovers: 0 };
  private readonly open = new Set<TcpSocket>();
  private readonly sockets = new Map<Upstream, UpstreamSockets>();
  private stopped = false;

  constructor(private pool: UpstreamPool, private readonly opts: ForwarderOptions) {}

  /** A reloaded upstream list: new health, new sockets (queries in flight finish on the old ones). */
  setPool(pool: UpstreamPool): void {
    this.pool = pool;
    for (const u of this.sockets.values()) u.stop();
    this.sockets.clear();
  }

  /** Asks the upstreams in health order. `question` is the lower-cased question section (name, type, class). */
  forward(question: Uint8Array, dnssecOk: boolean, cd: boolean): Promise<ForwardResult> {
    if (this.stopped) return Promise.resolve(STOPPED);
    const plan = this.pool.plan(this.opts.now());
    for (const u of plan.probes) void this.ask(u, question, dnssecOk, cd);
    if (plan.tries.length === 0) return Promise.resolve(ALL_DOWN);
    return this.tryFrom(plan.tries, 0, question, dnssecOk, cd);
  }

  // Promise chains, not async functions: a cache miss runs these thousands of times a second, and
  // each async call's frame and promises were a fifth of the garbage a miss made (heap profile).
  /** tries[i], then on failure the ones after it, in order. */
  private tryFrom(tries: readonly Upstream[], i: number, question: Uint8Array, dnssecOk: boolean, cd: boolean): Promise<ForwardResult> {
    const u = tries[i];
    return this.ask(u, question, dnssecOk, cd).then((r): ForwardResult | Promise<ForwardResult> => {
      if (r.ok) return { ok: true, message: r.message, upstream: u.address };
      if (r.why === 'stopped') return STOPPED;
      if (i + 1 >= tries.length) return { ok: false, error: 'failed', upstream: u.address };
      this.stats.failovers++;
      return this.tryFrom(tries, i + 1, question, dnssecOk, cd);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.open) s.destroy();
    this.open.clear();
    for (const u of this.sockets.values()) u.stop();
    this.sockets.clear();
  }

  /** One upstream, UDP then (on TC) TCP; updates its health. */
  private ask(u: Upstream, question: Uint8Array, dnssecOk: boolean, cd: boolean): Promise<Attempt> {
    const t0 = performance.now();
    let sockets = this.sockets.get(u);
    if (!sockets) this.sockets.set(u, (sockets = new UpstreamSockets(u.host, u.port, u.family, () => this.stats.mismatched++)));
    this.stats.sent++;
    return sockets.send(question, dnssecOk, cd, this.opts.udpSize(), this.opts.timeoutMs()).then((r) => {
      if (r.ok && (r.message[2] & (FLAG.TC >> 8)) !== 0) {
        this.stats.tcpRetries++;
        return this.tcp(u, question, dnssecOk, cd).then((t) => this.judge(u, t, t0));
      }
      return this.judge(u, r, t0);
    });
  }

  /** An attempt's outcome for the upstream's health. */
  private judge(u: Upstream, r: Attempt, t0: number): Attempt {
    if (!r.ok && r.why === 'timeout') this.stats.timeouts++;
    // REFUSED from an upstream is its configuration, not the name: the next one may serve us.
    if (r.ok && (r.message[3] & 0xf) === 5) r = { ok: false, why: 'refused' };
    if (r.ok) this.pool.success(u, performance.now() - t0);
    else if (r.why !== 'stopped' && this.pool.failure(u, this.opts.now())) this.opts.onDown?.(u);
    return r;
  }

  private tcp(u: Upstream, question: Uint8Array, dnssecOk: boolean, cd: boolean): Promise<Attempt> {
    const id = randomU16();
    const msg = upstreamQuery(question, id, dnssecOk, cd, this.opts.udpSize());
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
      const timer = setTimeout(() => finish({ ok: false, why: 'timeout' }), this.opts.timeoutMs());
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
