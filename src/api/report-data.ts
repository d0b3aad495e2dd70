// The figures behind the weekly and governors' reports. Query counts come from the query log,
// one local day at a time; a finished day's counts are kept in the store, so a report reads each
// day's rows once, and a period past the log's retention still has the days counted before.
import type { Zone } from '../schema/index.js';
import { addDays, instantOf, localTime } from '../policy/index.js';
import type { QueryLog } from '../querylog/index.js';
import type { Sublevel } from '../store/index.js';

export interface DayCounts {
  day: string;
  queries: number;
  blocked: number;
  blockedByCategory: Record<string, number>;
  blockedByGroup: Record<string, number>;
  queriesByGroup: Record<string, number>;
  /** blocked queries per device (bounded), with the user and group last seen */
  blockedByDevice: Record<string, { count: number; user?: string; group: string }>;
  rows: number;
  truncated: boolean;
}

export interface PeriodCounts {
  days: DayCounts[];
  daysWithLog: number;
  rowsScanned: number;
  truncated: boolean;
}

/** A day's scan stops here (≈ a very busy school's day); the report then says "at least". */
const MAX_ROWS_PER_DAY = 5_000_000;
const MAX_DEVICES = 500;
/** A day is final (cacheable) this long after it ended: the query log writes in batches. */
const SETTLE_MS = 5 * 60_000;

const bump = (m: Record<string, number>, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};

export async function countDay(log: QueryLog, zone: Zone, day: string): Promise<DayCounts> {
  const start = instantOf(zone, day, 0);
  const end = instantOf(zone, addDays(day, 1), 0);
  const c: DayCounts = { day, queries: 0, blocked: 0, blockedByCategory: {}, blockedByGroup: {}, queriesByGroup: {}, blockedByDevice: {}, rows: 0, truncated: false };
  let cursor: string | undefined;
  for (;;) {
    const page = await log.search({ since: start, until: end - 1, limit: 1000, cursor });
    for (const q of page.items) {
      c.queries++;
      bump(c.queriesByGroup, q.group);
      if (q.action !== 'block') continue;
      c.blocked++;
      bump(c.blockedByCategory, q.category ?? q.reason);
      bump(c.blockedByGroup, q.group);
      const device = q.mac ?? q.client;
      const d = c.blockedByDevice[device];
      if (d) d.count++;
      else if (Object.keys(c.blockedByDevice).length < MAX_DEVICES) c.blockedByDevice[device] = { count: 1, user: q.user, group: q.group };
    }
    c.rows += page.items.length;
    if (!page.next || page.items.length === 0) break;
    if (c.rows >= MAX_ROWS_PER_DAY) {
      c.truncated = true;
      break;
    }
    cursor = page.next;
  }
  return c;
}

export async function countPeriod(log: QueryLog, cache: Sublevel, zone: Zone, from: string, to: string, now: number): Promise<PeriodCounts> {
  const days: DayCounts[] = [];
  let rowsScanned = 0;
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const key = `report-day:${day}`;
    const kept = (await cache.get(key)) as DayCounts | undefined;
    if (kept) {
      days.push(kept);
      continue;
    }
    const counted = await countDay(log, zone, day);
    rowsScanned += counted.rows;
    if (instantOf(zone, addDays(day, 1), 0) + SETTLE_MS <= now) await cache.put(key, counted);
    days.push(counted);
  }
  return { days, daysWithLog: days.filter((d) => d.queries > 0).length, rowsScanned, truncated: days.some((d) => d.truncated) };
}

/** The period a report covers: `to` defaults to yesterday, `from` to six days before `to`. */
export function reportPeriod(zone: Zone, now: number, q: { from?: string; to?: string }, days = 7): { from: string; to: string } | { error: string } {
  const today = localTime(zone, now).date;
  const to = q.to ?? addDays(today, -1);
  const from = q.from ?? addDays(to, -(days - 1));
  if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) return { error: 'from and to are dates YYYY-MM-DD' };
  if (from > to) return { error: 'from is after to' };
  if (Date.parse(to) - Date.parse(from) > 366 * 86_400_000) return { error: 'a report covers at most a year' };
  return { from, to };
}

export function sumCounts(days: readonly DayCounts[], pick: (d: DayCounts) => Record<string, number>): { name: string; count: number }[] {
  const all: Record<string, number> = {};
  for (const d of days) for (const [k, v] of Object.entries(pick(d))) bump(all, k, v);
  return Object.entries(all).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name, count]) => ({ name, count }));
}
