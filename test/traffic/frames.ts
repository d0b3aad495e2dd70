// Ethernet frames and pcap files built by hand, for decoder tests and the bench's generated
// capture. Checksums are left zero: the decoder does not verify them (tcpdump sees offloaded
// packets with bad checksums all the time).
import { isIPv4 } from 'node:net';

export interface FrameSpec {
  src: string;
  dst: string;
  proto: 'tcp' | 'udp';
  sport: number;
  dport: number;
  payload?: Uint8Array;
  seq?: number;
  /** TCP flags byte (default PSH|ACK) */
  flags?: number;
  /** 802.1Q VLAN id */
  vlan?: number;
  /** IPv6 extension headers to put before the transport header: hop-by-hop and destination options */
  ext6?: boolean;
}

const v4 = (a: string) => Buffer.from(a.split('.').map(Number));
function v6(a: string): Buffer {
  const [head, tail = ''] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = a.includes('::') ? (tail ? tail.split(':') : []) : [];
  const words = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  words.forEach((w, i) => b.writeUInt16BE(parseInt(w || '0', 16), i * 2));
  return b;
}

export function frame(s: FrameSpec): Buffer {
  const payload = Buffer.from(s.payload ?? new Uint8Array(0));
  let l4: Buffer;
  if (s.proto === 'tcp') {
    l4 = Buffer.alloc(20);
    l4.writeUInt16BE(s.sport, 0);
    l4.writeUInt16BE(s.dport, 2);
    l4.writeUInt32BE((s.seq ?? 1000) >>> 0, 4);
    l4[12] = 5 << 4;
    l4[13] = s.flags ?? 0x18;
    l4.writeUInt16BE(65535, 14);
  } else {
    l4 = Buffer.alloc(8);
    l4.writeUInt16BE(s.sport, 0);
    l4.writeUInt16BE(s.dport, 2);
    l4.writeUInt16BE(8 + payload.length, 4);
  }
  const proto = s.proto === 'tcp' ? 6 : 17;
  let l3: Buffer;
  if (isIPv4(s.src)) {
    l3 = Buffer.alloc(20);
    l3[0] = 0x45;
    l3.writeUInt16BE(20 + l4.length + payload.length, 2);
    l3[6] = 0x40; // DF
    l3[8] = 64;
    l3[9] = proto;
    v4(s.src).copy(l3, 12);
    v4(s.dst).copy(l3, 16);
  } else {
    const ext = s.ext6 ? Buffer.from([60, 0, 1, 4, 0, 0, 0, 0, proto, 0, 1, 4, 0, 0, 0, 0]) : Buffer.alloc(0);
    l3 = Buffer.alloc(40);
    l3[0] = 0x60;
    l3.writeUInt16BE(ext.length + l4.length + payload.length, 4);
    l3[6] = s.ext6 ? 0 : proto;
    l3[7] = 64;
    v6(s.src).copy(l3, 8);
    v6(s.dst).copy(l3, 24);
    l3 = Buffer.concat([l3, ext]);
  }
  const type = isIPv4(s.src) ? 0x0800 : 0x86dd;
  const eth = Buffer.alloc(s.vlan === undefined ? 14 : 18);
  Buffer.from('020000000002020000000001', 'hex').copy(eth, 0);
  if (s.vlan === undefined) eth.writeUInt16BE(type, 12);
  else {
    eth.writeUInt16BE(0x8100, 12);
    eth.writeUInt16BE(s.vlan, 14);
    eth.writeUInt16BE(type, 16);
  }
  return Buffer.concat([eth, l3, l4, payload]);
}

/** A pcap file (libpcap 2.4, microseconds, Ethernet) of these frames. */
export function pcapHeader(linkType = 1): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(linkType, 20);
  return h;
}

export function pcapRecord(f: Uint8Array, timeMs: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(Math.floor(timeMs / 1000), 0);
  h.writeUInt32LE((timeMs % 1000) * 1000, 4);
  h.writeUInt32LE(f.length, 8);
  h.writeUInt32LE(f.length, 12);
  return Buffer.concat([h, f]);
}

export function pcapFile(frames: readonly Uint8Array[], t0 = 1_764_000_000_000): Buffer {
  return Buffer.concat([pcapHeader(), ...frames.map((f, i) => pcapRecord(f, t0 + i))]);
}
