// decide(): the whole filtering policy as one pure function of (request, now).
//
// Precedence, highest first:
//   1. locked categories   block; nothing lifts them
//   2. overrides           a domain override, then a category block override, then filtering off
//   3. allow lists         categories the group honours as white lists
//   4. schedules           allowDuring windows lift a blocked category while open
//   5. group block list    block
//   6. otherwise           allow
// A category allow override lifts that one category (as a schedule would) but not the others
// the name is listed in.
import type { CategoryBits } from '../lists/index.js';
import type { CompiledGroup, CompiledPolicy } from './compile.js';
import { domainCovers, hasCategory, overrideApplies } from './overrides.js';
import type { ActiveOverride } from './overrides.js';
import type { Decision } from './reason.js';
import { isOpen, nextChange } from './schedule.js';

export interface DecideRequest {
  policy: CompiledPolicy;
  group: CompiledGroup;
  /** normalised query name */
  name: string;
  /** categories of the name and its parents (and of CNAME targets, for answers) */
  categories: CategoryBits;
  client: { ip: string; mac?: string };
  overrides: readonly ActiveOverride[];
}

function firstCommon(a: CategoryBits, b: CategoryBits): number {
  for (let w = 0; w < a.length; w++) {
    const x = a[w] & b[w];
    if (x !== 0) return w * 32 + (31 - Math.clz32(x & -x));
  }
  return -1;
}

export function decide(req: DecideRequest, now: number): Decision {
  const { policy, group, categories, name } = req;
  const catName = (id: number) => policy.categoryNames[id];

  const locked = firstCommon(categories, policy.lockedBits);
  if (locked >= 0) return { action: 'block', reason: 'locked', category: catName(locked), validUntil: Infinity };

  let liftedByOverride: ActiveOverride[] | undefined;
  for (const o of req.overrides) {
    if (!overrideApplies(o, group.name, req.client.ip, req.client.mac, now)) continue;
    if (o.domain !== undefined) {
      if (domainCovers(o.domain, name)) return { action: o.action, reason: 'override', overrideId: o.id, validUntil: o.expiresAt };
    } else if (o.categoryId !== undefined) {
      if (!hasCategory(categories, o.categoryId)) continue;
      if (o.action === 'block') return { action: 'block', reason: 'override', category: catName(o.categoryId), overrideId: o.id, validUntil: o.expiresAt };
      (liftedByOverride ??= []).push(o);
    } else if (o.all && o.action === 'allow') {
      return { action: 'allow', reason: 'filter-off', overrideId: o.id, validUntil: o.expiresAt };
    }
  }

  const allowed = firstCommon(categories, group.allowBits);
  if (allowed >= 0) return { action: 'allow', reason: 'allow-list', category: catName(allowed), validUntil: Infinity };

  // Every blocked category must be lifted (by a category override or an open window) to allow.
  let validUntil = Infinity;
  let liftReason: Decision | undefined;
  for (let w = 0; w < categories.length; w++) {
    let blocked = categories[w] & group.blockBits[w];
    while (blocked !== 0) {
      const bit = blocked & -blocked;
      blocked ^= bit;
      const id = w * 32 + (31 - Math.clz32(bit));
      const lift = liftBy(req, id, liftedByOverride, now);
      if (!lift) return { action: 'block', reason: 'group-block', category: catName(id), validUntil: Infinity };
      validUntil = Math.min(validUntil, lift.validUntil);
      liftReason ??= lift;
    }
  }
  if (liftReason) return { ...liftReason, validUntil };
  return { action: 'allow', reason: 'default', validUntil: Infinity };
}

function liftBy(req: DecideRequest, id: number, overrides: ActiveOverride[] | undefined, now: number): Decision | undefined {
  const o = overrides?.find((x) => x.categoryId === id);
  if (o) return { action: 'allow', reason: 'override', category: req.policy.categoryNames[id], overrideId: o.id, validUntil: o.expiresAt };
  const schedules = req.group.during.get(id);
  if (!schedules) return undefined;
  for (const s of schedules) {
    if (isOpen(s, req.policy.timezone, now)) {
      return { action: 'allow', reason: 'schedule', category: req.policy.categoryNames[id], schedule: s.name, validUntil: nextChange(s, req.policy.timezone, now) };
    }
  }
  return undefined;
}

