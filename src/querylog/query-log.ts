// The query log: every query as a compact row, written in batches (few, large writes for the SD
// card), pruned past the retention period. A power cut loses at most the batch in memory.
//
// Rows are stored in blocks: one LevelDB record holds up to BLOCK_ROWS rows from at most
// BLOCK_SPAN_MS apart, keyed by its oldest row's time. One record per query cost more to
// prepare than to answer the query (abstract-level's per-operation work) and a key and its
// overhead per row on the card. Records from before blocks (one row each) are read as blocks of one.
import type { QueryEvent } from '../daemon/index.js';
import type { Store } from '../store/index.js';

/** A row in memory (and, one per record, as versions before blocks stored it). */
interface Row {
  t: number; c: string; m?: string; h?: string; u?: string; g: string; n: string; q: string;
  a: QueryEvent['action']; r: string; k?: string; rc: string; l: number; up?: string; ca?: 1; o?: string;
}

/**
 * A row as a block stores it: the fields in FIELDS order, null for an absent one, trailing
 * absent ones left out. No field names: a school makes millions of these a day, and LevelDB's
 * write-ahead log (the first write to the card) is not compressed.
 */
type Tuple = (string | number | null)[];
const FIELDS = ['t', 'c', 'g', 'n', 'q', 'a', 'r', 'rc', 'l', 'k', 'up', 'm', 'u', 'h', 'ca', 'o'] as const;

function toTuple(r: Row): Tuple {
  const out: Tuple = [];
  let used = 0;
  for (let i = 0; i < FIELDS.length; i++) {
    const v = r[FIELDS[i]];
    out.push(v ?? null);
    if (v !== undefined) used = i + 1;
  }
  out.length = used;
  return out;
}

/** The rows of a stored record: a block of tuples, or one row object from before blocks. */
function rowsOf(v: unknown): Row[] {
  if (!Array.isArray(v)) return [v as Row];
  return (v as Tuple[]).map((tuple) => {
    const r: Record<string, string | number> = {};
    for (let i = 0; i < tuple.length && i < FIELDS.length; i++) if (tuple[i] !== null) r[FIELDS[i]] = tuple[i] as string | number;
    return r as unknown as Row;
  });
}

export interface LoggedQuery extends QueryEvent {
  hostname?: string;
  user?: string;
}

export interface QuerySearch {
  client?: string;
  domain?: string;
  action?: string;
  since?: number;
  until?: number;
  limit?: number;
  /** continue after this key (from a previous page's `next`) */
  cursor?: string;
}

export interface QueryPage {
  items: (LoggedQuery & { key: string })[];
  /** pass as `cursor` for the next (older) page; absent at the end */
  next?: string;
  scanned: number;
}

const MAX_BUFFER = 50_000;
const MAX_SCAN = 500_000;
/** rows per stored block: its JSON takes well under a millisecond to write or read */
const BLOCK_ROWS = 256;
/** a block's rows are less than this apart, so a time range needs to look only this far past its ends */
const BLOCK_SPAN_MS = 60_000;
/** blocks per LevelDB write */
const WRITE_BLOCKS = 8;

export const keyOf = (time: number, seq: number) => `${time.toString(16).padStart(12, '0')}:${seq.toString(36).padStart(6, '0')}`;
/** A row's key: its block's and its place in it. */
const rowKey = (block: string, i: number) => `${block}#${i}`;

export class QueryLog {
  private buffer: Row[] = [];
  private seq = 0;
  private flushing: Promise<void> = Promise.resolve();
  dropped = 0;
  written = 0;

  constructor(private readonly store: Store) {}

  add(e: LoggedQuery): void {
    if (this.buffer.length >= MAX_BUFFER) {
      this.dropped++;
      return;
    }
    this.buffer.push({
      t: e.time, c: e.client, m: e.mac, h: e.hostname, u: e.user, g: e.group, n: e.name, q: e.type, a: e.action, r: e.reason,
      k: e.category, rc: e.rcode, l: Math.round(e.latency * 100) / 100, up: e.upstream, ca: e.cached ? 1 : undefined, o: e.overrideId,
    });
  }

  get pending(): number {
    return this.buffer.length;
  }

