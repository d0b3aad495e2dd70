// Reports: the weekly safeguarding report (DfE: review the filtering and monitoring weekly) and the
// governors' report (anonymised: counts per category and group, incidents by type and outcome,
// no names or addresses). Each as a printable page and as CSV, for any period.
import { API_BASE, api, withQuery } from './api.js';
import type { GovernorsReport, WeeklyReport } from './api-types.js';
import { barList } from './chart.js';
import { h, replace } from './dom.js';
import { count, dateTime, isoDay } from './format.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { go } from './router.js';
import { badge, errorNotice, field, loading, notice, pageHead, select, table } from './widgets.js';

type Counts = WeeklyReport['requests']['access'];
const pct = (a: number, b: number) => (b ? `${((a / b) * 100).toFixed(1)} %` : '—');
const requests = (label: string, c: Counts) => h('li', null, `${label}: ${c.total} (${c.approved} approved, ${c.declined} declined, ${c.open} open)`);

function common(r: WeeklyReport | GovernorsReport): HTMLElement[] {
  return [
    h('div', { class: 'grid' },
      h('div', { class: 'panel' }, h('div', { class: 'muted small' }, 'Queries'), h('div', { class: 'kpi' }, count(r.totals.queries))),
      h('div', { class: 'panel' }, h('div', { class: 'muted small' }, 'Blocked'), h('div', { class: 'kpi' }, count(r.totals.blocked)), h('div', { class: 'small muted' }, pct(r.totals.blocked, r.totals.queries))),
      h('div', { class: 'panel' }, h('div', { class: 'muted small' }, 'Audit chain'), h('div', { class: 'kpi' }, r.auditChain.ok ? 'verifies' : 'BROKEN'), h('div', { class: 'small muted' }, `${count(r.auditChain.entries)} entries`)),
      h('div', { class: 'panel' }, h('div', { class: 'muted small' }, 'Filtering self-test'), h('div', { class: 'kpi' }, r.selfTest.lastRunAt ? `${r.selfTest.lastPassed ?? 0} pass / ${r.selfTest.lastFailed ?? 0} fail` : 'not run'),
        h('div', { class: 'small muted' }, r.selfTest.lastRunAt ? `last run ${dateTime(r.selfTest.lastRunAt)} · ${r.selfTest.runs} runs in the period` : 'run it from the Self-test page'))),
    h('div', { class: 'grid' },
      h('div', { class: 'panel' }, h('h2', null, 'Blocked by category'), barList(r.blockedByCategory)),
      h('div', { class: 'panel' }, h('h2', null, 'Blocked by group'), barList(r.blockedByGroup))),
    h('div', { class: 'panel' }, h('h2', null, 'Incidents by type'), table<WeeklyReport['incidents']['byType'][number]>([
      { head: 'Type', cell: (t) => t.type },
      { head: 'Total', cell: (t) => t.total, class: 'num' },
      { head: 'Acknowledged (action and outcome recorded)', cell: (t) => t.acknowledged, class: 'num' },
      { head: 'Open', cell: (t) => t.open, class: 'num' },
    ], r.incidents.byType, 'No incidents in the period.')),
    h('div', { class: 'panel' }, h('h2', null, 'Requests, reports and overrides'), h('ul', null,
      requests('Access requests', r.requests.access), requests('Site reports (under-blocking)', r.requests.reports),
      h('li', null, `Overrides granted: ${r.overrides.created}, of which filtering off: ${r.overrides.filterOff}`))),
  ];
}

