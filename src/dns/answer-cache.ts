// Upstream answers, independent of policy: the decision runs per query and per group on every
// hit (it is cheap), so an override applies on the very next query with no flush, and an answer
// a schedule allowed never goes out with a TTL past the window (the caller caps the TTL).
//
// Bounded by memory (bytes of the stored messages plus a fixed overhead per entry), least
// recently used out first. Keys are the question (name case-folded, type, class) plus the DO and
// CD bits; a hit compares the key bytes, so a hash collision can never serve a wrong answer.
// Expired entries stay for the serve-stale window (RFC 8767) and then go.
//
// One entry is one object and one string (message, key and TTL offsets side by side, one byte a
// character): with tens of thousands of entries the per-entry overhead, not the messages, is what
// the memory goes on, and a Buffer costs ~300 bytes more resident than a string of the same bytes
// (its JS object, its ArrayBuffer, the backing store's malloc and its bookkeeping; measured).
import type { CategoryBits } from '../lists/index.js';
import { lengthWithoutOpt, writeWithoutOpt } from './response-scan.js';
import type { ScannedResponse } from './response-scan.js';
import { HEADER } from './wire.js';
import type { ParsedQuery } from './wire.js';

/**
 * Bytes charged per entry on top of its bytes: the entry object and its three timestamps, the
 * string's header, the map slot. Measured: 50,000 two-address answers cost 429 bytes of heap each
 * after a full GC, 156 of them the string's characters (with a Buffer: 593, RSS 745 against 436).
 */
export const ENTRY_OVERHEAD = 280;

export interface CacheEntry {
  hash: number;
  /**
   * Latin-1, one byte a character:
   * [body: the upstream message, ID 0, no OPT record]
   * [key: question bytes, name lower-cased, one byte of DO/CD flags]
   * [TTL offsets into the body, u16 little-endian each]
   */
  data: string;
  keyLen: number;
  bodyLen: number;
  ttlCount: number;
  rcode: number;
  /** epoch ms */
  storedAt: number;
  expiresAt: number;
  staleUntil: number;
  targets: readonly string[];
  /** the answer has A/AAAA records (their addresses are read from the body when a listed name needs them) */
  hasAddresses: boolean;
  /** categories of the CNAME targets, computed against index generation `bitsOf` (recomputed after an index swap) */
  targetBits: CategoryBits | undefined;
  /** DomainIndex.generation, 0 for none: a number, so a cached answer never keeps a swapped-out index alive */
  bitsOf: number;
  upstream: string;
  size: number;
  prev: CacheEntry | undefined;
  next: CacheEntry | undefined;
  /** next entry with the same hash */
  chain: CacheEntry | undefined;
}

export interface NewEntry {
  key: Uint8Array;
  /** the upstream message and its scan: stored without the OPT record */
  message: Uint8Array;
  scan: ScannedResponse;
  storedAt: number;
  expiresAt: number;
  staleUntil: number;
  upstream: string;
}

const NO_TARGETS: readonly string[] = [];

/** Where entries are put together before they become strings (a DNS message is at most 64 kB). */
let packing = Buffer.allocUnsafeSlow(4096);

/** Packs a new entry into its one string. */
export function newEntry(n: NewEntry): CacheEntry {
  const bodyLen = lengthWithoutOpt(n.message.length, n.scan);
  const total = bodyLen + n.key.length + n.scan.ttlOffsets.length * 2;
  if (total > packing.length) packing = Buffer.allocUnsafeSlow(Math.max(total, packing.length * 2));
  const offsets = writeWithoutOpt(n.message, n.message.length, n.scan, packing, 0);
  packing.set(n.key, bodyLen);
  let p = bodyLen + n.key.length;
  for (const o of offsets) {
    packing[p] = o & 0xff;
    packing[p + 1] = o >> 8;
    p += 2;
  }
  const data = packing.toString('latin1', 0, total);
  return {
    hash: 0, data, keyLen: n.key.length, bodyLen, ttlCount: offsets.length, rcode: n.scan.rcode,
    storedAt: n.storedAt, expiresAt: n.expiresAt, staleUntil: n.staleUntil, targets: n.scan.targets.length ? n.scan.targets : NO_TARGETS,
    hasAddresses: n.scan.addressCount > 0, targetBits: undefined, bitsOf: 0, upstream: n.upstream, size: 0, prev: undefined, next: undefined, chain: undefined,
  };
}

/** The cached message, as a new buffer. */
export function entryBody(e: CacheEntry): Buffer {
  return writeBody(e, Buffer.allocUnsafe(e.bodyLen));
}

/** Writes the cached message at the start of `out` (which has room for it). */
export function writeBody(e: CacheEntry, out: Buffer): Buffer {
  // the binding itself: Buffer#write's argument and encoding handling cost as much as the copy
  Buffer.prototype.latin1Write.call(out, e.data, 0, e.bodyLen);
  return out;
}

/** Offset of the i-th TTL field in the body. */
export function ttlOffset(e: CacheEntry, i: number): number {
  const p = e.bodyLen + e.keyLen + i * 2;
  return e.data.charCodeAt(p) | (e.data.charCodeAt(p + 1) << 8);
}

