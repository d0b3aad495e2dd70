// UDP sockets towards one upstream. A socket per query costs a bind that searches the port
// space (slower with every socket open) and a close; at thousands of misses a second that is
// most of the resolver's time. So each upstream gets a small set of sockets, each bound by the
// kernel to a random port and connected to the upstream (the kernel drops datagrams from anyone
// else; ICMP "port unreachable" reaches us as an error). A query goes out on a random one of them
// with a random unused ID, and each socket is replaced after ROTATE_AFTER queries, so the source
// port keeps changing: a spoofer must guess the ID (16 bits) and a moving port.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { randomFillSync } from 'node:crypto';

export const SOCKETS_PER_UPSTREAM = 16;
export const ROTATE_AFTER = 256;

export type UdpOutcome = { ok: true; message: Buffer } | { ok: false; why: 'timeout' | 'unreachable' | 'stopped' };

interface Pending {
  resolve: (r: UdpOutcome) => void;
  timer: NodeJS.Timeout;
  accept: (m: Buffer) => boolean;
}

const randomPool = new Uint16Array(4096);
let randomAt = randomPool.length;
export function randomU16(): number {
  if (randomAt >= randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  return randomPool[randomAt++];
}

class Channel {
  readonly pending = new Map<number, Pending>();
  uses = 0;
  closed = false;
  /** connected: a send goes out at once, not after a promise's turn */
  private ready = false;
  private readonly socket: Socket;
  private readonly connected: Promise<boolean>;

  constructor(host: string, port: number, family: 'udp4' | 'udp6', private readonly onMismatch: () => void) {
    this.socket = createSocket(family);
    this.socket.on('message', (m) => this.onMessage(m));
    // An ICMP error cannot be tied to one query: everything in flight here fails (and the socket is replaced).
    this.socket.on('error', () => this.fail('unreachable'));
    this.connected = new Promise<boolean>((resolve) => {
      this.socket.connect(port, host, () => {
        this.ready = true;
        resolve(true);
      });
      this.socket.once('error', () => resolve(false));
    });
  }

  /** Sends `build(id)` with a free random ID; `accept` checks an answer against the query. */
  send(build: (id: number) => Buffer, accept: (m: Buffer, id: number) => boolean, timeoutMs: number): Promise<UdpOutcome> {
    let id = randomU16();
    while (this.pending.has(id)) id = randomU16();
    this.uses++;
    return new Promise<UdpOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, why: 'timeout' });
      }, timeoutMs);
      this.pending.set(id, { resolve, timer, accept: (m) => accept(m, id) });
      if (this.ready && !this.closed) {
        this.socket.send(build(id));
        return;
      }
      void this.connected.then((ok) => {
        if (!ok || this.closed) return this.settle(id, { ok: false, why: 'unreachable' });
        this.socket.send(build(id));
      });
    });
  }

  private onMessage(m: Buffer): void {
    const p = m.length >= 2 ? this.pending.get((m[0] << 8) | m[1]) : undefined;
    if (p && p.accept(m)) this.settle((m[0] << 8) | m[1], { ok: true, message: m });
    else this.onMismatch();
  }

  private settle(id: number, r: UdpOutcome): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(r);
  }

  fail(why: 'unreachable' | 'stopped'): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { ok: false, why });
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}

export class UpstreamSockets {
  /** indexed by slot; empty slots are undefined until first used */
  private readonly channels: (Channel | undefined)[] = [];

  constructor(private readonly host: string, private readonly port: number, private readonly family: 'udp4' | 'udp6', private readonly onMismatch: () => void) {}

  send(build: (id: number) => Buffer, accept: (m: Buffer, id: number) => boolean, timeoutMs: number): Promise<UdpOutcome> {
    const i = randomU16() % SOCKETS_PER_UPSTREAM;
    let c = this.channels[i];
    if (c === undefined || c.closed || c.uses >= ROTATE_AFTER) {
      // A worn-out socket closes once its last answer is in (or its queries time out).
      if (c && !c.closed) retire(c);
      c = this.channels[i] = new Channel(this.host, this.port, this.family, this.onMismatch);
    }
    return c.send(build, accept, timeoutMs);
  }

  stop(): void {
    for (const c of this.channels) c?.fail('stopped');
    this.channels.length = 0;
  }
}

function retire(c: Channel): void {
  if (c.pending.size === 0) return c.close();
  const check = setInterval(() => {
    if (c.pending.size === 0 || c.closed) {
      clearInterval(check);
      c.close();
    }
  }, 250);
  check.unref();
}
