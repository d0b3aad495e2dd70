// The fixed priority table from health conditions to the four LEDs. For each LED the first row
// whose condition holds wins; the last row of each LED ("otherwise") is its normal state. Rows
// are ordered so that a fault is never hidden by a routine condition (a failed list update shows
// even while a teacher's override is in force). README's LED card is this table in words; a test
// keeps the two in step.
import type { LedName, LedPattern, LedStates } from '../daemon/index.js';
import { LEDS } from './led-names.js';
import type { Condition, ConditionId } from '../health/index.js';

export interface PriorityRow {
  led: LedName;
  when: ConditionId | 'otherwise';
  pattern: LedPattern;
  /** the card's wording: what the technician should read from it */
  card: string;
}

export const PRIORITY: readonly PriorityRow[] = [
  { led: 'power', when: 'setup-needed', pattern: 'slow-blink', card: 'running, but not set up yet: no admin account' },
  { led: 'power', when: 'otherwise', pattern: 'heartbeat', card: 'schoolgate is running' },

  { led: 'wan', when: 'wan-down', pattern: 'fast-blink', card: 'internet down: no probe answered (ICMP targets, upstream resolvers)' },
  { led: 'wan', when: 'wan-no-dns', pattern: 'slow-blink', card: 'internet answers, but no upstream DNS resolver does' },
  { led: 'wan', when: 'wan-unknown', pattern: 'off', card: 'not known yet (first seconds after start), or nothing to probe' },
  { led: 'wan', when: 'otherwise', pattern: 'on', card: 'internet up' },

  { led: 'filter', when: 'no-lists', pattern: 'off', card: 'not filtering: no lists loaded' },
  { led: 'filter', when: 'filter-off', pattern: 'fast-blink', card: 'filtering is switched off for a device or group (approved, time-limited)' },
  { led: 'filter', when: 'lists-failed', pattern: 'heartbeat', card: 'a list update failed: filtering goes on with the last good lists' },
  { led: 'filter', when: 'lists-stale', pattern: 'heartbeat', card: 'a downloaded list is older than its update interval' },
  { led: 'filter', when: 'override-active', pattern: 'slow-blink', card: 'filtering, with an override in force (a site or category unblocked for someone)' },
  { led: 'filter', when: 'otherwise', pattern: 'on', card: 'filtering, lists current' },

  { led: 'alert', when: 'incident-open', pattern: 'fast-blink', card: 'an incident waits for the safeguarding lead (until acknowledged)' },
  { led: 'alert', when: 'store-error', pattern: 'on', card: 'the store (database) has an error' },
  { led: 'alert', when: 'disk-full', pattern: 'on', card: 'the data disk is nearly full' },
  { led: 'alert', when: 'store-full', pattern: 'on', card: 'the store reached its size cap: old query log entries are dropped' },
  { led: 'alert', when: 'clock-unsynced', pattern: 'slow-blink', card: 'the clock is not synchronised: schedules may be wrong' },
  { led: 'alert', when: 'otherwise', pattern: 'off', card: 'nothing needs attention' },
];

/** Card lines no condition produces: they are what the LEDs do outside the daemon's control. */
export const CARD_NOTES: readonly { led: LedName | 'all'; pattern: LedPattern | 'sweep'; card: string }[] = [
  { led: 'power', pattern: 'off', card: 'no power, or schoolgate is not running (a dead daemon stops the heartbeat)' },
  { led: 'all', pattern: 'sweep', card: 'each LED lights in turn, then all together: the self-test at start' },
];

/** The LED states for the conditions that hold now. */
export function ledStatesFor(conditions: readonly Condition[]): LedStates {
  const byId = new Map<ConditionId, string[]>();
  for (const c of conditions) byId.set(c.id, [...(byId.get(c.id) ?? []), c.detail]);
  const out = {} as LedStates;
  for (const led of LEDS) {
    const row = PRIORITY.find((r) => r.led === led && (r.when === 'otherwise' || byId.has(r.when)));
    if (!row) throw new Error(`priority table has no "otherwise" row for ${led}`);
    out[led] = { pattern: row.pattern, why: row.when === 'otherwise' ? row.card : (byId.get(row.when) ?? []).join('; ') };
  }
  return out;
}

export function sameStates(a: LedStates | undefined, b: LedStates): boolean {
  return a !== undefined && LEDS.every((l) => a[l].pattern === b[l].pattern && a[l].why === b[l].why);
}

export function allLeds(pattern: LedPattern, why: string): LedStates {
  return Object.fromEntries(LEDS.map((l) => [l, { pattern, why }])) as LedStates;
}