export function keyFlags(q: ParsedQuery): number {
  return (q.dnssecOk ? 1 : 0) | (q.flags & 0x0010 ? 2 : 0);
}

/** The cache key of a query: question bytes lower-cased, plus the flags byte. */
export function cacheKey(buf: Uint8Array, q: ParsedQuery): Uint8Array {
  const n = q.questionEnd - HEADER;
  const key = new Uint8Array(n + 1);
  for (let i = 0; i < n; i++) {
    const c = buf[HEADER + i];
    key[i] = c >= 65 && c <= 90 && i < q.nameEnd - HEADER ? c | 0x20 : c;
  }
  key[n] = keyFlags(q);
  return key;
}

function keyMatches(e: CacheEntry, buf: Uint8Array, q: ParsedQuery, flags: number): boolean {
  const n = q.questionEnd - HEADER;
  const data = e.data;
  const k = e.bodyLen;
  if (e.keyLen !== n + 1 || data.charCodeAt(k + n) !== flags) return false;
  const nameLen = q.nameEnd - HEADER;
  for (let i = 0; i < n; i++) {
    let c = buf[HEADER + i];
    if (i < nameLen && c >= 65 && c <= 90) c |= 0x20;
    if (data.charCodeAt(k + i) !== c) return false;
  }
  return true;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  evicted: number;
}

export class AnswerCache {
  private readonly table = new Map<number, CacheEntry>();
  private head: CacheEntry | undefined;
  private tail: CacheEntry | undefined;
  readonly stats: CacheStats = { entries: 0, bytes: 0, hits: 0, misses: 0, evicted: 0 };

  constructor(private maxBytes: number) {}

  resize(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.evictOver();
  }

  /** The entry for the query, fresh or stale (the caller looks at expiresAt), or undefined. */
  get(buf: Uint8Array, q: ParsedQuery, now: number): CacheEntry | undefined {
    const flags = keyFlags(q);
    let e = this.table.get(q.hash ^ flags);
    while (e !== undefined && !keyMatches(e, buf, q, flags)) e = e.chain;
    if (e === undefined) return undefined;
    if (now >= e.staleUntil) {
      this.remove(e);
      return undefined;
    }
    this.touch(e);
    return e;
  }

  /** Stores `e` (its hash, size and links are set here) and returns it. */
  set(e: CacheEntry, hash: number): CacheEntry {
    const flags = e.data.charCodeAt(e.bodyLen + e.keyLen - 1);
    const h = hash ^ flags;
    let size = e.data.length + ENTRY_OVERHEAD;
    for (const t of e.targets) size += t.length + 32;
    e.hash = h;
    e.size = size;
    // Replace an entry with the same key.
    let old = this.table.get(h);
    while (old !== undefined && !sameKey(old, e)) old = old.chain;
    if (old) this.remove(old);
    if (size > this.maxBytes) return e;
    e.chain = this.table.get(h);
    this.table.set(h, e);
    this.linkHead(e);
    this.stats.entries++;
    this.stats.bytes += size;
    this.evictOver();
    return e;
  }

  /** Drops entries past their stale window, oldest-used first, at most `limit` checks. */
  sweep(now: number, limit = 10_000): number {
    let removed = 0;
    let e = this.tail;
    for (let i = 0; e !== undefined && i < limit; i++) {
      const prev = e.prev;
      if (now >= e.staleUntil) {
        this.remove(e);
        removed++;
      }
      e = prev;
    }
    return removed;
  }

  clear(): void {
    this.table.clear();
    this.head = this.tail = undefined;
    this.stats.entries = 0;
    this.stats.bytes = 0;
  }

  private evictOver(): void {
    while (this.stats.bytes > this.maxBytes && this.tail) {
      this.remove(this.tail);
      this.stats.evicted++;
    }
  }

  private remove(e: CacheEntry): void {
    // unchain
    let cur = this.table.get(e.hash);
    if (cur === e) {
      if (e.chain) this.table.set(e.hash, e.chain);
      else this.table.delete(e.hash);
    } else {
      while (cur && cur.chain !== e) cur = cur.chain;
      if (cur) cur.chain = e.chain;
    }
    e.chain = undefined;
    // unlink
    if (e.prev) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = undefined;
    this.stats.entries--;
    this.stats.bytes -= e.size;
  }

  private linkHead(e: CacheEntry): void {
    e.prev = undefined;
    e.next = this.head;
    if (this.head) this.head.prev = e;
    this.head = e;
    if (!this.tail) this.tail = e;
  }

  private touch(e: CacheEntry): void {
    if (this.head === e) return;
    if (e.prev) e.prev.next = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
    this.linkHead(e);
  }
}

function sameKey(a: CacheEntry, b: CacheEntry): boolean {
  if (a.keyLen !== b.keyLen) return false;
  for (let i = 0; i < a.keyLen; i++) if (a.data.charCodeAt(a.bodyLen + i) !== b.data.charCodeAt(b.bodyLen + i)) return false;
  return true;
}
