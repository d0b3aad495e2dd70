// Which groups block each bypass category right now, and which clients an override exempts.
// Asks the same decide() the DNS path asks, so schedules and overrides mean the same thing to the
// kernel as to the resolver. Pure: the policy state and the time come in.
import { isIP } from 'node:net';
import { decide } from '../policy/index.js';
import type { PolicyState } from '../daemon/index.js';
import type { FirewallPlan } from './plan.js';

export interface CategoryState {
  groupIds: number[];
  exempt: { v4: string[]; v6: string[]; macs: string[] };
}

export function bypassState(plan: FirewallPlan, state: PolicyState, now: number): Map<string, CategoryState> {
  const out = new Map<string, CategoryState>();
  for (const b of plan.bypass) {
    const id = state.index.categoryId(b.category);
    const groupIds: number[] = [];
    for (const g of plan.groups) {
      const group = state.policy.byName.get(g.name);
      if (!group) continue;
      let blocked: boolean;
      if (id === undefined) {
        // No list provides the category: learned addresses can still arrive; follow the config.
        blocked = group.config.block.includes(b.category) || state.config.locked.includes(b.category);
      } else {
        const d = decide({ policy: state.policy, group, name: '', categories: state.index.bitsOf([b.category]), client: { ip: '' }, overrides: state.overrides }, now);
        blocked = d.action === 'block';
      }
      if (blocked) groupIds.push(g.id);
    }
    out.set(b.category, { groupIds, exempt: exemptions(state, id, now) });
  }
  return out;
}

/** Clients (by address or MAC) with an active allow override for the category, or filtering off. */
function exemptions(state: PolicyState, categoryId: number | undefined, now: number): CategoryState['exempt'] {
  const ex = { v4: [] as string[], v6: [] as string[], macs: [] as string[] };
  if (state.config.locked.length > 0 && categoryId !== undefined && state.policy.lockedBits[categoryId >>> 5] & (1 << (categoryId & 31))) return ex;
  for (const o of state.overrides) {
    if (o.action !== 'allow' || now < o.startsAt || now >= o.expiresAt) continue;
    if (!(o.all || (categoryId !== undefined && o.categoryId === categoryId))) continue;
    if (o.scope.kind === 'client') {
      const family = isIP(o.scope.ip);
      if (family === 4) ex.v4.push(o.scope.ip);
      else if (family === 6) ex.v6.push(o.scope.ip);
    } else if (o.scope.kind === 'mac') {
      ex.macs.push(o.scope.mac);
    }
  }
  return { v4: [...new Set(ex.v4)], v6: [...new Set(ex.v6)], macs: [...new Set(ex.macs)] };
}

export function sameCategoryState(a: CategoryState | undefined, b: CategoryState | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
