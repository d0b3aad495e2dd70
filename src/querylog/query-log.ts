// The query log: every query as a compact row, written in batches (few, large writes for the SD
// card), pruned past the retention period. A power cut loses at most the batch in memory.
//
// Rows are stored in blocks: one LevelDB record holds up to BLOCK_ROWS rows from at most
// BLOCK_SPAN_MS apart, keyed by its oldest row's time. One record per query cost more to
// prepare than to answer the query (abstract-level's per-operation work) and a key and its
// overhead per row on the card. Records from before blocks (one row each) are read as blocks of one.
//
// A row is encoded as it comes, into the open block's buffer (off the V8 heap): rows waiting seconds
// for the flush as objects were promoted to the old generation and made its garbage, and the
// flush then had a busy interval's rows to encode at once. A sealed block is copied out at its
// exact size, and every WRITE_BLOCKS sealed blocks ask for a flush: under a flood the memory
// waiting for the card stays a few hundred kB instead of growing with the flush interval.
import type { QueryEvent } from '../daemon/index.js';
import type { Store } from '../store/index.js';
import { RowJson, rowBound } from './row-json.js';

/** A row as search and prune read it (and, one per record, as versions before blocks stored it). */
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
  items: (QueryEvent & { key: string })[];
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

/** The block being filled: JSON text `[tuple,tuple,…` in the log's one encode buffer. */
interface OpenBlock {
  length: number;
  rows: number;
  oldest: number;
  newest: number;
}

const BLOCK_BYTES = 64 * 1024;

export class QueryLog {
  private open: OpenBlock | undefined;
  private bytes = Buffer.allocUnsafeSlow(BLOCK_BYTES);
  private readonly json = new RowJson();
  private sealed: { key: string; value: Buffer; rows: number }[] = [];
  private pendingRows = 0;
  private seq = 0;
  private flushing: Promise<void> = Promise.resolve();
  dropped = 0;
  written = 0;

  /** `onWriteError`: a write the log started itself failed (its rows are counted as dropped) */
  constructor(private readonly store: Store, private readonly onWriteError: (err: Error) => void = () => {}) {}

  add(e: QueryEvent): void {
    if (this.pendingRows >= MAX_BUFFER) {
      this.dropped++;
      return;
    }
    const need = rowBound(e) + 2;
    let b = this.open;
    // rows arrive nearly in time order (an answer from upstream can overtake a cached one)
    if (b && (b.rows >= BLOCK_ROWS || b.length + need > this.bytes.length || Math.max(b.newest, e.time) - Math.min(b.oldest, e.time) >= BLOCK_SPAN_MS)) b = this.seal();
    if (!b) {
      if (need + 1 > this.bytes.length) this.bytes = Buffer.allocUnsafeSlow(need + 1);
      b = this.open = { length: 1, rows: 0, oldest: e.time, newest: e.time };
      this.bytes[0] = 0x5b; // [
    } else this.bytes[b.length++] = 0x2c; // ,
    b.length = this.json.write(this.bytes, b.length, e);
    b.rows++;
    if (e.time < b.oldest) b.oldest = e.time;
    else if (e.time > b.newest) b.newest = e.time;
    this.pendingRows++;
  }

  get pending(): number {
    return this.pendingRows;
  }

  /** Closes the open block (keyed by its oldest row) for the next flush; returns undefined for a new one. */
  private seal(): undefined {
    const b = this.open;
    this.open = undefined;
    if (!b) return undefined;
    this.bytes[b.length++] = 0x5d; // ]
    const value = Buffer.allocUnsafeSlow(b.length);
    this.bytes.copy(value, 0, 0, b.length);
    this.sealed.push({ key: keyOf(b.oldest, (this.seq = (this.seq + 1) % 2 ** 30)), value, rows: b.rows });
    if (this.sealed.length === WRITE_BLOCKS) this.writeSealed().catch(this.onWriteError);
    return undefined;
  }

  /** Seals the open block and writes every block waiting. */
  flush(): Promise<void> {
    this.seal();
    return this.writeSealed();
  }

  /** Writes the sealed blocks, WRITE_BLOCKS to a LevelDB write (their bytes are JSON already), after the writes before. */
  private writeSealed(): Promise<void> {
    // after the write before, whether it worked or not (a failed one must not stop every later one)
    this.flushing = this.flushing.catch(() => undefined).then(async () => {
      const blocks = this.sealed;
      this.sealed = [];
      let left = blocks.reduce((n, b) => n + b.rows, 0);
      this.pendingRows -= left;
      try {
        for (let i = 0; i < blocks.length; i += WRITE_BLOCKS) {
          const chunk = blocks.slice(i, i + WRITE_BLOCKS);
          await this.store.querylog.batch(chunk.map((b) => ({ type: 'put' as const, key: b.key, value: b.value })), { valueEncoding: 'buffer' });
          const rows = chunk.reduce((n, b) => n + b.rows, 0);
          this.written += rows;
          left -= rows;
        }
      } finally {
        // a failed write (disk full, store closed) loses what it had, counted as dropped
        this.dropped += left;
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

function fromRow(r: Row): QueryEvent {
  return {
    time: r.t, client: r.c, mac: r.m, hostname: r.h, user: r.u, group: r.g, name: r.n, type: r.q, action: r.a, reason: r.r,
    category: r.k, rcode: r.rc, latency: r.l, upstream: r.up, cached: r.ca === 1, overrideId: r.o,
  };
}
