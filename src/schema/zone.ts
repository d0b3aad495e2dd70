// Time zones from the system's tzdata (TZif files, RFC 8536) instead of ICU: Intl's time zone
// support costs the daemon ~8 MB of resident memory, and reading /usr/share/zoneinfo follows the
// distribution's tzdata updates. A zone is read once; offsets are then pure lookups.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Rule {
  stdOffset: number; // seconds east of UTC
  dstOffset?: number;
  start?: RuleDate;
  end?: RuleDate;
}

interface RuleDate {
  kind: 'M' | 'J' | 'N';
  month: number; week: number; day: number; // M form
  n: number; // J and N forms
  time: number; // seconds after local midnight (may be negative or > 24 h)
}

export interface Zone {
  name: string;
  /** transition instants (seconds), ascending */
  times: number[];
  /** offset (seconds east of UTC) in force from times[i] */
  offsets: number[];
  /** offset before the first transition */
  initial: number;
  /** POSIX TZ rule for instants after the last transition */
  rule?: Rule;
}

export type ZoneResult = { ok: true; zone: Zone } | { ok: false; error: string };

const cache = new Map<string, ZoneResult>();

export function loadZone(name: string, root = '/usr/share/zoneinfo'): ZoneResult {
  const key = `${root}|${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let result: ZoneResult;
  if (name === 'UTC' || name === 'Etc/UTC') result = { ok: true, zone: { name, times: [], offsets: [], initial: 0 } };
  else if (!/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(name)) result = { ok: false, error: `"${name}" is not a time zone name` };
  else {
    try {
      result = parseTzif(name, readFileSync(join(root, name)));
    } catch {
      result = { ok: false, error: `no time zone "${name}" in ${root}` };
    }
  }
  cache.set(key, result);
  return result;
}

export function parseTzif(name: string, buf: Buffer): ZoneResult {
  const bad = (why: string): ZoneResult => ({ ok: false, error: `${name}: not a TZif file (${why})` });
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') return bad('magic');
  const counts = (at: number) => ({
    isut: buf.readUInt32BE(at + 20), isstd: buf.readUInt32BE(at + 24), leap: buf.readUInt32BE(at + 28),
    time: buf.readUInt32BE(at + 32), type: buf.readUInt32BE(at + 36), char: buf.readUInt32BE(at + 40),
  });
  const v1 = counts(0);
  const v1Size = v1.time * 5 + v1.type * 6 + v1.char + v1.leap * 8 + v1.isstd + v1.isut;
  const version = buf[4];
  let at = 44;
  let c = v1;
  let timeSize = 4;
  if (version >= 0x32) {
    at = 44 + v1Size;
    if (buf.length < at + 44 || buf.toString('latin1', at, at + 4) !== 'TZif') return bad('second header');
    c = counts(at);
    at += 44;
    timeSize = 8;
  }
  const need = at + c.time * timeSize + c.time + c.type * 6 + c.char + c.leap * (timeSize + 4) + c.isstd + c.isut;
  if (buf.length < need || c.type === 0) return bad('truncated');
  const times: number[] = [];
  for (let i = 0; i < c.time; i++) times.push(timeSize === 8 ? Number(buf.readBigInt64BE(at + i * 8)) : buf.readInt32BE(at + i * 4));
  at += c.time * timeSize;
  const idx = [...buf.subarray(at, at + c.time)];
  at += c.time;
  const types: number[] = [];
  for (let i = 0; i < c.type; i++) types.push(buf.readInt32BE(at + i * 6));
  if (idx.some((i) => i >= c.type)) return bad('type index');
  let rule: Rule | undefined;
  if (version >= 0x32) {
    const footerStart = buf.indexOf(10, need);
    const footerEnd = footerStart === -1 ? -1 : buf.indexOf(10, footerStart + 1);
    if (footerEnd > footerStart) {
      const tz = buf.toString('latin1', footerStart + 1, footerEnd);
      if (tz) {
        const parsed = parsePosixTz(tz);
        if (!parsed) return bad(`footer "${tz}"`);
        rule = parsed;
      }
    }
  }
  return { ok: true, zone: { name, times, offsets: idx.map((i) => types[i]), initial: types[0], rule } };
}

/** "GMT0BST,M3.5.0/1,M10.5.0", "<-03>3", "AEST-10AEDT,M10.1.0,M4.1.0/3" */
export function parsePosixTz(tz: string): Rule | undefined {
  const m = /^(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})(?:(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})?(?:,([^,]+),([^,]+))?)?$/.exec(tz);
  if (!m) return undefined;
  const std = -hms(m[2]);
  if (!m[3]) return { stdOffset: std };
  const dst = m[4] !== undefined ? -hms(m[4]) : std + 3600;
  const start = m[5] ? ruleDate(m[5]) : ruleDate('M3.2.0');
  const end = m[6] ? ruleDate(m[6]) : ruleDate('M11.1.0');
  if (!start || !end) return undefined;
  return { stdOffset: std, dstOffset: dst, start, end };
}

function hms(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const [h, mi = 0, s = 0] = text.replace(/^[+-]/, '').split(':').map(Number);
  return sign * (h * 3600 + mi * 60 + s);
}

function ruleDate(text: string): RuleDate | undefined {
  const [date, time] = text.split('/');
  const t = time === undefined ? 7200 : hms(time);
  let m = /^M(\d{1,2})\.(\d)\.(\d)$/.exec(date);
  if (m) return { kind: 'M', month: Number(m[1]), week: Number(m[2]), day: Number(m[3]), n: 0, time: t };
  m = /^J(\d{1,3})$/.exec(date);
  if (m) return { kind: 'J', month: 0, week: 0, day: 0, n: Number(m[1]), time: t };
  m = /^(\d{1,3})$/.exec(date);
  if (m) return { kind: 'N', month: 0, week: 0, day: 0, n: Number(m[1]), time: t };
  return undefined;
}

/** Seconds from the start of `year` (UTC-based, local wall clock) to the rule date's midnight. */
function dayOfYearStart(year: number, d: RuleDate): number {
  const jan1 = Date.UTC(year, 0, 1) / 1000;
  if (d.kind === 'J') {
    // Julian day 1..365, never counting 29 February.
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return (d.n - 1 + (leap && d.n >= 60 ? 1 : 0)) * 86400;
  }
  if (d.kind === 'N') return d.n * 86400;
  const first = Date.UTC(year, d.month - 1, 1) / 1000;
  const firstDow = new Date(first * 1000).getUTCDay();
  let day = 1 + ((d.day - firstDow + 7) % 7) + (d.week - 1) * 7;
  const daysInMonth = new Date(Date.UTC(year, d.month, 0)).getUTCDate();
  while (day > daysInMonth) day -= 7;
  return first - jan1 + (day - 1) * 86400;
}

function ruleOffset(rule: Rule, t: number): number {
  if (rule.dstOffset === undefined || !rule.start || !rule.end) return rule.stdOffset;
  const year = new Date((t + rule.stdOffset) * 1000).getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1) / 1000;
  // Transition instants in UTC: start is given in standard time, end in daylight time.
  const start = jan1 + dayOfYearStart(year, rule.start) + rule.start.time - rule.stdOffset;
  const end = jan1 + dayOfYearStart(year, rule.end) + rule.end.time - rule.dstOffset;
  const inDst = start < end ? t >= start && t < end : !(t >= end && t < start);
  return inDst ? rule.dstOffset : rule.stdOffset;
}

/** Local minus UTC, in seconds, at epoch milliseconds `ms`. */
export function zoneOffset(zone: Zone, ms: number): number {
  const t = Math.floor(ms / 1000);
  const { times } = zone;
  if (times.length === 0 || t < times[0]) return times.length === 0 && zone.rule ? ruleOffset(zone.rule, t) : zone.initial;
  if (t >= times[times.length - 1] && zone.rule) return ruleOffset(zone.rule, t);
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return zone.offsets[lo];
}
