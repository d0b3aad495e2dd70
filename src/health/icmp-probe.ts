// ICMP echo over raw sockets (raw-socket addon; needs CAP_NET_RAW, which the daemon has as root).
// One socket per address family, opened on first use; replies are matched by our identifier and
// the sequence number. No socket, no probe: the caller says so once and relies on DNS probes.
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import raw from 'raw-socket';
import type { RawSocket } from 'raw-socket';
import type { ProbeOutcome } from './facts.js';

const PAYLOAD = Buffer.from('schoolgate-wan-probe');
/** the outcome of a ping that could not be sent: no raw socket (not a lost probe) */
export const NO_SOCKET = 'no raw socket';
const ECHO_REQUEST = { 4: 8, 6: 128 } as const;
const ECHO_REPLY = { 4: 0, 6: 129 } as const;

interface Waiter {
  resolve(outcome: ProbeOutcome): void;
  sentAt: number;
  target: string;
}

export class IcmpPinger {
  private readonly sockets = new Map<4 | 6, RawSocket>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly id = randomInt(1, 0xffff);
  private seq = randomInt(0, 0xffff);
  /** why ICMP cannot run here (set once the socket refuses to open) */
  unavailable: string | undefined;

  ping(target: string, timeoutMs: number): Promise<ProbeOutcome> {
    const family = isIP(target) === 6 ? 6 : 4;
    const socket = this.socket(family);
    if (!socket) return Promise.resolve({ kind: 'icmp', target, ok: false, error: NO_SOCKET });
    this.seq = (this.seq + 1) & 0xffff;
    const seq = this.seq;
    const key = `${family}:${seq}`;
    const packet = Buffer.alloc(8 + PAYLOAD.length);
    packet[0] = ECHO_REQUEST[family];
    packet.writeUInt16BE(this.id, 4);
    packet.writeUInt16BE(seq, 6);
    PAYLOAD.copy(packet, 8);
    // The kernel fills in the ICMPv6 checksum itself (RFC 3542 §3.1); ICMPv4 carries ours.
    if (family === 4) raw.writeChecksum(packet, 2, raw.createChecksum(packet));
    return new Promise((resolve) => {
      const timer = setTimeout(() => done({ kind: 'icmp', target, ok: false, error: 'timeout' }), timeoutMs);
      const done = (o: ProbeOutcome) => {
        clearTimeout(timer);
        this.waiters.delete(key);
        resolve(o);
      };
      this.waiters.set(key, { resolve: done, sentAt: performance.now(), target });
      socket.send(packet, 0, packet.length, target, (err) => {
        if (err) done({ kind: 'icmp', target, ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message });
      });
    });
  }

  close(): void {
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
    for (const w of [...this.waiters.values()]) w.resolve({ kind: 'icmp', target: w.target, ok: false, error: 'stopped' });
  }

  private socket(family: 4 | 6): RawSocket | undefined {
    const have = this.sockets.get(family);
    if (have) return have;
    let s: RawSocket;
    try {
      s = family === 4
        ? raw.createSocket({ protocol: raw.Protocol.ICMP, addressFamily: raw.AddressFamily.IPv4 })
        : raw.createSocket({ protocol: raw.Protocol.ICMPv6, addressFamily: raw.AddressFamily.IPv6 });
    } catch (err) {
      this.unavailable = `ICMP probes cannot run (${(err as Error).message}: raw sockets need root or CAP_NET_RAW); the WAN LED follows the DNS probes`;
      return undefined;
    }
    s.on('message', (buf) => this.onReply(family, buf));
    // A socket error closes it; the next round opens a new one.
    s.on('error', () => this.sockets.delete(family));
    this.sockets.set(family, s);
    this.unavailable = undefined;
    return s;
  }

  private onReply(family: 4 | 6, buf: Buffer): void {
    // IPv4 raw sockets hand us the IP header too; IPv6 ones start at the ICMPv6 header.
    const at = family === 4 ? (buf[0] & 0x0f) * 4 : 0;
    if (buf.length < at + 8 || buf[at] !== ECHO_REPLY[family] || buf.readUInt16BE(at + 4) !== this.id) return;
    const w = this.waiters.get(`${family}:${buf.readUInt16BE(at + 6)}`);
    if (!w) return;
    w.resolve({ kind: 'icmp', target: w.target, ok: true, rttMs: Math.round((performance.now() - w.sentAt) * 10) / 10 });
  }
}
