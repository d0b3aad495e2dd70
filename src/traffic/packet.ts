// Link, network and transport headers of one captured frame, decoded into a reused object: no
// allocation per packet. Addresses stay as offsets into the frame; they become strings only for
// the few packets that carry a server name (addressText).

/** pcap link types we read (tcpdump -i <lan> gives Ethernet; -i any gives Linux SLL) */
export const LINK = { ETHERNET: 1, RAW: 101, LINUX_SLL: 113 } as const;

export const DECODE = {
  OK: 0,
  /** shorter than its headers say */
  TRUNCATED: 1,
  /** not IPv4/IPv6 (ARP, LLDP, …) or not TCP/UDP */
  OTHER: 2,
  /** a later IP fragment: no transport header */
  FRAGMENT: 3,
  /** a header field that cannot be */
  BAD: 4,
} as const;
export type DecodeStatus = (typeof DECODE)[keyof typeof DECODE];

export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_FIN = 0x01;
export const TCP_ACK = 0x10;

export class PacketView {
  buf: Uint8Array = new Uint8Array(0);
  v6 = false;
  /** 6 tcp, 17 udp */
  proto = 0;
  srcOffset = 0;
  dstOffset = 0;
  sport = 0;
  dport = 0;
  /** TCP only */
  seq = 0;
  flags = 0;
  /** transport payload, within buf */
  payloadStart = 0;
  payloadEnd = 0;

  get payloadLength(): number {
    return this.payloadEnd - this.payloadStart;
  }
}

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** Decodes one frame of `linkType`, buf[start, end), into `out`. Never throws. */
export function decodePacket(buf: Uint8Array, linkType: number, out: PacketView, start = 0, end = buf.length): DecodeStatus {
  out.buf = buf;
  let off = start;
  let etherType: number;
  if (linkType === LINK.ETHERNET) {
    if (end - start < 14) return DECODE.TRUNCATED;
    etherType = u16(buf, start + 12);
    off = start + 14;
    // 802.1Q / 802.1ad tags (at most two: QinQ)
    for (let tags = 0; (etherType === 0x8100 || etherType === 0x88a8) && tags < 2; tags++) {
      if (end < off + 4) return DECODE.TRUNCATED;
      etherType = u16(buf, off + 2);
      off += 4;
    }
  } else if (linkType === LINK.LINUX_SLL) {
    if (end - start < 16) return DECODE.TRUNCATED;
    etherType = u16(buf, start + 14);
    off = start + 16;
  } else if (linkType === LINK.RAW) {
    if (end - start < 1) return DECODE.TRUNCATED;
    etherType = buf[start] >> 4 === 6 ? 0x86dd : 0x0800;
  } else {
    return DECODE.OTHER;
  }
  if (etherType === 0x0800) return decodeIPv4(buf, off, end, out);
  if (etherType === 0x86dd) return decodeIPv6(buf, off, end, out);
  return DECODE.OTHER;
}

function decodeIPv4(buf: Uint8Array, off: number, frameEnd: number, out: PacketView): DecodeStatus {
  if (frameEnd < off + 20) return DECODE.TRUNCATED;
  if (buf[off] >> 4 !== 4) return DECODE.BAD;
  const ihl = (buf[off] & 0x0f) * 4;
  const total = u16(buf, off + 2);
  if (ihl < 20 || total < ihl) return DECODE.BAD;
  // Ethernet pads short frames: the IP total length says where the packet ends.
  const end = off + total;
  if (end > frameEnd) return DECODE.TRUNCATED;
  if ((u16(buf, off + 6) & 0x1fff) !== 0) return DECODE.FRAGMENT;
  out.v6 = false;
  out.proto = buf[off + 9];
  out.srcOffset = off + 12;
  out.dstOffset = off + 16;
  return decodeTransport(buf, off + ihl, end, out);
}

function decodeIPv6(buf: Uint8Array, off: number, frameEnd: number, out: PacketView): DecodeStatus {
  if (frameEnd < off + 40) return DECODE.TRUNCATED;
  if (buf[off] >> 4 !== 6) return DECODE.BAD;
  const end = off + 40 + u16(buf, off + 4);
  if (end > frameEnd) return DECODE.TRUNCATED;
  out.v6 = true;
  out.srcOffset = off + 8;
  out.dstOffset = off + 24;
  let next = buf[off + 6];
  let p = off + 40;
  // Extension headers (RFC 8200 §4), bounded: a chain longer than 8 is not worth following.
  for (let i = 0; i < 8; i++) {
    if (next === 0 || next === 43 || next === 60) {
      if (p + 8 > end) return DECODE.TRUNCATED;
      next = buf[p];
      p += (buf[p + 1] + 1) * 8;
    } else if (next === 44) {
      if (p + 8 > end) return DECODE.TRUNCATED;
      if ((u16(buf, p + 2) & 0xfff8) !== 0) return DECODE.FRAGMENT;
      next = buf[p];
      p += 8;
    } else if (next === 51) {
      // AH: its length is in 4-octet units, minus 2 (RFC 4302)
      if (p + 8 > end) return DECODE.TRUNCATED;
      next = buf[p];
      p += (buf[p + 1] + 2) * 4;
    } else {
      break;
    }
  }
  if (p > end) return DECODE.TRUNCATED;
  out.proto = next;
  return decodeTransport(buf, p, end, out);
}

function decodeTransport(buf: Uint8Array, off: number, end: number, out: PacketView): DecodeStatus {
  if (out.proto === 6) {
    if (off + 20 > end) return DECODE.TRUNCATED;
    const dataOffset = (buf[off + 12] >> 4) * 4;
    if (dataOffset < 20) return DECODE.BAD;
    if (off + dataOffset > end) return DECODE.TRUNCATED;
    out.sport = u16(buf, off);
    out.dport = u16(buf, off + 2);
    out.seq = u32(buf, off + 4);
    out.flags = buf[off + 13];
    out.payloadStart = off + dataOffset;
    out.payloadEnd = end;
    return DECODE.OK;
  }
  if (out.proto === 17) {
    if (off + 8 > end) return DECODE.TRUNCATED;
    const len = u16(buf, off + 4);
    if (len < 8) return DECODE.BAD;
    if (off + len > end) return DECODE.TRUNCATED;
    out.sport = u16(buf, off);
    out.dport = u16(buf, off + 2);
    out.seq = 0;
    out.flags = 0;
    out.payloadStart = off + 8;
    out.payloadEnd = off + len;
    return DECODE.OK;
  }
  return DECODE.OTHER;
}

/** The source or destination address as text (IPv6 in its RFC 5952 short form). */
export function addressText(p: PacketView, which: 'src' | 'dst'): string {
  const o = which === 'src' ? p.srcOffset : p.dstOffset;
  const b = p.buf;
  if (!p.v6) return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(u16(b, o + i));
  // the longest run (≥ 2) of zero words becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}

/** A hashable key of the connection, client side first (the packet's source). */
export function flowKey(p: PacketView): string {
  return `${addressText(p, 'src')}|${p.sport}|${addressText(p, 'dst')}|${p.dport}|${p.proto}`;
}
