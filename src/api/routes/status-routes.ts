// GET /status and GET /stats: the dashboard's figures. Parts that are not running (the DNS
// stage, the health stage, traffic) are absent, and `notes` says so in words.
import { ROUTES } from '../schemas/index.js';
import type { Status } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { countedTalkers } from './traffic-routes.js';
import type { DaemonContext } from '../../daemon/index.js';
import { overrideStatus } from '../../policy/index.js';

export function listsStatus(ctx: DaemonContext): Status['lists'] {
  const { index } = ctx.state.current;
  return {
    domains: index.size,
    categories: index.categories.length,
    compiledAt: index.meta.createdAt,
    ageSeconds: Math.max(0, Math.round((ctx.clock.now() - Date.parse(index.meta.createdAt)) / 1000)),
    lists: index.lists.map((l) => ({ name: l.name, format: l.format, status: l.status, error: l.error, fetchedAt: l.fetchedAt, accepted: l.accepted })),
  };
}

export function overrideCounts(ctx: DaemonContext): Status['overrides'] {
  const now = ctx.clock.now();
  const counts = { active: 0, scheduled: 0, pendingApproval: 0 };
  for (const o of ctx.state.current.overrideRecords) {
    const s = overrideStatus(o, now);
    if (s === 'active') counts.active++;
    else if (s === 'scheduled') counts.scheduled++;
    else if (s === 'pending-approval') counts.pendingApproval++;
  }
  return counts;
}

export function registerStatusRoutes(mount: Mounter, deps: ApiDeps): void {
  const { ctx } = deps;
  mount('getStatus', ROUTES.getStatus, async () => {
    const { config } = ctx.state.current;
    const notes: string[] = [];
    const dns = ctx.services.dns?.counters();
    if (!dns) notes.push('the DNS stage is not running: no DNS counters, and nothing of schoolgate answers DNS');
    const health = ctx.services.health;
    if (!health) notes.push('the health stage is not running: no LED states');
    const setupNeeded = (await ctx.core.users.count()) === 0;
    if (setupNeeded) notes.push('setup needed: no admin account yet (the setup code is in the log)');
    const listeners = deps.listeners();
    for (const l of [...listeners.admin, ...listeners.blockPage]) if (!l.listening) notes.push(`not listening on ${l.address}${l.error ? `: ${l.error}` : ''}`);
    const [openRequests, pendingProposals] = await Promise.all([
      ctx.core.requests.list({ status: 'open', limit: 2000 }).then((r) => r.length),
      ctx.core.proposals.list('pending').then((p) => p.length),
    ]);
    return {
      version: deps.version,
      startedAt: new Date(deps.startedAt).toISOString(),
      uptimeSeconds: Math.round((ctx.clock.now() - deps.startedAt) / 1000),
      mode: config.mode,
      setupNeeded,
      fourEyes: config.governance.fourEyes,
      leds: health?.leds(),
      health: health?.snapshot(),
      lists: listsStatus(ctx),
      dns,
      overrides: overrideCounts(ctx),
      incidents: { open: ctx.core.incidents.openCount },
      requests: { open: openRequests },
      proposals: { pending: pendingProposals },
      listeners,
      notes,
    };
  });

  mount('getStats', ROUTES.getStats, async () => {
    const now = ctx.clock.now();
    return {
      at: new Date(now).toISOString(),
      ...ctx.core.stats.snapshot(now),
      dns: ctx.services.dns?.counters(),
      topTalkers: ctx.services.traffic ? countedTalkers(ctx.services.traffic, 10) : undefined,
    };
  });
}
