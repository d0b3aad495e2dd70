// DNS over UDP on one address. A datagram is handed to the resolver as it is; the reply (sized
// to the client's EDNS buffer by the resolver) goes back to the sender. A send that fails (the
// client went away) is counted, never fatal.
//
// Two ways to the socket. Where the udp-batch addon is built (Linux, native/udp-batch) and the
// address is an IP literal, datagrams come in and go out in batches of up to 32 (recvmmsg,
// sendmmsg): one system call and one call into JavaScript a batch, where node:dgram pays one of
// each a datagram plus a Buffer and an address object (bench/out/dns.md: ~1.7x the datagrams a
// second on loopback). Otherwise, node:dgram.
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Resolver } from './resolver.js';
import { udpBatchAddon } from './udp-batch.js';
import type { UdpBatchAddon, UdpPathOptions } from './udp-batch.js';

const BUFFER_BYTES = 4 << 20;

export class UdpListener {
  private socket: Socket | undefined;
  private batch: BatchSocket | undefined;
  private sendFailures = 0;

  constructor(
    private readonly host: string,
    private readonly resolver: Resolver,
    private readonly maxUdp: () => number,
    private readonly options: UdpPathOptions = {},
  ) {}

  /** which socket path this listener runs on */
  get mode(): 'batched' | 'dgram' | 'stopped' {
    return this.batch ? 'batched' : this.socket ? 'dgram' : 'stopped';
  }

  get sendErrors(): number {
    return this.sendFailures + (this.batch?.sendErrors ?? 0);
  }

  /** The addon's receive counters: datagrams over its 4096-byte slots (dropped unread), failed reads; 0 on node:dgram. */
  get receiveStats(): { oversized: number; errors: number } {
    const [oversized, errors] = this.batch?.stats() ?? [0, 0];
    return { oversized, errors };
  }

