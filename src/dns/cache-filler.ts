// Cache misses: one upstream query per distinct question in flight (identical questions wait for
// the same answer: coalescing), the answer read once (response-scan) and stored with its TTL —
// positive answers clamped to [minTtl, maxTtl], negative ones to the SOA's TTL and MINIMUM and
// dns.cache.negativeTtl (RFC 2308; no SOA: not cached). SERVFAIL and other failures are not
// cached: the caller falls back to a stale entry (RFC 8767) if it has one.
import { parseDuration } from '../schema/index.js';
import type { DnsConfig } from './config.js';
import type { AnswerCache, CacheEntry } from './answer-cache.js';
import { cacheKey, newEntry } from './answer-cache.js';
import type { ForwardResult, Forwarder } from './forwarder.js';
import { scanResponse } from './response-scan.js';
import { RCODE } from './wire.js';
import type { ParsedQuery } from './wire.js';

export type FillResult =
  | { ok: true; entry: CacheEntry; upstream: string }
  | { ok: false; why: 'all-down' | 'failed' | 'servfail' | 'malformed' | 'stopped'; upstream?: string; rcode?: number };

export interface FillerStats {
  coalesced: number;
  stored: number;
  negative: number;
  malformed: number;
}

export class CacheFiller {
  readonly stats: FillerStats = { coalesced: 0, stored: 0, negative: 0, malformed: 0 };
  private readonly inflight = new Map<string, Promise<FillResult>>();
  private staleFor: DnsConfig['cache'] | undefined;
  private staleMs = 0;

  constructor(
    private readonly cache: AnswerCache,
    private readonly forwarder: Forwarder,
    private readonly cfg: () => DnsConfig['cache'],
    private readonly now: () => number,
  ) {}

  /** dns.cache.serveStale in ms, parsed once per config (not per miss) */
  private serveStaleMs(c: DnsConfig['cache']): number {
    if (this.staleFor !== c) {
      this.staleFor = c;
      this.staleMs = (parseDuration(c.serveStale) ?? 3600) * 1000;
    }
    return this.staleMs;
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  /** The upstream answer to `req`'s question, stored (when cacheable) and returned as an entry. */
  fill(req: Uint8Array, q: ParsedQuery): Promise<FillResult> {
    const key = cacheKey(req, q);
    const k = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
    const pending = this.inflight.get(k);
    if (pending) {
      this.stats.coalesced++;
      return pending;
    }
    const flags = key[key.length - 1];
    const hash = q.hash;
    const p = this.forwarder.forward(key.subarray(0, key.length - 1), (flags & 1) !== 0, (flags & 2) !== 0).then(
      (r) => {
        this.inflight.delete(k);
        return this.store(r, key, hash);
      },
      (err: unknown) => {
        this.inflight.delete(k);
        throw err;
      },
    );
    this.inflight.set(k, p);
    return p;
  }

  /** An upstream's answer, read and (when cacheable) stored. */
  private store(r: ForwardResult, key: Uint8Array, hash: number): FillResult {
    if (!r.ok) return { ok: false, why: r.error, upstream: r.upstream };
    const scan = scanResponse(r.message, r.message.length, false);
    if (!scan) {
      this.stats.malformed++;
      return { ok: false, why: 'malformed', upstream: r.upstream };
    }
    if (scan.rcode !== RCODE.NOERROR && scan.rcode !== RCODE.NXDOMAIN) return { ok: false, why: 'servfail', upstream: r.upstream, rcode: scan.rcode };
    const c = this.cfg();
    const negative = scan.rcode === RCODE.NXDOMAIN || scan.answerCount === 0;
    let ttl: number;
    if (negative) ttl = scan.soaTtl === undefined ? 0 : Math.min(scan.soaTtl, c.negativeTtl);
    else ttl = Math.min(c.maxTtl, Math.max(c.minTtl, scan.answerTtl === Infinity ? 0 : scan.answerTtl));
    const now = this.now();
    const entry: CacheEntry = newEntry({
      key, message: r.message, scan, storedAt: now, expiresAt: now + ttl * 1000,
      staleUntil: now + ttl * 1000 + this.serveStaleMs(c), upstream: r.upstream,
    });
    // Not cacheable (no TTL, no SOA): answered once, not kept.
    if (ttl <= 0) return { ok: true, entry, upstream: r.upstream };
    this.stats.stored++;
    if (negative) this.stats.negative++;
    return { ok: true, entry: this.cache.set(entry, hash), upstream: r.upstream };
  }
}