function weekly(r: WeeklyReport): HTMLElement[] {
  return [
    ...common(r),
    h('div', { class: 'panel' }, h('h2', null, 'Devices with the most blocked queries'), table<WeeklyReport['topBlockedDevices'][number]>([
      { head: 'Device', cell: (d) => d.device, class: 'mono' }, { head: 'User', cell: (d) => d.user ?? '' }, { head: 'Group', cell: (d) => d.group }, { head: 'Blocked', cell: (d) => d.count, class: 'num' },
    ], r.topBlockedDevices, 'None.')),
    h('div', { class: 'panel' }, h('h2', null, 'Incidents'), table<WeeklyReport['incidents']['items'][number]>([
      { head: 'Last seen', cell: (i) => dateTime(i.lastAt), class: 'nowrap' }, { head: 'Type', cell: (i) => i.type }, { head: 'Who', cell: (i) => [i.user, i.hostname, i.client].filter(Boolean).join(' · ') },
      { head: 'Category', cell: (i) => i.category ?? '' }, { head: 'Action and outcome', cell: (i) => (i.ack ? `${i.ack.action} → ${i.ack.outcome} (${i.ack.by})` : badge('warn', 'open')) },
    ], r.incidents.items, 'No incidents.')),
    h('div', { class: 'panel' }, h('h2', null, 'Reported sites'), table<WeeklyReport['requests']['reportedSites'][number]>([
      { head: 'When', cell: (s) => dateTime(s.createdAt), class: 'nowrap' }, { head: 'Site', cell: (s) => s.domain, class: 'break' }, { head: 'Suggested', cell: (s) => s.category ?? '' }, { head: 'Outcome', cell: (s) => s.status },
    ], r.requests.reportedSites, 'No sites reported.')),
    h('div', { class: 'panel' }, h('h2', null, 'Overrides'), table<WeeklyReport['overrides']['items'][number]>([
      { head: 'Granted', cell: (o) => dateTime(o.createdAt), class: 'nowrap' }, { head: 'What', cell: (o) => o.description, class: 'break' }, { head: 'By', cell: (o) => o.grantedBy },
      { head: 'Reason', cell: (o) => o.reason }, { head: 'Until', cell: (o) => dateTime(o.expiresAt), class: 'nowrap' }, { head: 'Status', cell: (o) => o.status },
    ], r.overrides.items, 'No overrides.')),
  ];
}

export async function reportsPage(ctx: PageContext): Promise<void> {
  const role = ctx.session.user.role;
  const kinds: [string, string][] = [...(can(role, 'weeklyReport') ? [['weekly', 'Weekly safeguarding report'] as [string, string]] : []), ['governors', 'Governors\' report (anonymised)']];
  const kind = select('kind', kinds, ctx.query.get('kind') ?? kinds[0][0]);
  const yesterday = isoDay(Date.now() - 86400_000);
  const to = h('input', { type: 'date', name: 'to', value: ctx.query.get('to') ?? yesterday, max: isoDay(Date.now()) });
  const from = h('input', { type: 'date', name: 'from', value: ctx.query.get('from') ?? isoDay(Date.now() - 7 * 86400_000) });
  const form = h('form', { class: 'panel inline-form no-print' }, field('Report', kind), field('From', from), field('To', to), h('button', { type: 'submit', class: 'primary' }, 'Show'));
  const out = h('div', { class: 'report' }, loading());
  const csv = h('a', { class: 'button', href: '/', download: 'report.csv' }, 'Download CSV');
  ctx.main.append(pageHead('Reports', undefined, h('button', { type: 'button', onclick: () => window.print() }, 'Print'), csv), form, out);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go('/reports', { kind: kind.value, from: from.value, to: to.value });
  });

  const k = kind.value === 'weekly' ? 'weekly' : 'governors';
  const query = { from: from.value || undefined, to: to.value || undefined };
  csv.setAttribute('href', API_BASE + withQuery(`/reports/${k}.csv`, query));
  csv.setAttribute('download', `schoolgate-${k}-${query.from ?? ''}-${query.to ?? ''}.csv`);
  const r = k === 'weekly' ? await api.get<WeeklyReport>('/reports/weekly', query) : await api.get<GovernorsReport>('/reports/governors', query);
  if (ctx.left()) return;
  if (!r.ok) return replace(out, errorNotice(r));
  const rep = r.value;
  const cov = rep.coverage;
  replace(out,
    h('h2', { class: 'report-title' }, rep.kind === 'weekly' ? 'Weekly safeguarding report' : 'Governors\' report', `: ${rep.from} to ${rep.to}`),
    h('p', { class: 'small muted' }, `Generated ${dateTime(rep.generatedAt)} (${rep.timezone}). The query log covers ${cov.daysWithLog} of ${cov.days} days.`),
    cov.truncated ? notice('warn', 'Some days held more queries than a report reads: their counts are lower bounds.') : null,
    rep.kind === 'weekly' ? weekly(rep) : [...common(rep), h('div', { class: 'panel' }, h('h2', null, 'Queries by group'), barList(rep.queriesByGroup)),
      h('p', { class: 'small muted' }, 'Anonymised: no names, devices or addresses.')]);
}
