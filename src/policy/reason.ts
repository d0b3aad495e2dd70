// Why a decision was made. The query log, EDE text, block page and `lookup` all read this enum;
// none of them rebuilds a reason of its own.

export const REASONS = {
  locked: 'a locked category: nobody can unblock it',
  override: 'a time-limited override',
  'filter-off': 'filtering switched off for this device or group (approved, time-limited)',
  'allow-list': 'an allow list this group honours',
  schedule: 'allowed at this time by a schedule',
  'group-block': 'blocked for this group',
  default: 'not in any category this group blocks',
  'safe-search': 'rewritten to the provider\'s safe-search host',
  canary: 'a canary name that turns off encrypted DNS or private relays',
  sni: 'the TLS server name or HTTP host of a connection is blocked',
  portal: 'this device has not signed in yet',
  'rate-limit': 'this device sent too many queries',
  local: 'answered by schoolgate itself (a private address: never asked upstream, RFC 6303)',
} as const;

export type Reason = keyof typeof REASONS;

export type Action = 'allow' | 'block';

export interface Decision {
  action: Action;
  reason: Reason;
  /** the category that decided it (blocked category, allow list, or the category a schedule opened) */
  category?: string;
  overrideId?: string;
  schedule?: string;
  /** epoch ms at which this decision may change (override expiry, window edge); Infinity if none */
  validUntil: number;
}

/** One line for humans: "blocked for this group (category gambling)". */
export function describeDecision(d: Decision): string {
  const parts: string[] = [REASONS[d.reason]];
  if (d.category) parts.push(`category ${d.category}`);
  if (d.schedule) parts.push(`schedule ${d.schedule}`);
  if (d.overrideId) parts.push(`override ${d.overrideId}`);
  return parts.length > 1 ? `${parts[0]} (${parts.slice(1).join(', ')})` : parts[0];
}
