// The weekly safeguarding report (names where the school knows them: it is for the DSL) and the
// governors' report (anonymised: counts per category and group, incidents by type and outcome,
// no names, devices or addresses), from the query log counts, incidents, requests, overrides,
// the audit chain and the self-test runs.
import type { GovernorsReport, WeeklyReport } from './schemas/index.js';
import type { ApiDeps } from './api-deps.js';
import { countPeriod, reportPeriod, sumCounts } from './report-data.js';
import { selfTestSummary } from './self-test-store.js';
import { overrideView } from './routes/override-routes.js';
import { addDays, instantOf } from '../policy/index.js';
import type { Incident } from '../incidents/index.js';
import type { AccessRequest } from '../overrides/index.js';
import { fail } from './route.js';
import type { Failure } from './route.js';

interface Period { from: string; to: string; start: number; end: number }

function period(deps: ApiDeps, q: { from?: string; to?: string }): Period | Failure {
  const zone = deps.ctx.state.current.policy.timezone;
  const p = reportPeriod(zone, deps.ctx.clock.now(), q);
  if ('error' in p) return fail('SG_BAD_INPUT', p.error);
  return { ...p, start: instantOf(zone, p.from, 0), end: instantOf(zone, addDays(p.to, 1), 0) };
}

const within = (iso: string, p: Period) => {
  const t = Date.parse(iso);
  return t >= p.start && t < p.end;
};

function incidentTypes(items: readonly Incident[]) {
  return (['locked', 'burst', 'bypass'] as const).map((type) => {
    const of = items.filter((i) => i.type === type);
    return { type, total: of.length, open: of.filter((i) => i.status === 'open').length, acknowledged: of.filter((i) => i.status === 'acknowledged').length };
  });
}

function requestCounts(items: readonly AccessRequest[]) {
  return { total: items.length, open: items.filter((r) => r.status === 'open').length, approved: items.filter((r) => r.status === 'approved').length, declined: items.filter((r) => r.status === 'declined').length };
}

/** Overrides and filtering-off requests granted in the period, from the audit chain (kept forever). */
async function overridesGranted(deps: ApiDeps, p: Period): Promise<{ created: number; filterOff: number }> {
  let created = 0;
  let filterOff = 0;
  let before: number | undefined;
  for (let page = 0; page < 200; page++) {
    const items = await deps.ctx.core.audit.list({ limit: 1000, beforeSeq: before });
    for (const e of items) {
      if (!within(e.time, p)) continue;
      if (e.action === 'override.create') created++;
      if (e.action === 'filter-off.request') filterOff++;
    }
    const last = items[items.length - 1];
    if (!last || Date.parse(last.time) < p.start || last.seq <= 1) break;
    before = last.seq;
  }
  return { created, filterOff };
}

async function common(deps: ApiDeps, p: Period) {
  const { ctx } = deps;
  const counts = await countPeriod(ctx.core.queryLog, ctx.store.settings, ctx.state.current.policy.timezone, p.from, p.to, ctx.clock.now());
  const incidents = (await ctx.core.incidents.list({ since: p.start, limit: 100_000 })).filter((i) => Date.parse(i.firstAt) < p.end);
  const requests = (await ctx.core.requests.list({ limit: 100_000 })).filter((r) => within(r.createdAt, p));
  const chain = await ctx.core.audit.verify();
  return {
    counts, incidents, requests, chain,
    coverage: { daysWithLog: counts.daysWithLog, days: counts.days.length, rowsScanned: counts.rowsScanned, truncated: counts.truncated },
    totals: { queries: counts.days.reduce((n, d) => n + d.queries, 0), blocked: counts.days.reduce((n, d) => n + d.blocked, 0) },
    overrides: await overridesGranted(deps, p),
    selfTest: await selfTestSummary(ctx.store.settings),
  };
}

export async function weeklyReport(deps: ApiDeps, q: { from?: string; to?: string }): Promise<WeeklyReport | Failure> {
  const p = period(deps, q);
  if ('code' in p) return p;
  const c = await common(deps, p);
  const devices = new Map<string, { device: string; user?: string; group: string; count: number }>();
  for (const d of c.counts.days) {
    for (const [device, v] of Object.entries(d.blockedByDevice)) {
      const e = devices.get(device) ?? { device, user: v.user, group: v.group, count: 0 };
      e.count += v.count;
      devices.set(device, e);
    }
  }
  const reports = c.requests.filter((r) => r.type === 'report');
  return {
    kind: 'weekly', from: p.from, to: p.to, timezone: deps.ctx.state.current.config.timezone, generatedAt: new Date(deps.ctx.clock.now()).toISOString(),
    coverage: c.coverage, totals: c.totals,
    blockedByCategory: sumCounts(c.counts.days, (d) => d.blockedByCategory),
    blockedByGroup: sumCounts(c.counts.days, (d) => d.blockedByGroup),
    topBlockedDevices: [...devices.values()].sort((a, b) => b.count - a.count).slice(0, 20),
    incidents: { byType: incidentTypes(c.incidents), items: c.incidents },
    requests: {
      access: requestCounts(c.requests.filter((r) => r.type === 'access')),
      reports: requestCounts(reports),
      reportedSites: reports.map((r) => ({ domain: r.domain, category: r.category, status: r.status, createdAt: r.createdAt })),
    },
    overrides: {
      ...c.overrides,
      items: deps.ctx.core.overrides.list().filter((o) => within(o.createdAt, p)).map(overrideView)
        .map((o) => ({ id: o.id, description: o.description, grantedBy: o.grantedBy, reason: o.reason, createdAt: o.createdAt, expiresAt: o.expiresAt, status: o.status })),
    },
    auditChain: c.chain.ok ? { ok: true, entries: c.chain.entries } : { ok: false, entries: c.chain.entries, problem: c.chain.problem },
    selfTest: c.selfTest,
  };
}

export async function governorsReport(deps: ApiDeps, q: { from?: string; to?: string }): Promise<GovernorsReport | Failure> {
  const p = period(deps, q);
  if ('code' in p) return p;
  const c = await common(deps, p);
  return {
    kind: 'governors', from: p.from, to: p.to, timezone: deps.ctx.state.current.config.timezone, generatedAt: new Date(deps.ctx.clock.now()).toISOString(),
    coverage: c.coverage, totals: c.totals,
    blockedByCategory: sumCounts(c.counts.days, (d) => d.blockedByCategory),
    blockedByGroup: sumCounts(c.counts.days, (d) => d.blockedByGroup),
    queriesByGroup: sumCounts(c.counts.days, (d) => d.queriesByGroup),
    incidents: { total: c.incidents.length, byType: incidentTypes(c.incidents) },
    requests: { access: requestCounts(c.requests.filter((r) => r.type === 'access')), reports: requestCounts(c.requests.filter((r) => r.type === 'report')) },
    overrides: c.overrides,
    auditChain: { ok: c.chain.ok, entries: c.chain.entries },
    selfTest: c.selfTest,
  };
}
