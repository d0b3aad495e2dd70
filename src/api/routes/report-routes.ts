// The weekly safeguarding report, the governors' report (both also as CSV), and the filtering
// self-test (run, kept, listed, exported).
import { ROUTES } from '../schemas/index.js';
import type { GovernorsReport, SelfTestRun, WeeklyReport } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { actorOf, fail } from '../route.js';
import { governorsReport, weeklyReport } from '../reports.js';
import { csvDocument } from '../report-csv.js';
import type { CsvTable } from '../report-csv.js';
import { runSelfTest } from '../self-test.js';
import { getRun, listRuns, saveRun } from '../self-test-store.js';

const counts = (title: string, items: { name: string; count: number }[]): CsvTable => ({ title, headers: ['name', 'count'], rows: items.map((i) => [i.name, i.count]) });

function commonTables(r: WeeklyReport | GovernorsReport): CsvTable[] {
  return [
    { title: `schoolgate ${r.kind === 'weekly' ? 'weekly safeguarding report' : 'governors\' report (anonymised)'}`, headers: ['from', 'to', 'timezone', 'generated', 'days with query log', 'truncated'], rows: [[r.from, r.to, r.timezone, r.generatedAt, `${r.coverage.daysWithLog}/${r.coverage.days}`, r.coverage.truncated]] },
    { title: 'totals', headers: ['queries', 'blocked'], rows: [[r.totals.queries, r.totals.blocked]] },
    counts('blocked by category', r.blockedByCategory),
    counts('blocked by group', r.blockedByGroup),
    { title: 'incidents by type', headers: ['type', 'total', 'open', 'acknowledged'], rows: r.incidents.byType.map((t) => [t.type, t.total, t.open, t.acknowledged]) },
    { title: 'requests', headers: ['type', 'total', 'open', 'approved', 'declined'], rows: [['access', ...Object.values(r.requests.access)], ['report a site', ...Object.values(r.requests.reports)]] },
    { title: 'overrides', headers: ['created', 'filtering off requested'], rows: [[r.overrides.created, r.overrides.filterOff]] },
    { title: 'audit chain', headers: ['verifies', 'entries'], rows: [[r.auditChain.ok, r.auditChain.entries]] },
    { title: 'filtering self-test', headers: ['runs', 'last run', 'passed', 'failed'], rows: [[r.selfTest.runs, r.selfTest.lastRunAt, r.selfTest.lastPassed, r.selfTest.lastFailed]] },
  ];
}

export function weeklyCsv(r: WeeklyReport): string {
  return csvDocument([
    ...commonTables(r),
    { title: 'devices with most blocked queries', headers: ['device', 'user', 'group', 'blocked'], rows: r.topBlockedDevices.map((d) => [d.device, d.user, d.group, d.count]) },
    {
      title: 'incidents', headers: ['id', 'type', 'first', 'last', 'device', 'user', 'group', 'category', 'domains', 'count', 'status', 'action taken', 'outcome', 'by'],
      rows: r.incidents.items.map((i) => [i.id, i.type, i.firstAt, i.lastAt, i.mac ?? i.client, i.user, i.group, i.category, i.domains.join(' '), i.count, i.status, i.ack?.action, i.ack?.outcome, i.ack?.by]),
    },
    { title: 'reported sites', headers: ['domain', 'suggested category', 'status', 'reported'], rows: r.requests.reportedSites.map((s) => [s.domain, s.category, s.status, s.createdAt]) },
    { title: 'overrides granted', headers: ['id', 'what', 'granted by', 'reason', 'created', 'expires', 'status'], rows: r.overrides.items.map((o) => [o.id, o.description, o.grantedBy, o.reason, o.createdAt, o.expiresAt, o.status]) },
  ]);
}

export function governorsCsv(r: GovernorsReport): string {
  return csvDocument([...commonTables(r), counts('queries by group', r.queriesByGroup)]);
}

export function selfTestCsv(run: SelfTestRun): string {
  return csvDocument([
    { title: 'schoolgate filtering self-test', headers: ['id', 'started', 'finished', 'by', 'passed', 'failed', 'skipped'], rows: [[run.id, run.startedAt, run.finishedAt, run.by, run.passed, run.failed, run.skipped]] },
    { title: 'lines', headers: ['time', 'group', 'check', 'category', 'name', 'type', 'expected', 'got', 'result', 'detail', 'ms'], rows: run.lines.map((l) => [l.at, l.group, l.check, l.category, l.name, l.qtype, l.expected, l.got, l.result, l.detail, l.ms]) },
  ]);
}

const attachment = (name: string) => `attachment; filename="${name}"`;

export function registerReportRoutes(mount: Mounter, deps: ApiDeps): void {
  const { ctx } = deps;

  mount('weeklyReport', ROUTES.weeklyReport, async (c) => weeklyReport(deps, c.query));
  mount('weeklyReportCsv', ROUTES.weeklyReportCsv, async (c) => {
    const r = await weeklyReport(deps, c.query);
    if ('code' in r) return r;
    return c.reply.type('text/csv; charset=utf-8').header('content-disposition', attachment(`schoolgate-weekly-${r.from}-${r.to}.csv`)).send(weeklyCsv(r));
  });
  mount('governorsReport', ROUTES.governorsReport, async (c) => governorsReport(deps, c.query));
  mount('governorsReportCsv', ROUTES.governorsReportCsv, async (c) => {
    const r = await governorsReport(deps, c.query);
    if ('code' in r) return r;
    return c.reply.type('text/csv; charset=utf-8').header('content-disposition', attachment(`schoolgate-governors-${r.from}-${r.to}.csv`)).send(governorsCsv(r));
  });

  let running: Promise<SelfTestRun> | undefined;
  mount('runSelfTest', ROUTES.runSelfTest, async (c) => {
    const dns = ctx.services.dns;
    if (!dns) return fail('SG_UNAVAILABLE', 'the DNS stage is not running: there is nothing to test');
    if (running) return fail('SG_CONFLICT', 'a self-test is running; wait for it');
    running = runSelfTest(ctx, dns, actorOf(c));
    try {
      const run = await running;
      await saveRun(ctx.store, run);
      await ctx.core.audit.append({ actor: actorOf(c), action: 'selftest.run', target: run.id, source: c.req.clientIp, details: { passed: run.passed, failed: run.failed, skipped: run.skipped } });
      return run;
    } finally {
      running = undefined;
    }
  });
  mount('listSelfTests', ROUTES.listSelfTests, async (c) => ({
    items: (await listRuns(ctx.store.settings, c.query.limit ?? 50)).map(({ lines: _lines, ...rest }) => rest),
  }));
  mount('getSelfTest', ROUTES.getSelfTest, async (c) => (await getRun(ctx.store.settings, c.params.id)) ?? fail('SG_NOT_FOUND', `no self-test run ${c.params.id}`));
  mount('getSelfTestCsv', ROUTES.getSelfTestCsv, async (c) => {
    const run = await getRun(ctx.store.settings, c.params.id);
    if (!run) return fail('SG_NOT_FOUND', `no self-test run ${c.params.id}`);
    return c.reply.type('text/csv; charset=utf-8').header('content-disposition', attachment(`schoolgate-self-test-${run.startedAt.slice(0, 10)}.csv`)).send(selfTestCsv(run));
  });
}
