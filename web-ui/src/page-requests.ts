// The queue: access requests from the block page ("I need this for my coursework") and site
// reports ("this should be blocked"). Approving a request grants an override; approving a report
// puts the site on the school's deny list, blocked from the next query. Declining needs a reason.
import { api, seg } from './api.js';
import type { AccessRequest, RequestList } from './api-types.js';
import { h, replace } from './dom.js';
import { dateTime } from './format.js';
import { can } from './permissions.js';
import { overridePresets } from './presets.js';
import type { PageContext } from './router.js';
import { actionButton, ask, badge, errorNotice, field, loading, pageHead, report, select, table } from './widgets.js';

const who = (r: AccessRequest) => [r.name ?? '', h('div', { class: 'small muted' }, [r.hostname, r.client, r.group].filter(Boolean).join(' · '))];

export async function requestsPage(ctx: PageContext): Promise<void> {
  const role = ctx.session.user.role;
  const status = select('status', [['open', 'Waiting'], ['approved', 'Approved'], ['declined', 'Declined'], ['', 'All']], ctx.query.get('status') ?? 'open');
  const accessBox = h('div', null, loading());
  const reportBox = h('div', null, loading());
  ctx.main.append(pageHead('Requests and reports', 'from the block page and the report-a-site page', h('span', { class: 'inline-form' }, field('Show', status))),
    h('section', { class: 'panel', aria: { label: 'Access requests' } }, h('h2', null, 'Access requests (unblock)'), accessBox),
    h('section', { class: 'panel', aria: { label: 'Site reports' } }, h('h2', null, 'Site reports (should be blocked)'), reportBox));

  const decide = (r: AccessRequest) => {
    if (r.status !== 'open' || !can(role, 'approveRequest')) return r.decision ? h('span', { class: 'small' }, r.decision) : null;
    return h('div', { class: 'row' },
      actionButton(r.type === 'report' ? 'Block it' : 'Approve', () => (r.type === 'report' ? approveReport(r) : approveAccess(r)), { class: 'small primary', data: { action: 'approve', id: r.id } }),
      actionButton('Decline', () => decline(r), { class: 'small', data: { action: 'decline', id: r.id } }));
  };
  const statusCell = (r: AccessRequest) => [badge(r.status === 'open' ? 'warn' : r.status === 'approved' ? 'ok' : '', r.status),
    r.decidedBy ? h('div', { class: 'small muted' }, `${r.decidedBy}, ${dateTime(r.decidedAt)}`) : null];

  const load = async () => {
    const r = await api.get<RequestList>('/requests', { status: status.value || undefined });
    if (ctx.left()) return;
    if (!r.ok) {
      replace(accessBox, errorNotice(r));
      replace(reportBox);
      return;
    }
    const access = r.value.items.filter((x) => x.type === 'access');
    const reports = r.value.items.filter((x) => x.type === 'report');
    replace(accessBox, table<AccessRequest>([
      { head: 'When', cell: (x) => dateTime(x.createdAt), class: 'nowrap' },
      { head: 'Site', cell: (x) => x.domain, class: 'break domain' },
      { head: 'Why', cell: (x) => x.reason },
      { head: 'Who', cell: who },
      { head: 'Status', cell: statusCell },
      { head: '', cell: decide },
    ], access, 'No access requests.', { class: 'requests access' }));
    replace(reportBox, table<AccessRequest>([
      { head: 'When', cell: (x) => dateTime(x.createdAt), class: 'nowrap' },
      { head: 'Site', cell: (x) => x.domain, class: 'break domain' },
      { head: 'Suggested category', cell: (x) => x.category ?? '—' },
      { head: 'Why', cell: (x) => x.reason },
      { head: 'From', cell: who },
      { head: 'Status', cell: statusCell },
      { head: '', cell: decide },
    ], reports, 'No site reports.', { class: 'requests reports' }));
  };

  const approveAccess = async (r: AccessRequest) => {
    const presets = overridePresets(Date.now(), 7 * 86400);
    const duration = select('duration', presets.map((p) => [p.id, p.label]), 'lesson');
    const scope = select('scope', [['group', `the whole group (${r.group})`], ['device', `this device only (${r.client})`]], 'group');
    const v = await ask({
      title: `Unblock ${r.domain}`,
      body: h('p', null, `“${r.reason}”`, r.name ? ` — ${r.name}` : ''),
      extra: [field('For', scope), field('For how long', duration), field('Note (optional)', h('input', { name: 'note', maxlength: 500 }))],
      confirm: 'Approve',
    });
    if (!v) return;
    const until = presets.find((p) => p.id === v.duration)?.until;
    const res = await api.post<AccessRequest>(`/requests/${seg(r.id)}/approve`, { scope: v.scope, until: until ? new Date(until).toISOString() : undefined, note: v.note });
    if (report(res, `${r.domain} unblocked.`)) await load();
  };
  const approveReport = async (r: AccessRequest) => {
    const v = await ask({ title: `Block ${r.domain} for everyone`, body: h('p', null, `Adds ${r.domain} (and its subdomains) to the school's deny list; it is blocked from the next query.`), extra: field('Note (optional)', h('input', { name: 'note', maxlength: 500 })), confirm: 'Add to the deny list' });
    if (!v) return;
    const res = await api.post<AccessRequest>(`/requests/${seg(r.id)}/approve`, { note: v.note });
    if (report(res, `${r.domain} is now blocked.`)) await load();
  };
  const decline = async (r: AccessRequest) => {
    const v = await ask({ title: `Decline: ${r.domain}`, body: h('p', null, 'The requester sees your reason on the block page.'), reason: { label: 'Reason', min: 3 }, confirm: 'Decline', danger: true });
    if (!v) return;
    const res = await api.post<AccessRequest>(`/requests/${seg(r.id)}/decline`, { reason: v.reason });
    if (report(res, 'Declined.')) await load();
  };

  status.addEventListener('change', () => void load());
  await load();
}
