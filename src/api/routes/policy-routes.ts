// The policy as the e-safety policy reads it: groups × categories (block / allow / allowed at
// certain times), schedules, locked categories, and four-eyes proposals. Every write goes
// through config-change.ts (validated, audited; a proposal in four-eyes mode).
import { ROUTES } from '../schemas/index.js';
import type { PolicyMatrix } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { actorOf, fail, failureOf } from '../route.js';
import { badName, changeConfig, writtenValue } from '../config-change.js';
import type { Config } from '../../config.js';
import type { PolicyState } from '../../daemon/index.js';
import { maxDurationSeconds } from '../../policy/index.js';

type Cell = PolicyMatrix['groups'][number]['cells'][string];

export function policyMatrix(state: PolicyState): PolicyMatrix {
  const { config, index } = state;
  const locked = new Set(config.locked);
  const categories: PolicyMatrix['categories'] = index.categories.map((c) => ({ name: c.name, kind: c.kind, list: c.list, count: c.count, locked: locked.has(c.name) }));
  const known = new Set(categories.map((c) => c.name));
  // Categories a group names that no list provides (yet): shown, with no names behind them.
  for (const name of [...config.locked, ...config.groups.flatMap((g) => g.block)]) {
    if (!known.has(name)) {
      known.add(name);
      categories.push({ name, kind: 'block', list: '', count: 0, locked: locked.has(name) });
    }
  }
  const groups = config.groups.map((g) => {
    const cells: Record<string, Cell> = {};
    for (const c of categories) {
      if (c.locked) cells[c.name] = { state: 'locked' };
      else if (c.kind === 'allow') cells[c.name] = { state: g.allow.includes(c.name) ? 'honoured' : 'ignored' };
      else if (g.allowDuring[c.name]) cells[c.name] = { state: 'allowed-during', schedules: g.allowDuring[c.name] };
      else cells[c.name] = { state: g.block.includes(c.name) ? 'blocked' : 'allowed' };
    }
    return { name: g.name, default: g.default, safeSearch: g.safeSearch, cells };
  });
  return {
    categories, groups, schedules: Object.keys(config.schedules), locked: config.locked, fourEyes: config.governance.fourEyes,
    overrides: { maxDuration: config.overrides.maxDuration, maxDurationSeconds: maxDurationSeconds(config.overrides.maxDuration), minReasonLength: config.overrides.minReasonLength },
  };
}

function usedBy(config: Config): Record<string, string[]> {
  const out: Record<string, string[]> = Object.fromEntries(Object.keys(config.schedules).map((s) => [s, [] as string[]]));
  for (const g of config.groups) {
    for (const names of Object.values(g.allowDuring)) for (const s of names) if (out[s] && !out[s].includes(g.name)) out[s].push(g.name);
  }
  return out;
}

