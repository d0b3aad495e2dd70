// A client's reply from a cached upstream message: the client's ID and question bytes (its
// letter case), TTLs decremented by the entry's age and capped by the decision's window, our
// OPT record when the client sent one. Wire bytes only: the cache-hit path allocates one buffer.
import { ttlOffset, writeBody } from './answer-cache.js';
import type { CacheEntry } from './answer-cache.js';
import { optSize, writeOpt } from './reply.js';
import type { Ede } from './reply.js';
import { FLAG, HEADER } from './wire.js';
import type { ParsedQuery } from './wire.js';

/** RFC 8767 §4: stale answers go out with a TTL of 30 s. */
export const STALE_TTL = 30;

export function replyFromCache(e: CacheEntry, req: Uint8Array, q: ParsedQuery, now: number, ttlCap: number, udpSize: number, stale: boolean, ede?: Ede): Buffer {
  const optLen = q.edns ? optSize(ede) : 0;
  const out = writeBody(e, Buffer.allocUnsafe(e.bodyLen + optLen));
  out[0] = q.id >> 8;
  out[1] = q.id & 0xff;
  const upstreamFlags = (out[2] << 8) | out[3];
  // A forwarder is not authoritative (AA off); AD only for clients that asked for it (RFC 6840 §5.8).
  const wantsAd = q.dnssecOk || (q.flags & FLAG.AD) !== 0;
  const flags = FLAG.QR | FLAG.RA | (q.flags & (FLAG.RD | FLAG.CD)) | (wantsAd ? upstreamFlags & FLAG.AD : 0) | (upstreamFlags & 0xf);
  out[2] = flags >> 8;
  out[3] = flags & 0xff;
  out.set(req.subarray(HEADER, q.questionEnd), HEADER);
  const age = Math.max(0, Math.floor((now - e.storedAt) / 1000));
  for (let i = 0; i < e.ttlCount; i++) {
    const o = ttlOffset(e, i);
    let ttl = ((out[o] << 24) | (out[o + 1] << 16) | (out[o + 2] << 8) | out[o + 3]) >>> 0;
    if (ttl > 0x7fffffff) ttl = 0;
    ttl = stale ? Math.min(STALE_TTL, ttlCap) : Math.min(Math.max(0, ttl - age), ttlCap);
    out[o] = ttl >>> 24;
    out[o + 1] = (ttl >>> 16) & 0xff;
    out[o + 2] = (ttl >>> 8) & 0xff;
    out[o + 3] = ttl & 0xff;
  }
  if (q.edns) {
    writeOpt(out, e.bodyLen, q, udpSize, ede);
    const ar = ((out[10] << 8) | out[11]) + 1;
    out[10] = ar >> 8;
    out[11] = ar & 0xff;
  }
  return out;
}
