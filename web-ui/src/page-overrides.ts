// Overrides: grant one (override-form.ts), watch them count down, extend, revoke; and, for the
// safeguarding lead, approve a "filtering off" request (the two-person rule).
import { api, seg, withQuery } from './api.js';
import type { Override, OverrideList } from './api-types.js';
import { loadPolicy } from './catalog.js';
import { h, replace } from './dom.js';
import { dateTime, remaining } from './format.js';
import { overrideForm } from './override-form.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { actionButton, ask, badge, errorNotice, field, loading, pageHead, report, select, table } from './widgets.js';
import type { Kind } from './widgets.js';

const STATUS_KIND: Record<Override['status'], Kind> = { active: 'ok', scheduled: 'info', 'pending-approval': 'warn', expired: '' as Kind, revoked: '' as Kind };

export async function overridesPage(ctx: PageContext): Promise<void> {
  const role = ctx.session.user.role;
  const listBox = h('div', null, loading());
  const showAll = h('input', { type: 'checkbox', name: 'all', checked: ctx.query.get('all') === '1' });
  ctx.main.append(pageHead('Overrides', 'time-limited, audited exceptions to the policy'));
  const policy = await loadPolicy();
  if (ctx.left()) return;
  if (!policy.ok) {
    ctx.main.append(errorNotice(policy));
    return;
  }
  if (can(role, 'createOverride')) {
    const form = overrideForm(policy.value, ctx.query, () => void load());
    ctx.main.append(form);
    // Straight to typing: the domain, or the reason when the domain came pre-filled.
    form.querySelector<HTMLElement>(ctx.query.get('domain') ? 'input[name=reason]' : 'input[name=domain]')?.focus();
  }
  ctx.main.append(h('div', { class: 'panel' }, h('div', { class: 'row' }, h('h2', null, 'Overrides'),
    h('label', { class: 'choices' }, showAll, ' show expired and revoked')), listBox));
  showAll.addEventListener('change', () => void load());

  // The countdown ticks on the server's clock (serverTime), whatever the browser's says.
  let skew = 0;
  const countdowns: { el: HTMLElement; end: number }[] = [];
  const tick = () => {
    const now = Date.now() + skew;
    for (const c of countdowns) replace(c.el, remaining(c.end - now));
  };
  const timer = setInterval(tick, 1000);
  ctx.onLeave(() => clearInterval(timer));

  const actions = (o: Override): HTMLElement | null => {
    const live = o.status === 'active' || o.status === 'scheduled' || o.status === 'pending-approval';
    const out: HTMLElement[] = [];
    if (live && can(role, 'createOverride')) {
      out.push(actionButton('Extend', () => extend(o), { class: 'small', data: { action: 'extend', id: o.id } }));
      out.push(actionButton('Revoke', () => revoke(o), { class: 'small danger', data: { action: 'revoke', id: o.id } }));
    }
    if (o.status === 'pending-approval' && can(role, 'approveOverride') && o.grantedBy !== ctx.session.user.name) {
      out.push(actionButton('Approve filtering off', () => approve(o), { class: 'small primary', data: { action: 'approve', id: o.id } }));
    }
    return out.length ? h('div', { class: 'row' }, out) : null;
  };

  const scopeText = (o: Override) => ('group' in o.scope ? `group ${o.scope.group}` : 'client' in o.scope ? `device ${o.scope.client}` : 'mac' in o.scope ? `device ${o.scope.mac}` : 'whole school');
  const targetText = (o: Override) => ('domain' in o.target ? o.target.domain : 'category' in o.target ? `category ${o.target.category}` : 'filtering off (all unlocked categories)');

  const load = async () => {
    const r = await api.get<OverrideList>('/overrides');
    if (ctx.left()) return;
    if (!r.ok) {
      replace(listBox, errorNotice(r));
      return;
    }
    skew = Date.parse(r.value.serverTime) - Date.now();
    countdowns.length = 0;
    const rows = r.value.items.filter((o) => showAll.checked || o.status === 'active' || o.status === 'scheduled' || o.status === 'pending-approval');
    replace(listBox, table<Override>([
      { head: 'Status', cell: (o) => badge(STATUS_KIND[o.status], o.status) },
      { head: 'Unblocks', cell: (o) => h('span', { class: 'break' }, o.action === 'block' ? 'blocks ' : '', targetText(o)), class: 'break target' },
      { head: 'For', cell: scopeText },
      { head: 'Left', cell: (o) => {
        if (o.status !== 'active' && o.status !== 'pending-approval' && o.status !== 'scheduled') return dateTime(o.revokedAt ?? o.expiresAt);
        const el = h('span', { class: 'countdown mono', title: `until ${dateTime(o.expiresAt)}` });
        countdowns.push({ el, end: Date.parse(o.expiresAt) });
        return el;
      } },
      { head: 'Reason', cell: (o) => h('span', null, o.reason, o.requestedBy ? h('span', { class: 'muted' }, ` (asked by ${o.requestedBy})`) : null) },
      { head: 'Granted by', cell: (o) => [o.grantedBy, o.approval?.approvedBy ? h('div', { class: 'small muted' }, `approved by ${o.approval.approvedBy}`) : null] },
      { head: '', cell: actions },
    ], rows, showAll.checked ? 'No overrides in the last 30 days.' : 'No override is in force.', { class: 'overrides', data: { count: String(rows.length) } }));
    tick();
  };

  const extend = async (o: Override) => {
    const by = select('minutes', [['60', 'one lesson (60 min)'], ['120', '2 hours'], ['1440', 'one day']], '60');
    const v = await ask({ title: `Extend: ${targetText(o)}`, body: h('p', null, `Now ends ${dateTime(o.expiresAt)}.`), extra: field('Add', by), reason: { label: 'Why', min: 3 }, confirm: 'Extend' });
    if (!v) return;
    const r = await api.post<Override>(`/overrides/${seg(o.id)}/extend`, { minutes: Number(v.minutes), reason: v.reason });
    if (report(r, `Extended until ${r.ok ? dateTime(r.value.expiresAt) : ''}.`)) await load();
  };
  const revoke = async (o: Override) => {
    const v = await ask({ title: `Revoke: ${targetText(o)} for ${scopeText(o)}`, body: h('p', null, 'It stops applying on the next query.'), reason: { label: 'Why', min: 3 }, confirm: 'Revoke', danger: true });
    if (!v) return;
    const r = await api.del<Override>(withQuery(`/overrides/${seg(o.id)}`, { reason: v.reason }));
    if (report(r, 'Override revoked.')) await load();
  };
  const approve = async (o: Override) => {
    const v = await ask({ title: `Approve filtering off for ${scopeText(o)}`, body: h('p', null, `Asked by ${o.grantedBy}: “${o.reason}”. It ends ${dateTime(o.expiresAt)}; locked categories stay blocked.`), reason: { label: 'Your reason', min: 3 }, confirm: 'Approve' });
    if (!v) return;
    const r = await api.post<Override>(`/overrides/${seg(o.id)}/approve`, { reason: v.reason });
    if (report(r, 'Filtering off approved.')) await load();
  };
  await load();
}
