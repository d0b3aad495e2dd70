// Overrides: "unblock this site for 7B for the period of study". The stored record, the checks a
// new one must pass, and the compiled form decide() scans. Pure: the caller passes `now`.
import { isIP } from 'node:net';
import { isMac, normaliseMac, parseDuration } from '../schema/index.js';
import type { CategoryBits } from '../lists/index.js';

export type OverrideTarget = { domain: string } | { category: string } | { all: true };
export type OverrideScope = { group: string } | { client: string } | { mac: string } | { school: true };

export interface Override {
  id: string;
  target: OverrideTarget;
  scope: OverrideScope;
  action: 'allow' | 'block';
  reason: string;
  requestedBy?: string;
  grantedBy: string;
  createdAt: string;
  startsAt: string;
  expiresAt: string;
  /** filtering off needs a second person with the safeguarding role */
  approval?: { required: true; approvedBy?: string; approvedAt?: string };
  revokedAt?: string;
  revokedBy?: string;
  /** the access request it answers, if any */
  requestId?: string;
}

export interface ActiveOverride {
  id: string;
  domain?: string;
  categoryId?: number;
  all: boolean;
  scope: { kind: 'group'; group: string } | { kind: 'client'; ip: string } | { kind: 'mac'; mac: string } | { kind: 'school' };
  action: 'allow' | 'block';
  startsAt: number;
  expiresAt: number;
}

export type OverrideStatus = 'pending-approval' | 'scheduled' | 'active' | 'expired' | 'revoked';

export function overrideStatus(o: Override, now: number): OverrideStatus {
  if (o.revokedAt) return 'revoked';
  if (Date.parse(o.expiresAt) <= now) return 'expired';
  if (o.approval?.required && !o.approval.approvedBy) return 'pending-approval';
  return Date.parse(o.startsAt) > now ? 'scheduled' : 'active';
}

/** Active (and scheduled) overrides in decide()'s order: most specific first, then newest. */
export function compileOverrides(
  overrides: readonly Override[],
  now: number,
  categoryId: (name: string) => number | undefined,
): ActiveOverride[] {
  const live = overrides.filter((o) => {
    const s = overrideStatus(o, now);
    return s === 'active' || s === 'scheduled';
  });
  const compiled = live.map((o) => ({
    id: o.id,
    domain: 'domain' in o.target ? o.target.domain : undefined,
    categoryId: 'category' in o.target ? categoryId(o.target.category) ?? -1 : undefined,
    all: 'all' in o.target,
    scope: 'group' in o.scope ? { kind: 'group' as const, group: o.scope.group }
      : 'client' in o.scope ? { kind: 'client' as const, ip: o.scope.client }
      : 'mac' in o.scope ? { kind: 'mac' as const, mac: normaliseMac(o.scope.mac) }
      : { kind: 'school' as const },
    action: o.action,
    startsAt: Date.parse(o.startsAt),
    expiresAt: Date.parse(o.expiresAt),
    created: Date.parse(o.createdAt),
  }));
  const scopeRank = { client: 3, mac: 3, group: 2, school: 1 };
  const targetRank = (o: { domain?: string; categoryId?: number }) => (o.domain ? 3 : o.categoryId !== undefined ? 2 : 1);
  compiled.sort((a, b) => scopeRank[b.scope.kind] - scopeRank[a.scope.kind] || targetRank(b) - targetRank(a) || b.created - a.created);
  return compiled.map(({ created: _created, ...o }) => o);
}

export function overrideApplies(o: ActiveOverride, group: string, ip: string, mac: string | undefined, now: number): boolean {
  if (now < o.startsAt || now >= o.expiresAt) return false;
  switch (o.scope.kind) {
    case 'school': return true;
    case 'group': return o.scope.group === group;
    case 'client': return o.scope.ip === ip;
    case 'mac': return mac !== undefined && o.scope.mac === mac;
  }
}

export function domainCovers(domain: string, name: string): boolean {
  return name === domain || (name.length > domain.length && name.endsWith(domain) && name.charCodeAt(name.length - domain.length - 1) === 46);
}

export function hasCategory(bits: CategoryBits, id: number): boolean {
  return id >= 0 && (bits[id >>> 5] & (1 << (id & 31))) !== 0;
}

