// Wall-clock time in the configured zone, from an epoch instant (and back). Schedules are
// written in local time; DST makes some local times not exist and some happen twice.
import type { Day } from './config.js';

export interface LocalTime {
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
  /** seconds since local midnight */
  seconds: number;
  /** "YYYY-MM-DD" */
  date: string;
  /** local minus UTC, in minutes */
  offsetMinutes: number;
}

export const DAY_INDEX: Record<Day, number> = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** Offsets change at most at quarter-hour boundaries: memoise per zone and quarter hour. */
const offsetMemo = new Map<string, number>();

function offsetAt(tz: string, ms: number): number {
  const key = `${tz}|${Math.floor(ms / 900_000)}`;
  const memo = offsetMemo.get(key);
  if (memo !== undefined) return memo;
  const parts = partsOf(tz, Math.floor(ms / 900_000) * 900_000);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offset = Math.round((asUtc - Math.floor(ms / 900_000) * 900_000) / 60_000);
  if (offsetMemo.size > 4096) offsetMemo.clear();
  offsetMemo.set(key, offset);
  return offset;
}

function partsOf(tz: string, ms: number) {
  const out: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(ms)) out[p.type] = p.value;
  return {
    year: Number(out.year), month: Number(out.month), day: Number(out.day),
    hour: Number(out.hour), minute: Number(out.minute), second: Number(out.second), weekday: WEEKDAYS[out.weekday],
  };
}

export function localTime(tz: string, ms: number): LocalTime {
  const offsetMinutes = offsetAt(tz, ms);
  const local = new Date(ms + offsetMinutes * 60_000);
  const weekday = (local.getUTCDay() + 6) % 7;
  const seconds = local.getUTCHours() * 3600 + local.getUTCMinutes() * 60 + local.getUTCSeconds();
  const date = local.toISOString().slice(0, 10);
  return { weekday, seconds, date, offsetMinutes };
}

/**
 * The first instant at or after which the local clock reads `date` `seconds` or later.
 * For a time skipped by spring-forward this is the moment of the jump.
 */
export function instantOf(tz: string, date: string, seconds: number): number {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d) + seconds * 1000;
  // Try the offsets in force just before and after; take the earliest instant that qualifies.
  const candidates = [offsetAt(tz, wall - 86_400_000), offsetAt(tz, wall), offsetAt(tz, wall + 86_400_000)];
  let best = Infinity;
  for (const off of candidates) {
    const t = wall - off * 60_000;
    if (t < best && localWall(tz, t) >= wall) best = t;
  }
  if (best === Infinity) return wall - candidates[1] * 60_000;
  if (localWall(tz, best) === wall) return best;
  // The time was skipped (spring forward): find the jump itself, to the second.
  let lo = best - 3 * 3_600_000;
  let hi = best;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (localWall(tz, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

function localWall(tz: string, ms: number): number {
  return ms + offsetAt(tz, ms) * 60_000;
}

/** "YYYY-MM-DD" plus `days`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * Every instant at which the local clock reads `date` `seconds`: two in the hour repeated by
 * fall-back, one normally, and for a time skipped by spring-forward the moment of the jump.
 */
export function instantsOf(tz: string, date: string, seconds: number): number[] {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d) + seconds * 1000;
  const offsets = new Set([offsetAt(tz, wall - 86_400_000), offsetAt(tz, wall), offsetAt(tz, wall + 86_400_000)]);
  const exact = [...offsets].map((off) => wall - off * 60_000).filter((t) => localWall(tz, t) === wall);
  return exact.length > 0 ? [...new Set(exact)].sort((a, b) => a - b) : [instantOf(tz, date, seconds)];
}
