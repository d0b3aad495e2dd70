// The audit log: every change with who, when, what and why, and whether the hash chain verifies
// (an edited, removed or truncated entry is named). Filter by action prefix; page back by seq.
import { API_BASE, api } from './api.js';
import type { AuditEntry, AuditPage, AuditVerify } from './api-types.js';
import { h, replace } from './dom.js';
import { dateTime } from './format.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { actionButton, badge, errorNotice, field, loading, notice, pageHead, table } from './widgets.js';

function details(e: AuditEntry): HTMLElement | null {
  if (!e.details || Object.keys(e.details).length === 0) return null;
  // JSON as text in a <pre>: whatever a field holds, it is shown, never interpreted.
  return h('details', null, h('summary', { class: 'small' }, 'details'), h('pre', { class: 'small mono' }, JSON.stringify(e.details, null, 2)));
}

export async function auditPage(ctx: PageContext): Promise<void> {
  const chain = h('div', null, loading());
  const action = h('input', { name: 'action', placeholder: 'e.g. override. or login', maxlength: 64, value: ctx.query.get('action') ?? '' });
  const form = h('form', { class: 'inline-form' }, field('Action starts with', action), h('button', { type: 'submit' }, 'Filter'));
  const list = h('div', null, loading());
  ctx.main.append(
    pageHead('Audit log', 'append-only, SHA-256 hash chain', can(ctx.session.user.role, 'exportAudit') ? h('a', { class: 'button', href: `${API_BASE}/audit/export.csv`, download: 'schoolgate-audit.csv' }, 'Export CSV') : null),
    h('div', { class: 'panel' }, h('h2', null, 'Chain status'), chain),
    h('div', { class: 'panel' }, form, list));

  const verify = async () => {
    replace(chain, loading());
    const r = await api.get<AuditVerify>('/audit/verify');
    if (ctx.left()) return;
    if (!r.ok) return replace(chain, errorNotice(r));
    const v = r.value;
    replace(chain, v.ok
      ? notice('ok', h('strong', { class: 'chain-ok' }, 'The chain verifies'), `: ${v.entries.toLocaleString('en-GB')} entries, checked ${dateTime(v.checkedAt)}.`)
      : notice('bad', h('strong', { class: 'chain-bad' }, 'The chain is broken'), ` at entry ${v.seq ?? '?'}: ${v.problem ?? 'unknown problem'} (${v.entries} entries read).`),
    actionButton('Verify again', verify, { class: 'small' }));
  };

  const befores: (number | undefined)[] = [undefined];
  let page = 0;
  const load = async () => {
    const r = await api.get<AuditPage>('/audit', { before: befores[page], action: action.value.trim() || undefined, limit: 100 });
    if (ctx.left()) return;
    if (!r.ok) return replace(list, errorNotice(r));
    befores[page + 1] = r.value.next;
    replace(list, table<AuditEntry>([
      { head: '#', cell: (e) => e.seq, class: 'num' },
      { head: 'When', cell: (e) => dateTime(e.time), class: 'nowrap' },
      { head: 'Who', cell: (e) => [e.actor.name, h('div', { class: 'small muted' }, e.actor.role ?? e.actor.kind)] },
      { head: 'Action', cell: (e) => badge(e.action.includes('refused') || e.action.includes('failed') ? 'warn' : '', e.action) },
      { head: 'What', cell: (e) => e.target ?? '', class: 'break' },
      { head: 'Why', cell: (e) => e.reason ?? '' },
      { head: 'From', cell: (e) => e.source ?? '', class: 'small' },
      { head: '', cell: details },
    ], r.value.items, 'No entries.', { class: 'audit' }),
    h('div', { class: 'row pager' },
      h('button', { type: 'button', disabled: page === 0, onclick: () => {
        page--;
        void load();
      } }, '← Newer'),
      h('span', { class: 'small muted' }, `page ${page + 1}`),
      h('button', { type: 'button', disabled: r.value.next === undefined, onclick: () => {
        page++;
        void load();
      } }, 'Older →')));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    befores.length = 1;
    page = 0;
    void load();
  });
  await Promise.all([verify(), load()]);
}