export function registerPolicyRoutes(mount: Mounter, deps: ApiDeps): void {
  const { ctx } = deps;
  const current = () => ctx.state.current;

  mount('listGroups', ROUTES.listGroups, async () => ({ items: current().config.groups as unknown as Record<string, unknown>[] }));

  mount('putGroup', ROUTES.putGroup, async (c) => {
    const at = current().config.groups.findIndex((g) => g.name === c.params.name);
    if (at === -1) return fail('SG_NOT_FOUND', `no group "${c.params.name}"`);
    return changeConfig(deps, ['groups', at], c.body, `group ${c.params.name}`, actorOf(c), c.query.reason);
  });

  mount('getPolicy', ROUTES.getPolicy, async () => policyMatrix(current()));

  mount('changeCell', ROUTES.changeCell, async (c) => {
    const { group, category, state } = c.body;
    const { config, index } = current();
    const at = config.groups.findIndex((g) => g.name === group);
    if (at === -1) return fail('SG_NOT_FOUND', `no group "${group}"`);
    if (config.locked.includes(category)) {
      await ctx.core.audit.append({ actor: actorOf(c), action: 'policy.refused', target: `${category} for group ${group}`, reason: c.body.reason, source: c.req.clientIp, details: { why: 'locked category', state } });
      return fail('SG_LOCKED_CATEGORY', `category "${category}" is locked: it is blocked for everyone, whatever a group says`);
    }
    const meta = index.categories.find((m) => m.name === category);
    if (!meta && !config.groups.some((g) => g.block.includes(category))) return fail('SG_BAD_INPUT', `unknown category "${category}"`);
    // Edit the group as written in the file (defaults stay implicit, the rest untouched).
    const written = writtenValue(deps, ['groups', at]);
    const g: Record<string, unknown> = written && typeof written === 'object' ? { ...(written as Record<string, unknown>) } : { name: group };
    const list = (k: string) => (Array.isArray(g[k]) ? (g[k] as string[]).filter((x) => x !== category) : []);
    const during = { ...((g.allowDuring as Record<string, string[]> | undefined) ?? {}) };
    delete during[category];
    if (meta?.kind === 'allow') {
      if (state === 'allow-during') return fail('SG_BAD_INPUT', `"${category}" is an allow list: a group honours it or not`);
      g.allow = state === 'allow' ? [...list('allow'), category] : list('allow');
    } else {
      const schedules = c.body.schedules ?? [];
      if (state === 'allow-during') {
        if (schedules.length === 0) return fail('SG_BAD_INPUT', 'allow-during needs schedules');
        const unknown = schedules.filter((s) => !(s in config.schedules));
        if (unknown.length > 0) return fail('SG_BAD_INPUT', `unknown schedule ${unknown.join(', ')}`);
        during[category] = schedules;
      }
      g.block = state === 'allow' ? list('block') : [...list('block'), category];
    }
    if (Object.keys(during).length > 0 || g.allowDuring !== undefined) g.allowDuring = during;
    const verb = state === 'allow-during' ? `allowed during ${(c.body.schedules ?? []).join(', ')}` : state === 'allow' ? (meta?.kind === 'allow' ? 'honoured' : 'allowed') : (meta?.kind === 'allow' ? 'not honoured' : 'blocked');
    return changeConfig(deps, ['groups', at], g, `${category} ${verb} for group ${group}`, actorOf(c), c.body.reason);
  });

  mount('putLocked', ROUTES.putLocked, async (c) => {
    const categories = [...new Set(c.body.categories)];
    const removed = current().config.locked.filter((x) => !categories.includes(x));
    const summary = removed.length > 0 ? `locked categories: ${categories.join(', ') || 'none'} (unlocking ${removed.join(', ')})` : `locked categories: ${categories.join(', ')}`;
    return changeConfig(deps, ['locked'], categories, summary, actorOf(c), c.body.reason);
  });

  mount('listSchedules', ROUTES.listSchedules, async () => {
    const { config } = current();
    return { schedules: config.schedules, calendar: config.calendar, timezone: config.timezone, usedBy: usedBy(config) };
  });

  mount('putSchedule', ROUTES.putSchedule, async (c) => {
    const bad = badName('schedule', c.params.name);
    if (bad) return bad;
    return changeConfig(deps, ['schedules', c.params.name], c.body, `schedule ${c.params.name}`, actorOf(c), c.query.reason);
  });

  mount('deleteSchedule', ROUTES.deleteSchedule, async (c) => {
    const { config } = current();
    if (!(c.params.name in config.schedules)) return fail('SG_NOT_FOUND', `no schedule "${c.params.name}"`);
    const users = usedBy(config)[c.params.name] ?? [];
    if (users.length > 0) return fail('SG_CONFLICT', `schedule "${c.params.name}" is used by group ${users.join(', ')}: change those first`);
    return changeConfig(deps, ['schedules', c.params.name], undefined, `remove schedule ${c.params.name}`, actorOf(c), c.query.reason);
  });

  mount('putCalendar', ROUTES.putCalendar, async (c) => {
    const bad = badName('calendar', c.params.name);
    if (bad) return bad;
    return changeConfig(deps, ['calendar', c.params.name], c.body, `calendar ${c.params.name}`, actorOf(c), c.query.reason);
  });

  mount('deleteCalendar', ROUTES.deleteCalendar, async (c) => {
    const { config } = current();
    if (!(c.params.name in config.calendar)) return fail('SG_NOT_FOUND', `no calendar "${c.params.name}"`);
    const users = Object.entries(config.schedules)
      .filter(([, s]) => !Array.isArray(s) && [...(s.only ?? []), ...(s.except ?? [])].includes(c.params.name))
      .map(([name]) => name);
    if (users.length > 0) return fail('SG_CONFLICT', `calendar "${c.params.name}" is used by schedule ${users.join(', ')}: change those first`);
    return changeConfig(deps, ['calendar', c.params.name], undefined, `remove calendar ${c.params.name}`, actorOf(c), c.query.reason);
  });

  mount('listProposals', ROUTES.listProposals, async (c) => ({ items: await ctx.core.proposals.list(c.query.status), fourEyes: ctx.core.proposals.enabled }));

  mount('approveProposal', ROUTES.approveProposal, async (c) => {
    const r = await ctx.core.proposals.approve(c.params.id, actorOf(c), c.body.reason);
    return r.ok ? r.value : failureOf(r);
  });

  mount('rejectProposal', ROUTES.rejectProposal, async (c) => {
    const r = await ctx.core.proposals.reject(c.params.id, actorOf(c), c.body.reason);
    return r.ok ? r.value : failureOf(r);
  });
}
