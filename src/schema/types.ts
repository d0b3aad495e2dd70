// Schema building blocks shared by the stage config fragments. Formats are registered once here,
// so TypeBox validation itself rejects a bad CIDR or time and reports the path.
import { FormatRegistry, Type } from '@sinclair/typebox';
import type { StringOptions, TSchema } from '@sinclair/typebox';
import {
  isMac, isTimezone, parseCidr, parseDate, parseDuration, parseHostPort, parseIpRange, parseRate,
  parseSize, parseTimeOfDay,
} from './formats.js';

/** Human wording for each format, used in check-config messages. */
export const FORMAT_HINTS: Record<string, string> = {
  duration: 'a duration such as "90s", "15m", "24h", "7d"',
  size: 'a size such as "500MB" or "2GB"',
  rate: 'a rate such as "8mbit" or "512kbit"',
  'time-of-day': 'a time of day "HH:MM" (00:00 to 24:00)',
  date: 'a date "YYYY-MM-DD"',
  cidr: 'an IP network such as "10.10.1.0/24" (host bits zero) or a single address',
  'ip-range': 'an address range such as "10.10.1.10-10.10.1.50"',
  'host-port': 'an address with optional port such as "10.10.0.1:53" or "[fd00::1]:53" (port 0: any free port)',
  ip: 'an IPv4 or IPv6 address',
  mac: 'a MAC address such as "b8:27:eb:12:34:56"',
  timezone: 'an IANA time zone such as "Europe/London"',
  'category-name': 'a category name (letters, digits, "_", "-", ".")',
  'list-source': 'a local path or an http(s):// URL',
};

const checks: Record<string, (s: string) => boolean> = {
  duration: (s) => parseDuration(s) !== undefined,
  size: (s) => parseSize(s) !== undefined,
  rate: (s) => parseRate(s) !== undefined,
  'time-of-day': (s) => parseTimeOfDay(s) !== undefined,
  date: (s) => parseDate(s) !== undefined,
  cidr: (s) => parseCidr(s) !== undefined,
  'ip-range': (s) => parseIpRange(s) !== undefined,
  'host-port': (s) => parseHostPort(s, 53) !== undefined,
  ip: (s) => parseCidr(s)?.prefix === (s.includes(':') ? 128 : 32) && !s.includes('/'),
  mac: isMac,
  timezone: isTimezone,
  'category-name': (s) => /^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(s),
  'list-source': (s) => /^https?:\/\/[^\s]+$/i.test(s) || (s.length > 0 && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s)),
};
for (const [name, check] of Object.entries(checks)) {
  if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);
}

const formatted = (format: string) => (options: StringOptions = {}) => Type.String({ ...options, format });

export const Duration = formatted('duration');
export const Size = formatted('size');
export const Rate = formatted('rate');
export const TimeOfDay = formatted('time-of-day');
export const DateText = formatted('date');
export const CidrText = formatted('cidr');
export const IpRangeText = formatted('ip-range');
export const HostPort = formatted('host-port');
export const IpText = formatted('ip');
export const MacText = formatted('mac');
export const Timezone = formatted('timezone');
export const CategoryName = formatted('category-name');
export const ListSourceText = formatted('list-source');

/** A string enum; check-config lists the allowed values when it fails. */
export function OneOf<const T extends readonly string[]>(values: T, options: { default?: T[number]; description?: string } = {}) {
  return Type.Union(values.map((v) => Type.Literal(v as T[number])), options);
}

/** Marks a key whose change needs a daemon restart (the UI shows it; reload refuses it). */
export function restart<T extends TSchema>(schema: T): T {
  return { ...schema, requiresRestart: true };
}
