// DNS over TCP on one address (RFC 7766): two-byte length framing, pipelined queries answered as
// they complete (possibly out of order), a cap on connections, on the query size and on the
// queries in flight per connection. A connection that sends no complete query for `idleTimeout`
// is closed: a client trickling bytes (slow-loris) never resets the timer. At the connection cap
// the longest-idle connection with nothing in flight makes room (RFC 7766 §6.2.3), so a crowd of
// idle sockets cannot lock out a real client; only when every connection is busy is the new one
// refused.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { DnsConfig } from './config.js';
import type { Resolver } from './resolver.js';

/** a client that does not read its answers: past this much unsent, the connection goes */
const MAX_UNSENT = 1 << 20;

export interface TcpStats {
  connections: number;
  refusedConnections: number;
  oversized: number;
  idleClosed: number;
  /** idle connections closed to make room for a new one at the cap */
  evicted: number;
}

interface Connection {
  /** when it last sent a complete query (or connected) */
  activeAt: number;
  inflight: number;
}

export class TcpListener {
  private server: Server | undefined;
  private readonly sockets = new Map<Socket, Connection>();
  readonly stats: TcpStats = { connections: 0, refusedConnections: 0, oversized: 0, idleClosed: 0, evicted: 0 };

  constructor(
    private readonly host: string,
    private readonly resolver: Resolver,
    private readonly cfg: () => DnsConfig['tcp'],
    private readonly idleMs: () => number,
  ) {}

  start(port: number): Promise<number> {
    const server = createServer({ noDelay: true }, (s) => this.onConnection(s));
    this.server = server;
    return new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: this.host, ipv6Only: this.host.includes(':'), backlog: 511 }, () => {
        server.off('error', reject);
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  }

  get open(): number {
    return this.sockets.size;
  }

  /** makes room for one more connection; false when every open one is busy */
  private admit(): boolean {
    if (this.sockets.size < this.cfg().maxConnections) return true;
    let idlest: Socket | undefined;
    let since = Infinity;
    for (const [s, c] of this.sockets) {
      if (c.inflight === 0 && c.activeAt < since) {
        idlest = s;
        since = c.activeAt;
      }
    }
    if (!idlest) return false;
    this.stats.evicted++;
    this.sockets.delete(idlest);
    idlest.destroy();
    return true;
  }

  private onConnection(s: Socket): void {
    if (!this.admit()) {
      this.stats.refusedConnections++;
      s.destroy();
      return;
    }
    const conn: Connection = { activeAt: Date.now(), inflight: 0 };
    this.sockets.set(s, conn);
    this.stats.connections++;
    const client = s.remoteAddress ?? '';
    const { maxQuerySize, maxPipelined } = this.cfg();
    let pending: Buffer | undefined;
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.stats.idleClosed++;
        s.destroy();
      }, this.idleMs());
    };
    arm();
    const write = (reply: Buffer) => {
      if (closed) return;
      const frame = Buffer.allocUnsafe(reply.length + 2);
      frame.writeUInt16BE(reply.length, 0);
      reply.copy(frame, 2);
      s.write(frame);
      if (s.writableLength > MAX_UNSENT) s.destroy();
    };
    const done = () => {
      conn.inflight--;
      arm();
      if (closed) return;
      if (pending) serve();
      if (conn.inflight < maxPipelined && s.isPaused()) s.resume();
    };
    // Frames beyond the pipelining cap wait in `pending` (reading is paused) until answers go out.
    const serve = () => {
      let buf = pending;
      pending = undefined;
      while (buf && buf.length >= 2 && conn.inflight < maxPipelined) {
        const n = buf.readUInt16BE(0);
        if (n > maxQuerySize || n < 12) {
          this.stats.oversized++;
          s.destroy();
          return;
        }
        if (buf.length < 2 + n) break;
        const msg = buf.subarray(2, 2 + n);
        buf = buf.subarray(2 + n);
        arm();
        conn.activeAt = Date.now();
        const reply = this.resolver.handle(msg, n, client, true, 65535);
        if (reply === undefined) continue;
        if (reply instanceof Promise) {
          conn.inflight++;
          void reply.then(write).catch(() => s.destroy()).finally(done);
        } else {
          write(reply);
        }
      }
      // Keep only what is left (a partial frame, or frames over the cap), in a buffer of its own.
      if (buf && buf.length > 0) pending = Buffer.from(buf);
      if (conn.inflight >= maxPipelined && !s.isPaused()) s.pause();
    };
    s.on('data', (chunk: Buffer) => {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      serve();
    });
    s.on('error', () => s.destroy());
    s.on('close', () => {
      closed = true;
      clearTimeout(timer);
      if (this.sockets.get(s) === conn) this.sockets.delete(s);
    });
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets.keys()) s.destroy();
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