// ---- validation of a new override (API and CLI share it) ----

export interface OverrideInput {
  domain?: string;
  category?: string;
  all?: boolean;
  group?: string;
  client?: string;
  mac?: string;
  school?: boolean;
  minutes?: number;
  until?: string;
  reason?: string;
  requestedBy?: string;
  action?: 'allow' | 'block';
}

export interface OverrideRules {
  maxDurationSeconds: number;
  minReasonLength: number;
  locked: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  categories: ReadonlySet<string>;
  /** the locked category a domain is listed in, if any (such a domain cannot be unblocked) */
  lockedCategoryOf: (domain: string) => string | undefined;
}

export type OverrideCheck =
  | { ok: true; target: OverrideTarget; scope: OverrideScope; startsAt: number; expiresAt: number }
  | { ok: false; code: 'SG_LOCKED_CATEGORY' | 'SG_BAD_OVERRIDE'; message: string };

export function checkOverride(input: OverrideInput, rules: OverrideRules, now: number, normalise: (d: string) => string | undefined): OverrideCheck {
  const bad = (message: string): OverrideCheck => ({ ok: false, code: 'SG_BAD_OVERRIDE', message });
  const targets = [input.domain !== undefined, input.category !== undefined, input.all === true].filter(Boolean).length;
  if (targets !== 1) return bad('give exactly one of domain, category (or all, for filtering off)');
  const scopes = [input.group, input.client, input.mac].filter((s) => s !== undefined).length + (input.school ? 1 : 0);
  if (scopes !== 1) return bad('give exactly one of group, client, mac or school');
  const reason = (input.reason ?? '').trim();
  if (reason.length < rules.minReasonLength) return bad(`a reason of at least ${rules.minReasonLength} characters is required`);

  let target: OverrideTarget;
  if (input.category !== undefined) {
    if (rules.locked.has(input.category) && input.action !== 'block') return { ok: false, code: 'SG_LOCKED_CATEGORY', message: `category "${input.category}" is locked: no override is possible` };
    if (!rules.categories.has(input.category)) return bad(`unknown category "${input.category}"`);
    target = { category: input.category };
  } else if (input.domain !== undefined) {
    const domain = normalise(input.domain);
    if (!domain) return bad(`"${input.domain}" is not a valid domain name`);
    const locked = input.action === 'block' ? undefined : rules.lockedCategoryOf(domain);
    if (locked) return { ok: false, code: 'SG_LOCKED_CATEGORY', message: `${domain} is in the locked category "${locked}": no override is possible` };
    target = { domain };
  } else {
    target = { all: true };
  }

  let scope: OverrideScope;
  if (input.group !== undefined) {
    if (!rules.groups.has(input.group)) return bad(`unknown group "${input.group}"`);
    scope = { group: input.group };
  } else if (input.client !== undefined) {
    if (isIP(input.client) === 0) return bad(`"${input.client}" is not an IP address`);
    scope = { client: input.client };
  } else if (input.mac !== undefined) {
    if (!isMac(input.mac)) return bad(`"${input.mac}" is not a MAC address`);
    scope = { mac: normaliseMac(input.mac) };
  } else {
    scope = { school: true };
  }

  let expiresAt: number;
  if (input.minutes !== undefined && input.until !== undefined) return bad('give minutes or until, not both');
  if (input.minutes !== undefined) {
    if (!Number.isFinite(input.minutes) || input.minutes <= 0) return bad('minutes must be a positive number');
    expiresAt = now + Math.round(input.minutes * 60_000);
  } else if (input.until !== undefined) {
    expiresAt = Date.parse(input.until);
    if (Number.isNaN(expiresAt)) return bad(`"${input.until}" is not a date and time (ISO 8601)`);
    if (expiresAt <= now) return bad('until is in the past');
  } else {
    return bad('give a duration: minutes or until');
  }
  if (expiresAt - now > rules.maxDurationSeconds * 1000) {
    return bad(`longer than the maximum override (${Math.round(rules.maxDurationSeconds / 3600)} hours)`);
  }
  return { ok: true, target, scope, startsAt: now, expiresAt };
}

export function maxDurationSeconds(text: string): number {
  return parseDuration(text) ?? 7 * 86400;
}
