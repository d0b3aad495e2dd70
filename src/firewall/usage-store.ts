// Usage records in the store's `usage` sublevel, one per device per day: key "YYYY-MM-DD/device".
// Written in batches (every minute, on reset, at midnight and on stop), not on every reading: the
// SD card is the appliance's weakest part, and the kernel keeps counting meanwhile.
import type { Sublevel } from '../store/index.js';
import type { DeviceDay } from './usage-ledger.js';

export function usageKey(day: string, device: string): string {
  return `${day}/${device}`;
}

export async function saveUsage(usage: Sublevel, records: readonly DeviceDay[]): Promise<void> {
  if (records.length === 0) return;
  await usage.batch(records.map((r) => ({ type: 'put' as const, key: usageKey(r.day, r.device), value: r })));
}

/** Records of the days from `firstDay` to `lastDay` inclusive. */
export async function loadUsage(usage: Sublevel, firstDay: string, lastDay: string): Promise<DeviceDay[]> {
  const out: DeviceDay[] = [];
  for await (const [, value] of usage.iterator({ gte: `${firstDay}/`, lt: `${lastDay}/\uffff` })) {
    if (isDeviceDay(value)) out.push(value);
  }
  return out;
}

function isDeviceDay(v: unknown): v is DeviceDay {
  const r = v as DeviceDay;
  return typeof r === 'object' && r !== null && typeof r.day === 'string' && typeof r.device === 'string' && typeof r.up === 'number' && typeof r.down === 'number';
}

/** "YYYY-MM-DD" of the calendar day before. */
export function dayBefore(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}