  /** Binds (port 0: any free port); resolves with the bound port. */
  start(port: number): Promise<number> {
    const native = this.options.batched === false || isIP(this.host) === 0 ? undefined : udpBatchAddon();
    if (native) {
      this.batch = new BatchSocket(native, this.host, port, this.resolver, this.maxUdp);
      return Promise.resolve(this.batch.port);
    }
    const v6 = this.host.includes(':');
    // Replies go to the sender's address, always an IP literal: the default lookup (dns.lookup)
    // would defer every send by a tick and two closures for nothing.
    const family = v6 ? 6 : 4;
    const lookup = (address: string, _options: unknown, callback: (err: null, address: string, family: number) => void) => callback(null, address, family);
    const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6, recvBufferSize: BUFFER_BYTES, sendBufferSize: BUFFER_BYTES, lookup });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    return new Promise<number>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.host, () => {
        socket.off('error', reject);
        // After bind, a socket error (e.g. ENOBUFS on a send) is logged by the caller's counter, not thrown.
        socket.on('error', () => this.sendFailures++);
        resolve(socket.address().port);
      });
    });
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const reply = this.resolver.handle(msg, msg.length, rinfo.address, false, this.maxUdp());
    if (reply === undefined) return;
    if (reply instanceof Promise) void reply.then((r) => this.send(r, rinfo)).catch(() => this.sendFailures++);
    else this.send(reply, rinfo);
  }

  private send(reply: Buffer, rinfo: RemoteInfo): void {
    const s = this.socket;
    if (!s) return;
    // No callback: Node then sends at once (no request object, no completion callback); a failed
    // send surfaces as the socket's 'error' event, which counts it.
    try {
      s.send(reply, rinfo.port, rinfo.address);
    } catch {
      this.sendFailures++;
    }
  }

  stop(): Promise<void> {
    this.batch?.close();
    this.batch = undefined;
    const s = this.socket;
    this.socket = undefined;
    if (!s) return Promise.resolve();
    return new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/**
 * The batched socket. Each batch arrives as one fresh buffer (the datagrams packed end to end)
 * and an address array shared with the addon: 8 ints a datagram (offset, length, port, address
 * words, IPv6 scope). Replies answered on the spot go out together at the end of the batch;
 * replies that waited for an upstream go out together at the end of the event loop turn they came back in.
 */
class BatchSocket {
  readonly port: number;
  sendErrors = 0;
  private handle: unknown;
  private readonly meta: Int32Array;
  private readonly names: string[] = [];
  private readonly out: Int32Array;
  private readonly replies: Buffer[] = [];
  /** replies that waited for an upstream, sent together at the end of this turn of the event loop */
  private readonly later: Buffer[] = [];
  private laterTo: Int32Array;
  private laterCount = 0;
  private readonly stride: number;
  private readonly v6: boolean;
  /** IPv4 sender (as an int) → its text, for the resolver's per-client state; cleared when large */
  private readonly v4Names = new Map<number, string>();

  constructor(private readonly native: UdpBatchAddon, host: string, port: number, private readonly resolver: Resolver, private readonly maxUdp: () => number) {
    this.v6 = host.includes(':');
    const [handle, bound] = native.open(host, port, this.v6, BUFFER_BYTES);
    this.handle = handle;
    this.port = bound;
    this.stride = native.STRIDE;
    this.meta = new Int32Array(native.BATCH * native.STRIDE);
    this.out = new Int32Array(native.BATCH * native.STRIDE);
    this.laterTo = new Int32Array(native.BATCH * native.STRIDE);
    native.start(handle, this.meta, this.names, (buf, count) => this.onBatch(buf, count));
  }

  private onBatch(buf: Buffer | undefined, count: number): void {
    // undefined: a receive error, reported only for connected sockets (this one is not)
    if (buf === undefined) return;
    const { meta, out, replies, stride } = this;
    const maxUdp = this.maxUdp();
    let ready = 0;
    for (let i = 0; i < count; i++) {
      const m = i * stride;
      const msg = buf.subarray(meta[m], meta[m] + meta[m + 1]);
      let reply: Buffer | Promise<Buffer> | undefined;
      try {
        reply = this.resolver.handle(msg, msg.length, this.clientOf(i), false, maxUdp);
      } catch {
        // the resolver answers its own failures with SERVFAIL; this guards the rest of the batch (counted: no answer went out)
        this.sendErrors++;
        continue;
      }
      if (reply === undefined) continue;
      if (reply instanceof Promise) {
        const to = meta.slice(m, m + stride);
        void reply.then((r) => this.sendOne(r, to)).catch(() => this.sendErrors++);
        continue;
      }
      replies[ready] = reply;
      // copied int by int: a subarray() view a reply was garbage the size of the ints
      for (let k = 0, o = ready * stride; k < stride; k++) out[o + k] = meta[m + k];
      ready++;
    }
    if (ready > 0 && this.handle !== undefined) this.sendErrors += this.native.send(this.handle, replies, out, ready);
    replies.fill(EMPTY, 0, ready);
  }

  /**
   * A reply that waited for an upstream goes out with the others that came back in the same
   * turn of the event loop: one sendmmsg (and one wakeup of the client's side) for them all.
   */
  private sendOne(reply: Buffer, to: Int32Array): void {
    if (this.handle === undefined) return;
    const n = this.laterCount++;
    if ((n + 1) * this.stride > this.laterTo.length) {
      const grown = new Int32Array(this.laterTo.length * 2);
      grown.set(this.laterTo);
      this.laterTo = grown;
    }
    this.later[n] = reply;
    this.laterTo.set(to, n * this.stride);
    if (n === 0) setImmediate(this.sendLater);
  }

  private readonly sendLater = (): void => {
    const n = this.laterCount;
    this.laterCount = 0;
    try {
      if (this.handle !== undefined) this.sendErrors += this.native.send(this.handle, this.later, this.laterTo, n);
    } catch {
      // a bug here must cost these replies, not the daemon (this runs outside any query's catch)
      this.sendErrors += n;
    }
    this.later.length = 0;
    // after a flood, back to a batch's size
    if (this.laterTo.length > this.native.BATCH * this.stride * 4) this.laterTo = new Int32Array(this.native.BATCH * this.stride);
  };

  private clientOf(i: number): string {
    if (this.v6) return this.names[i];
    const a = this.meta[i * this.stride + 3];
    let name = this.v4Names.get(a);
    if (name === undefined) {
      if (this.v4Names.size >= 65536) this.v4Names.clear();
      name = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
      this.v4Names.set(a, name);
    }
    return name;
  }

  stats(): [number, number] {
    return this.handle === undefined ? [0, 0] : this.native.stats(this.handle);
  }

  close(): void {
    if (this.handle === undefined) return;
    const handle = this.handle;
    // first: a reply still on its way to an upstream must not reach a freed socket
    this.handle = undefined;
    this.native.close(handle);
  }
}

const EMPTY = Buffer.alloc(0);