  /**
   * Writes what is buffered as blocks, WRITE_BLOCKS to a LevelDB write: each write's preparation
   * is synchronous, and all of a busy interval's rows in one go would hold DNS answers back.
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.buffer.length === 0) return;
      const rows = this.buffer;
      this.buffer = [];
      let ops: { type: 'put'; key: string; value: Tuple[] }[] = [];
      for (let i = 0; i < rows.length;) {
        const start = i;
        let oldest = rows[i].t;
        let newest = oldest;
        // rows arrive nearly in time order (an answer from upstream can overtake a cached one)
        while (++i < rows.length && i - start < BLOCK_ROWS) {
          const t = rows[i].t;
          if (Math.max(newest, t) - Math.min(oldest, t) >= BLOCK_SPAN_MS) break;
          if (t < oldest) oldest = t;
          else if (t > newest) newest = t;
        }
        ops.push({ type: 'put', key: keyOf(oldest, (this.seq = (this.seq + 1) % 2 ** 30)), value: rows.slice(start, i).map(toTuple) });
        if (ops.length === WRITE_BLOCKS || i === rows.length) {
          await this.store.querylog.batch(ops);
          for (const op of ops) this.written += op.value.length;
          ops = [];
        }
      }
    });
    return this.flushing;
  }

  /** Deletes every row older than `cutoff` (epoch ms): whole blocks, then the old rows of the few blocks that straddle it. */
  async prune(cutoff: number): Promise<void> {
    const edge = keyOf(Math.max(0, cutoff - BLOCK_SPAN_MS), 0);
    await this.store.querylog.clear({ lt: edge });
    const ops: ({ type: 'put'; key: string; value: Tuple[] } | { type: 'del'; key: string })[] = [];
    for await (const [key, v] of this.store.querylog.iterator({ gte: edge, lt: keyOf(cutoff, 0) })) {
      const rows = rowsOf(v);
      const kept = rows.filter((r) => r.t >= cutoff);
      // the key stays: it is still no newer than the block's oldest row, which is all search needs
      if (kept.length === 0) ops.push({ type: 'del', key });
      else if (kept.length < rows.length) ops.push({ type: 'put', key, value: kept.map(toTuple) });
    }
    if (ops.length > 0) await this.store.querylog.batch(ops);
  }

  /** Deletes the oldest `fraction` of the log (the store is over its size cap). */
  async evictOldest(fraction: number): Promise<number> {
    let total = 0;
    for await (const _ of this.store.querylog.keys()) total++;
    const cut = Math.floor(total * fraction);
    if (cut === 0) return 0;
    let i = 0;
    for await (const key of this.store.querylog.keys()) {
      if (++i >= cut) {
        await this.store.querylog.clear({ lte: key });
        break;
      }
    }
    return cut;
  }

  /** Newest first, filtered, paged; scans at most MAX_SCAN rows per call. */
  async search(s: QuerySearch): Promise<QueryPage> {
    const limit = Math.min(Math.max(s.limit ?? 100, 1), 1000);
    const cursor = s.cursor === undefined ? undefined : parseCursor(s.cursor);
    const range: { lte?: string; lt?: string; gte?: string } = {};
    if (cursor) range.lte = cursor.block;
    else if (s.until !== undefined) range.lt = keyOf(s.until + 1, 0);
    if (s.since !== undefined) range.gte = keyOf(Math.max(0, s.since - BLOCK_SPAN_MS), 0);
    const domain = s.domain?.toLowerCase();
    const items: QueryPage['items'] = [];
    let scanned = 0;
    for await (const [block, v] of this.store.querylog.iterator({ ...range, reverse: true })) {
      const rows = rowsOf(v);
      let i = cursor?.block === block ? Math.min(cursor.index, rows.length) : rows.length;
      while (i-- > 0) {
        scanned++;
        const r = rows[i];
        const inTime = (s.since === undefined || r.t >= s.since) && (s.until === undefined || r.t <= s.until);
        if (inTime && (!s.client || r.c === s.client || r.m === s.client || r.u === s.client) && (!domain || r.n.includes(domain)) && (!s.action || r.a === s.action)) {
          items.push({ key: rowKey(block, i), ...fromRow(r) });
          if (items.length >= limit) return { items, next: rowKey(block, i), scanned };
        }
        if (scanned >= MAX_SCAN) return { items, next: rowKey(block, i), scanned };
      }
    }
    return { items, scanned };
  }
}

/** `BLOCK#INDEX` (a row key); a bare block key (from before blocks) means its one row. */
function parseCursor(cursor: string): { block: string; index: number } {
  const hash = cursor.lastIndexOf('#');
  if (hash < 0) return { block: cursor, index: 0 };
  const index = Number(cursor.slice(hash + 1));
  return { block: cursor.slice(0, hash), index: Number.isInteger(index) && index >= 0 ? index : 0 };
}

function fromRow(r: Row): LoggedQuery {
  return {
    time: r.t, client: r.c, mac: r.m, hostname: r.h, user: r.u, group: r.g, name: r.n, type: r.q, action: r.a, reason: r.r,
    category: r.k, rcode: r.rc, latency: r.l, upstream: r.up, cached: r.ca === 1, overrideId: r.o,
  };
}
