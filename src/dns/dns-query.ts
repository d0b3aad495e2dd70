// One query on its way through the chain: what the client sent, who it is, what was decided,
// and what the query log will say. The parsed question lives in the listener's reusable struct
// while the chain runs synchronously; a step that goes async calls detach() first.
import type { CategoryBits } from '../lists/index.js';
import type { ClientIdentity } from '../identity/index.js';
import type { CompiledGroup, Decision, Reason } from '../policy/index.js';
import type { PolicyState, QueryEvent } from '../daemon/index.js';
import type { CacheEntry } from './answer-cache.js';
import type { ParsedQuery } from './wire.js';

export class DnsQuery {
  /** the reply must fit this (UDP: the client's EDNS size up to ours; TCP: 65535) */
  maxSize = 512;
  name = '';
  who: ClientIdentity | undefined;
  group!: CompiledGroup;
  /** categories of the question name and its parents */
  bits!: CategoryBits;
  decision: Decision | undefined;
  /** an expired cache entry, kept for serve-stale if the upstreams fail */
  stale: CacheEntry | undefined;
  // what the query log records
  action: QueryEvent['action'] = 'allow';
  reason: Reason = 'default';
  category: string | undefined;
  overrideId: string | undefined;
  upstream: string | undefined;
  cached = false;
  private detached = false;

  constructor(
    public buf: Buffer,
    public q: ParsedQuery,
    readonly client: string,
    readonly tcp: boolean,
    /** performance.now() at receipt */
    readonly start: number,
    /** epoch ms, read once per query */
    readonly now: number,
    readonly state: PolicyState,
    /** DnsService.answer may name the group */
    readonly forcedGroup?: string,
  ) {}

  /** Copies what is shared with the next query (the parsed struct, the bitset) before an await. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    const q = this.q;
    // fields in newParsedQuery's order (one object shape); as many label offsets as there are labels
    this.q = {
      id: q.id, flags: q.flags, qtype: q.qtype, qclass: q.qclass, nameEnd: q.nameEnd, questionEnd: q.questionEnd,
      labelOffsets: q.labelOffsets.slice(0, q.labelCount), labelCount: q.labelCount, hash: q.hash, edns: q.edns, udpSize: q.udpSize, dnssecOk: q.dnssecOk,
    };
    this.bits = anyBit(this.bits) ? Uint32Array.from(this.bits) : zeroBits(this.bits.length);
  }

  /** The decision's outcome goes into the log fields. */
  note(d: Decision): void {
    this.decision = d;
    this.reason = d.reason;
    this.category = d.category;
    this.overrideId = d.overrideId;
  }
}

export function anyBit(bits: CategoryBits): boolean {
  for (let i = 0; i < bits.length; i++) if (bits[i] !== 0) return true;
  return false;
}

/** Shared and never written: most names are in no list, and a detached query only reads its bits. */
let zeros = new Uint32Array(0);
function zeroBits(length: number): CategoryBits {
  if (zeros.length !== length) zeros = new Uint32Array(length);
  return zeros;
}

/** Seconds an answer may be cached by the client under decision `d` (its window), at most `max`. */
export function ttlCap(d: Decision | undefined, now: number, max: number): number {
  if (!d || d.validUntil === Infinity) return max;
  return Math.max(0, Math.min(max, Math.floor((d.validUntil - now) / 1000)));
}
