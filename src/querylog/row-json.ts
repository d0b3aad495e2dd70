// A query-log row written as JSON straight into the open block's bytes, the same text
// JSON.stringify makes of the row's tuple (FIELDS order, null for an absent field, trailing absent
// ones left out). On the DNS path JSON.stringify of the tuple cost more than answering a cached
// query (~1.2 µs: a 16-slot array, a string, then its UTF-8 copy); this is ~0.5 µs.
import type { QueryEvent } from '../daemon/index.js';

const COMMA = 0x2c;
const QUOTE = 0x22;

/** Upper bound of the bytes `write` puts down for `e` (a JSON escape takes at most 6 bytes a UTF-16 unit). */
export function rowBound(e: QueryEvent): number {
  const chars = e.client.length + e.group.length + e.name.length + e.type.length + e.action.length + e.reason.length + e.rcode.length
    + (e.category?.length ?? 0) + (e.upstream?.length ?? 0) + (e.mac?.length ?? 0) + (e.user?.length ?? 0) + (e.hostname?.length ?? 0) + (e.overrideId?.length ?? 0);
  return 6 * chars + 160;
}

export class RowJson {
  /** the epoch-ms time's digits above its last six: the same for 16 minutes */
  private high = -1;
  private highDigits = new Uint8Array(0);

  /** Writes `e`'s row at `at` (room for rowBound(e) bytes); returns the end. */
  write(b: Buffer, at: number, e: QueryEvent): number {
    let p = at;
    b[p++] = 0x5b; // [
    p = this.time(b, p, e.time);
    p = str(b, comma(b, p), e.client);
    p = str(b, comma(b, p), e.group);
    p = str(b, comma(b, p), e.name);
    p = str(b, comma(b, p), e.type);
    p = str(b, comma(b, p), e.action);
    p = str(b, comma(b, p), e.reason);
    p = str(b, comma(b, p), e.rcode);
    p = centis(b, comma(b, p), e.latency);
    const last = e.overrideId !== undefined ? 7 : e.cached ? 6 : e.hostname !== undefined ? 5 : e.user !== undefined ? 4
      : e.mac !== undefined ? 3 : e.upstream !== undefined ? 2 : e.category !== undefined ? 1 : 0;
    if (last >= 1) p = optional(b, p, e.category);
    if (last >= 2) p = optional(b, p, e.upstream);
    if (last >= 3) p = optional(b, p, e.mac);
    if (last >= 4) p = optional(b, p, e.user);
    if (last >= 5) p = optional(b, p, e.hostname);
    if (last >= 6) {
      p = comma(b, p);
      if (e.cached) b[p++] = 0x31; // 1
      else p = nul(b, p);
    }
    if (last >= 7) p = optional(b, p, e.overrideId);
    b[p++] = 0x5d; // ]
    return p;
  }

  private time(b: Buffer, p: number, t: number): number {
    if (!(Number.isSafeInteger(t) && t >= 1e6)) return num(b, p, t);
    const high = Math.floor(t / 1e6);
    if (high !== this.high) {
      this.high = high;
      this.highDigits = Buffer.from(String(high), 'latin1');
    }
    // copied byte by byte: Buffer#write costs more than the six digits below together
    const digits = this.highDigits;
    for (let i = 0; i < digits.length; i++) b[p++] = digits[i];
    let low = t - high * 1e6;
    for (let i = 5; i >= 0; i--) {
      const q = (low / 10) | 0;
      b[p + i] = 0x30 + low - q * 10;
      low = q;
    }
    return p + 6;
  }
}

function comma(b: Buffer, p: number): number {
  b[p] = COMMA;
  return p + 1;
}

function nul(b: Buffer, p: number): number {
  b[p] = 0x6e;
  b[p + 1] = 0x75;
  b[p + 2] = 0x6c;
  b[p + 3] = 0x6c;
  return p + 4;
}

/** Printable ASCII is copied as it is; a string with anything else goes through JSON.stringify. */
function str(b: Buffer, p: number, s: string): number {
  let o = p + 1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === 0x5c) return p + b.write(JSON.stringify(s), p, 'utf8');
    b[o++] = c;
  }
  b[p] = QUOTE;
  b[o] = QUOTE;
  return o + 1;
}

function optional(b: Buffer, p: number, s: string | undefined): number {
  p = comma(b, p);
  return s === undefined ? nul(b, p) : str(b, p, s);
}

function num(b: Buffer, p: number, n: number): number {
  return Number.isFinite(n) ? p + b.write(String(n), p, 'latin1') : nul(b, p);
}

/** Milliseconds rounded to hundredths, as JSON.stringify writes Math.round(ms * 100) / 100. */
function centis(b: Buffer, p: number, ms: number): number {
  const c = Math.round(ms * 100);
  if (!(c >= 0 && c < 2 ** 31)) return num(b, p, c / 100);
  const whole = (c / 100) | 0;
  let d = 1;
  while (d * 10 <= whole) d *= 10;
  for (let rest = whole; d >= 1; d = (d / 10) | 0) {
    const q = (rest / d) | 0;
    b[p++] = 0x30 + q;
    rest -= q * d;
  }
  const f = c - whole * 100;
  if (f !== 0) {
    b[p++] = 0x2e; // .
    b[p++] = 0x30 + ((f / 10) | 0);
    if (f % 10 !== 0) b[p++] = 0x30 + (f % 10);
  }
  return p;
}
