// The query log: every query as a compact record, written in batches (one LevelDB write per
// flush interval: an SD card sees few, large writes), pruned past the retention period. A power
// cut loses at most the batch in memory.
import type { QueryEvent } from '../daemon/index.js';
import type { Store } from '../store/index.js';

/** Stored form: short keys, since a school makes millions of these a day. */
interface Row {
  t: number; c: string; m?: string; h?: string; u?: string; g: string; n: string; q: string;
  a: QueryEvent['action']; r: string; k?: string; rc: string; l: number; up?: string; ca?: 1; o?: string;
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
/** rows per LevelDB batch: about a millisecond of JavaScript on a Pi-class core */
const WRITE_CHUNK = 128;

export const keyOf = (time: number, seq: number) => `${time.toString(16).padStart(12, '0')}:${seq.toString(36).padStart(6, '0')}`;

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
   * Writes what is buffered, in batches of WRITE_CHUNK: preparing a batch (keys, JSON values) is
   * synchronous, and 10k rows in one go would hold DNS answers back for 100 ms and more.
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.buffer.length === 0) return;
      const rows = this.buffer;
      this.buffer = [];
      for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
        const ops = rows.slice(i, i + WRITE_CHUNK).map((row) => ({ type: 'put' as const, key: keyOf(row.t, (this.seq = (this.seq + 1) % 2 ** 30)), value: row }));
        await this.store.querylog.batch(ops);
        this.written += ops.length;
      }
    });
    return this.flushing;
  }

  /** Deletes everything older than `cutoff` (epoch ms). */
  async prune(cutoff: number): Promise<void> {
    await this.store.querylog.clear({ lt: keyOf(cutoff, 0) });
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

  /** Newest first, filtered, paged; scans at most MAX_SCAN records per call. */
  async search(s: QuerySearch): Promise<QueryPage> {
    const limit = Math.min(Math.max(s.limit ?? 100, 1), 1000);
    const range: { lt?: string; gte?: string } = {};
    if (s.cursor) range.lt = s.cursor;
    else if (s.until !== undefined) range.lt = keyOf(s.until + 1, 0);
    if (s.since !== undefined) range.gte = keyOf(s.since, 0);
    const domain = s.domain?.toLowerCase();
    const items: QueryPage['items'] = [];
    let scanned = 0;
    for await (const [key, v] of this.store.querylog.iterator({ ...range, reverse: true })) {
      scanned++;
      const r = v as Row;
      if ((!s.client || r.c === s.client || r.m === s.client || r.u === s.client) && (!domain || r.n.includes(domain)) && (!s.action || r.a === s.action)) {
        items.push({ key, ...fromRow(r) });
        if (items.length >= limit) return { items, next: key, scanned };
      }
      if (scanned >= MAX_SCAN) return { items, next: key, scanned };
    }
    return { items, scanned };
  }
}

function fromRow(r: Row): LoggedQuery {
  return {
    time: r.t, client: r.c, mac: r.m, hostname: r.h, user: r.u, group: r.g, name: r.n, type: r.q, action: r.a, reason: r.r,
    category: r.k, rcode: r.rc, latency: r.l, upstream: r.up, cached: r.ca === 1, overrideId: r.o,
  };
}
