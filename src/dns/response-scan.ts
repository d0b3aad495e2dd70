// Reading an upstream's answer once, when it arrives (the slow path): where every TTL sits, the
// CNAME targets (the policy looks each one up: CNAME cloaking), the A/AAAA addresses (the
// firewall learns DoH/VPN endpoints from them), the negative-caching TTL (RFC 2308) and the OPT
// record, which is stripped before caching (each reply gets our own OPT, or none).
import { HEADER, TYPE, skipName } from './wire.js';

export interface ScannedResponse {
  rcode: number;
  flags: number;
  /** offsets of the TTL field of every record but OPT */
  ttlOffsets: number[];
  /** smallest TTL of the answer section (records of the question's chain) */
  answerTtl: number;
  answerCount: number;
  /** CNAME (and DNAME) targets of the answer section, lower case, no trailing dot */
  targets: string[];
  addresses: string[];
  /** RFC 2308 §5: min(SOA TTL, SOA MINIMUM) of the authority section's SOA, if any */
  soaTtl: number | undefined;
  /** the OPT record [start, end), or start -1 */
  optStart: number;
  optEnd: number;
}

/** A name at `p`, following compression pointers (backwards only, at most 64 hops). */
export function readName(buf: Uint8Array, len: number, p: number): { name: string; end: number } | undefined {
  let name = '';
  let end = -1;
  let total = 0;
  for (let hops = 0; hops < 64;) {
    if (p >= len) return undefined;
    const l = buf[p];
    if (l === 0) {
      if (end < 0) end = p + 1;
      return { name: name.toLowerCase(), end };
    }
    if ((l & 0xc0) === 0xc0) {
      if (p + 1 >= len) return undefined;
      const target = ((l & 0x3f) << 8) | buf[p + 1];
      // A pointer must point before itself: that alone rules out loops.
      if (target >= p) return undefined;
      if (end < 0) end = p + 2;
      p = target;
      hops++;
      continue;
    }
    if (l > 63 || p + 1 + l > len) return undefined;
    total += l + 1;
    if (total > 255) return undefined;
    const label = Buffer.from(buf.buffer, buf.byteOffset + p + 1, l).toString('latin1');
    name = name ? `${name}.${label}` : label;
    p += 1 + l;
  }
  return undefined;
}

function ipv4(buf: Uint8Array, p: number): string {
  return `${buf[p]}.${buf[p + 1]}.${buf[p + 2]}.${buf[p + 3]}`;
}

function ipv6(buf: Uint8Array, p: number): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((buf[p + i] << 8) | buf[p + i + 1]).toString(16));
  return compressV6(words);
}

/** Eight hex words as RFC 5952 text (the longest run of zero words collapsed), so addresses compare as text. */
export function compressV6(words: readonly string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}

/** Scans a whole response; undefined when it is malformed anywhere. */
export function scanResponse(buf: Uint8Array, len = buf.length): ScannedResponse | undefined {
  if (len < HEADER) return undefined;
  const flags = (buf[2] << 8) | buf[3];
  const qd = (buf[4] << 8) | buf[5];
  const an = (buf[6] << 8) | buf[7];
  const ns = (buf[8] << 8) | buf[9];
  const ar = (buf[10] << 8) | buf[11];
  const out: ScannedResponse = {
    rcode: flags & 0xf, flags, ttlOffsets: [], answerTtl: Infinity, answerCount: an, targets: [], addresses: [], soaTtl: undefined, optStart: -1, optEnd: -1,
  };
  let p = HEADER;
  for (let i = 0; i < qd; i++) {
    p = skipName(buf, len, p);
    if (p < 0 || p + 4 > len) return undefined;
    p += 4;
  }
  const total = an + ns + ar;
  for (let i = 0; i < total; i++) {
    const start = p;
    p = skipName(buf, len, p);
    if (p < 0 || p + 10 > len) return undefined;
    const type = (buf[p] << 8) | buf[p + 1];
    const ttl = ((buf[p + 4] << 24) | (buf[p + 5] << 16) | (buf[p + 6] << 8) | buf[p + 7]) >>> 0;
    const rdlen = (buf[p + 8] << 8) | buf[p + 9];
    const rdata = p + 10;
    const end = rdata + rdlen;
    if (end > len) return undefined;
    if (type === TYPE.OPT) {
      if (out.optStart >= 0 || i < an + ns) return undefined;
      out.optStart = start;
      out.optEnd = end;
    } else {
      out.ttlOffsets.push(p + 4);
      // RFC 2181 §8: a TTL with the top bit set is treated as zero.
      const t = ttl > 0x7fffffff ? 0 : ttl;
      if (i < an) {
        out.answerTtl = Math.min(out.answerTtl, t);
        if (type === TYPE.CNAME || type === 39 /* DNAME */) {
          const target = readName(buf, end, rdata);
          if (!target) return undefined;
          if (!out.targets.includes(target.name)) out.targets.push(target.name);
        } else if (type === TYPE.A && rdlen === 4) {
          out.addresses.push(ipv4(buf, rdata));
        } else if (type === TYPE.AAAA && rdlen === 16) {
          out.addresses.push(ipv6(buf, rdata));
        }
      } else if (i < an + ns && type === TYPE.SOA) {
        const mname = skipName(buf, end, rdata);
        const rname = mname < 0 ? -1 : skipName(buf, end, mname);
        if (rname < 0 || rname + 20 > end) return undefined;
        const minimum = ((buf[rname + 16] << 24) | (buf[rname + 17] << 16) | (buf[rname + 18] << 8) | buf[rname + 19]) >>> 0;
        out.soaTtl = Math.min(t, minimum > 0x7fffffff ? 0 : minimum);
      }
    }
    p = end;
  }
  return out;
}

/**
 * The response without its OPT record (ARCOUNT one less) and with ID 0: what the cache keeps.
 * TTL offsets after the OPT record move with it.
 */
export function withoutOpt(buf: Uint8Array, len: number, scan: ScannedResponse): { body: Buffer; ttlOffsets: number[] } {
  if (scan.optStart < 0) {
    const body = Buffer.allocUnsafe(len);
    body.set(buf.subarray(0, len), 0);
    body[0] = 0;
    body[1] = 0;
    return { body, ttlOffsets: scan.ttlOffsets };
  }
  const cut = scan.optEnd - scan.optStart;
  const body = Buffer.allocUnsafe(len - cut);
  body.set(buf.subarray(0, scan.optStart), 0);
  body.set(buf.subarray(scan.optEnd, len), scan.optStart);
  body[0] = 0;
  body[1] = 0;
  const ar = ((body[10] << 8) | body[11]) - 1;
  body[10] = ar >> 8;
  body[11] = ar & 0xff;
  return { body, ttlOffsets: scan.ttlOffsets.map((o) => (o > scan.optStart ? o - cut : o)) };
}
