// DNS over UDP on one address. A datagram is handed to the resolver as it is; the reply (sized
// to the client's EDNS buffer by the resolver) goes back to the sender. A send that fails (the
// client went away) is counted, never fatal.
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import type { Resolver } from './resolver.js';

export class UdpListener {
  private socket: Socket | undefined;
  sendErrors = 0;

  constructor(
    private readonly host: string,
    private readonly resolver: Resolver,
    private readonly maxUdp: () => number,
  ) {}

  /** Binds (port 0: any free port); resolves with the bound port. */
  start(port: number): Promise<number> {
    const v6 = this.host.includes(':');
    // Replies go to the sender's address, always an IP literal: the default lookup (dns.lookup)
    // would defer every send by a tick and two closures for nothing.
    const family = v6 ? 6 : 4;
    const lookup = (address: string, _options: unknown, callback: (err: null, address: string, family: number) => void) => callback(null, address, family);
    const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20, lookup });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    return new Promise<number>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.host, () => {
        socket.off('error', reject);
        // After bind, a socket error (e.g. ENOBUFS on a send) is logged by the caller's counter, not thrown.
        socket.on('error', () => this.sendErrors++);
        resolve(socket.address().port);
      });
    });
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const reply = this.resolver.handle(msg, msg.length, rinfo.address, false, this.maxUdp());
    if (reply === undefined) return;
    if (reply instanceof Promise) void reply.then((r) => this.send(r, rinfo)).catch(() => this.sendErrors++);
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
      this.sendErrors++;
    }
  }

  stop(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (!s) return Promise.resolve();
    return new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
