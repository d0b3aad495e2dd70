// Value formats used in the config: durations, sizes, rates, times of day, CIDRs, host:port.
// Each parser returns undefined for bad input; callers turn that into a positioned error.
import { isIP } from 'node:net';
import { loadZone } from './zone.js';

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** "90s", "15m", "24h", "7d", "1h30m" → seconds. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+)\s*([smhdw])/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** "2GB", "500MiB", "1024" → bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

const RATE_UNITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9 };

/** tc-style rates: "8mbit", "512kbit", "1gbit", "2mbps" (bytes/s) → bits per second. */
export function parseRate(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = RATE_UNITS[m[2].toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** "12:15" or "07:05:30" → seconds since midnight; "24:00" is the end of the day. */
export function parseTimeOfDay(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h === 24 && min === 0 && s === 0) return 86400;
  if (h > 23 || min > 59 || s > 59) return undefined;
  return h * 3600 + min * 60 + s;
}

/** "2026-10-26" → that calendar date as { y, m, d } (validated). */
export function parseDate(text: string): { y: number; m: number; d: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return undefined;
  return { y, m: mo, d };
}

export interface Cidr {
  family: 4 | 6;
  /** network address as a 128-bit value split in two 64-bit halves (IPv4 uses `lo` only) */
  hi: bigint;
  lo: bigint;
  prefix: number;
  text: string;
}

export function ipToBigInt(ip: string): { family: 4 | 6; value: bigint } | undefined {
  const family = isIP(ip);
  if (family === 4) {
    const parts = ip.split('.').map(Number);
    return { family: 4, value: BigInt(((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]) };
  }
  if (family === 6) {
    let text = ip.toLowerCase();
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
      const p = v4[1].split('.').map(Number);
      text = text.slice(0, -v4[1].length) + `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
    }
    const [head, tail] = text.split('::');
    const headParts = head ? head.split(':') : [];
    const tailParts = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const fill = tail === undefined ? [] : new Array(8 - headParts.length - tailParts.length).fill('0');
    const groups = [...headParts, ...fill, ...tailParts];
    let value = 0n;
    for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
    return { family: 6, value };
  }
  return undefined;
}

/** "10.10.1.0/24", "fd00::/64", or a bare address (a /32 or /128). Host bits must be zero. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const ip = ipToBigInt(addr);
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((ip.value & hostMask) !== 0n) return undefined;
  return { family: ip.family, hi: ip.value >> 64n, lo: ip.value & ((1n << 64n) - 1n), prefix, text };
}

export function cidrRange(c: Cidr): { family: 4 | 6; first: bigint; last: bigint } {
  const bits = c.family === 4 ? 32 : 128;
  const first = (c.hi << 64n) | c.lo;
  return { family: c.family, first, last: first + (1n << BigInt(bits - c.prefix)) - 1n };
}

/** "10.10.1.10-10.10.1.50" → inclusive range. */
export function parseIpRange(text: string): { family: 4 | 6; first: bigint; last: bigint } | undefined {
  const [a, b, extra] = text.split('-').map((s) => s.trim());
  if (extra !== undefined || b === undefined) return undefined;
  const first = ipToBigInt(a);
  const last = ipToBigInt(b);
  if (!first || !last || first.family !== last.family || first.value > last.value) return undefined;
  return { family: first.family, first: first.value, last: last.value };
}

/** "10.10.0.1:53", "[fd00::1]:53", "127.0.0.1" (port from `defaultPort`). */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const bare = m ? undefined : isIP(text) === 6 ? text : undefined;
  const host = bare ?? m?.[1];
  const port = bare ? defaultPort : m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (!host || isIP(host) === 0 || !Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return { host, port };
}

export function isMac(text: string): boolean {
  return /^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(text);
}

export function normaliseMac(text: string): string {
  return text.toLowerCase().replace(/-/g, ':');
}

export function isTimezone(tz: string): boolean {
  return loadZone(tz).ok;
}
