// DNS over TCP on one address (RFC 7766): two-byte length framing, pipelined queries answered as
// they complete (possibly out of order), a cap on connections, on the query size and on the
// queries in flight per connection. A connection that sends no complete query for `idleTimeout`
// is closed: a client trickling bytes (slow-loris) never resets the timer.
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
}

export class TcpListener {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  readonly stats: TcpStats = { connections: 0, refusedConnections: 0, oversized: 0, idleClosed: 0 };

  constructor(
    private readonly host: string,
    private readonly resolver: Resolver,
    private readonly cfg: () => DnsConfig['tcp'],
    private readonly idleMs: () => number,
  ) {}

  start(port: number): Promise<number> {
    const server = createServer({ noDelay: true }, (s) => this.onConnection(s));
    server.maxConnections = this.cfg().maxConnections;
    server.on('drop', () => this.stats.refusedConnections++);
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

  private onConnection(s: Socket): void {
    this.sockets.add(s);
    this.stats.connections++;
    const client = s.remoteAddress ?? '';
    const { maxQuerySize, maxPipelined } = this.cfg();
    let pending: Buffer | undefined;
    let inflight = 0;
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
      inflight--;
      arm();
      if (inflight < maxPipelined && s.isPaused() && !closed) s.resume();
    };
    s.on('data', (chunk: Buffer) => {
      let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = undefined;
      while (buf.length >= 2) {
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
        const reply = this.resolver.handle(msg, n, client, true, 65535);
        if (reply === undefined) continue;
        if (reply instanceof Promise) {
          inflight++;
          void reply.then(write).finally(done);
        } else {
          write(reply);
        }
      }
      // Keep only a partial frame (at most one query's worth, bounded above).
      if (buf.length > 0) pending = Buffer.from(buf);
      if (inflight >= maxPipelined) s.pause();
    });
    s.on('error', () => s.destroy());
    s.on('close', () => {
      closed = true;
      clearTimeout(timer);
      this.sockets.delete(s);
    });
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
