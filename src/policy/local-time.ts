// Wall-clock time in the configured zone, from an epoch instant (and back). Schedules are
// written in local time; DST makes some local times not exist and some happen twice.
import type { Day } from './config.js';
import { zoneOffset } from '../schema/index.js';
import type { Zone } from '../schema/index.js';

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

/** Offsets change at most at quarter-hour boundaries: memoise per zone and quarter hour. */
const offsetMemo = new Map<string, number>();

function offsetAt(zone: Zone, ms: number): number {
  const key = `${zone.name}|${Math.floor(ms / 900_000)}`;
  const memo = offsetMemo.get(key);
  if (memo !== undefined) return memo;
  const offset = Math.round(zoneOffset(zone, Math.floor(ms / 900_000) * 900_000) / 60);
  if (offsetMemo.size > 4096) offsetMemo.clear();
  offsetMemo.set(key, offset);
  return offset;
}

export function localTime(tz: Zone, ms: number): LocalTime {
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
export function instantOf(tz: Zone, date: string, seconds: number): number {
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

function localWall(tz: Zone, ms: number): number {
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
export function instantsOf(tz: Zone, date: string, seconds: number): number[] {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d) + seconds * 1000;
  const offsets = new Set([offsetAt(tz, wall - 86_400_000), offsetAt(tz, wall), offsetAt(tz, wall + 86_400_000)]);
  const exact = [...offsets].map((off) => wall - off * 60_000).filter((t) => localWall(tz, t) === wall);
  return exact.length > 0 ? [...new Set(exact)].sort((a, b) => a - b) : [instantOf(tz, date, seconds)];
}

/** The local date at `ms` and the instant that day ends. */
export function localDay(tz: Zone, ms: number): { date: string; endsAt: number } {
  const date = localTime(tz, ms).date;
  return { date, endsAt: instantOf(tz, addDays(date, 1), 0) };
}
