// Weekly windows in local time, optionally limited to (or suspended on) calendar dates.
// A window from 22:00 to 06:00 runs past midnight and belongs to the day it starts on.
import type { DateRange, Schedule } from './config.js';
import { DAY_INDEX, addDays, instantsOf, localTime } from './local-time.js';
import type { LocalTime } from './local-time.js';
import { parseTimeOfDay } from '../schema/index.js';
import type { Zone } from '../schema/index.js';

interface CompiledWindow {
  /** start days, indexed 0 = Monday */
  days: boolean[];
  from: number;
  to: number;
}

export interface CompiledSchedule {
  name: string;
  windows: CompiledWindow[];
  only?: DateRange[];
  except?: DateRange[];
  /** the state holds from `from` until `until`: queries inside that span reuse it */
  memo?: { from: number; until: number; open: boolean; tz: Zone };
}

export function compileSchedule(name: string, schedule: Schedule, calendar: Record<string, DateRange[]>): CompiledSchedule {
  const spec = Array.isArray(schedule) ? { windows: schedule } : schedule;
  const windows = spec.windows.map((w) => {
    const days = new Array<boolean>(7).fill(false);
    for (const d of w.days) days[DAY_INDEX[d]] = true;
    return { days, from: parseTimeOfDay(w.from) ?? 0, to: parseTimeOfDay(w.to) ?? 0 };
  });
  const ranges = (names?: string[]) => names?.flatMap((n) => calendar[n] ?? []);
  return { name, windows, only: ranges(Array.isArray(schedule) ? undefined : schedule.only), except: ranges(Array.isArray(schedule) ? undefined : schedule.except) };
}

function inRanges(date: string, ranges: DateRange[]): boolean {
  return ranges.some((r) => r.from <= date && date <= r.to);
}

function appliesOn(s: CompiledSchedule, date: string): boolean {
  if (s.only && !inRanges(date, s.only)) return false;
  if (s.except && inRanges(date, s.except)) return false;
  return true;
}

export function isOpenAt(s: CompiledSchedule, t: LocalTime): boolean {
  for (const w of s.windows) {
    if (w.from < w.to) {
      if (w.days[t.weekday] && t.seconds >= w.from && t.seconds < w.to && appliesOn(s, t.date)) return true;
    } else {
      if (w.days[t.weekday] && t.seconds >= w.from && appliesOn(s, t.date)) return true;
      const yesterday = (t.weekday + 6) % 7;
      if (w.days[yesterday] && t.seconds < w.to && appliesOn(s, addDays(t.date, -1))) return true;
    }
  }
  return false;
}

export function isOpen(s: CompiledSchedule, tz: Zone, now: number): boolean {
  return stateAt(s, tz, now).open;
}

/**
 * The next instant after `now` at which the schedule opens or closes (looking eight days
 * ahead; beyond that, the horizon). Used to clamp the TTL of an answer a window allowed.
 */
export function nextChange(s: CompiledSchedule, tz: Zone, now: number): number {
  return stateAt(s, tz, now).until;
}

function stateAt(s: CompiledSchedule, tz: Zone, now: number): { open: boolean; until: number } {
  const m = s.memo;
  if (m && m.tz === tz && now >= m.from && now < m.until) return m;
  const open = isOpenAt(s, localTime(tz, now));
  const today = localTime(tz, now).date;
  const candidates: number[] = [];
  for (let d = -1; d <= 8; d++) {
    const date = addDays(today, d);
    candidates.push(...instantsOf(tz, date, 0));
    for (const w of s.windows) candidates.push(...instantsOf(tz, date, w.from), ...instantsOf(tz, date, w.to));
  }
  candidates.sort((a, b) => a - b);
  // No change within the horizon (a long holiday): the state is known to hold until its end.
  let until = candidates[candidates.length - 1];
  for (const t of candidates) {
    if (t > now && isOpenAt(s, localTime(tz, t)) !== open) {
      until = t;
      break;
    }
  }
  s.memo = { from: now, until, open, tz };
  return s.memo;
}
