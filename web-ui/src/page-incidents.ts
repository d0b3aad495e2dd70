// Incidents for the safeguarding lead: an attempt on a locked category, a burst of blocked
// attempts, a bypass attempt. DfE asks that the action taken and the outcome are recorded: the
// acknowledgement takes both, and the alert LED goes off when none is left open.
import { api, seg } from './api.js';
import type { Incident, IncidentList } from './api-types.js';
import { h, replace } from './dom.js';
import { dateTime } from './format.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { actionButton, ask, badge, errorNotice, field, loading, pageHead, report, select, table } from './widgets.js';

const TYPE_TEXT: Record<Incident['type'], string> = { locked: 'locked category', burst: 'repeated blocked attempts', bypass: 'bypass attempt' };

export async function incidentsPage(ctx: PageContext): Promise<void> {
  const status = select('status', [['open', 'Open'], ['acknowledged', 'Acknowledged'], ['', 'All']], ctx.query.get('status') ?? 'open');
  const box = h('div', { class: 'panel' }, loading());
  ctx.main.append(pageHead('Incidents', undefined, h('span', { class: 'inline-form' }, field('Show', status))), box);

  const ack = async (i: Incident) => {
    const action = h('textarea', { name: 'action', rows: 2, required: true, minlength: 3, maxlength: 1000 });
    const outcome = h('textarea', { name: 'outcome', rows: 2, required: true, minlength: 3, maxlength: 1000 });
    const v = await ask({
      title: `Acknowledge: ${TYPE_TEXT[i.type]}`,
      body: h('p', null, `${i.user ?? i.hostname ?? i.client} (${i.group}), ${i.count}× between ${dateTime(i.firstAt)} and ${dateTime(i.lastAt)}.`),
      extra: [field('Action taken', action, 'e.g. spoke to the pupil with their form tutor'), field('Outcome', outcome, 'e.g. no further concern; parents informed')],
      confirm: 'Acknowledge',
    });
    if (!v) return;
    const r = await api.post<Incident>(`/incidents/${seg(i.id)}/acknowledge`, { action: v.action ?? '', outcome: v.outcome ?? '' });
    if (report(r, 'Incident acknowledged.')) await load();
  };

  const load = async () => {
    const r = await api.get<IncidentList>('/incidents', { status: status.value || undefined });
    if (ctx.left()) return;
    if (!r.ok) {
      replace(box, errorNotice(r));
      return;
    }
    replace(box, h('p', { class: 'muted' }, `${r.value.open} open`), table<Incident>([
      { head: 'Last seen', cell: (i) => [dateTime(i.lastAt), i.count > 1 ? h('div', { class: 'small muted' }, `${i.count}× since ${dateTime(i.firstAt)}`) : null] },
      { head: 'What', cell: (i) => [badge(i.type === 'locked' ? 'bad' : 'warn', TYPE_TEXT[i.type]), i.category ? h('div', null, i.category) : null, i.detail ? h('div', { class: 'small muted' }, i.detail) : null] },
      { head: 'Who', cell: (i) => [i.user ? h('strong', null, i.user) : null, h('div', { class: 'small' }, [i.hostname, i.client, i.mac].filter(Boolean).join(' · ')), h('div', { class: 'small muted' }, i.group)] },
      { head: 'Sites', cell: (i) => h('ul', { class: 'small domains' }, i.domains.map((d) => h('li', null, d))), class: 'break' },
      { head: 'Status', cell: (i) => (i.ack
        ? [badge('ok', 'acknowledged'), h('div', { class: 'small' }, `${i.ack.by}, ${dateTime(i.ack.at)}`), h('div', { class: 'small' }, `Action: ${i.ack.action}`), h('div', { class: 'small' }, `Outcome: ${i.ack.outcome}`)]
        : can(ctx.session.user.role, 'acknowledgeIncident') ? actionButton('Acknowledge…', () => ack(i), { class: 'small primary', data: { action: 'ack', id: i.id } }) : badge('warn', 'open')) },
    ], r.value.items, status.value === 'open' ? 'No open incidents.' : 'No incidents.', { class: 'incidents' }));
  };
  status.addEventListener('change', () => void load());
  ctx.onLeave(ctx.live.on('incident', () => void load()));
  await load();
}
