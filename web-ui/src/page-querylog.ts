// The query log: who asked for what, when, and what schoolgate answered and why. Filters by
// client (IP, MAC or user), part of the name, action and time; pages through large logs with the
// API's cursor (newest first). A blocked row links to a pre-filled override.
import { api } from './api.js';
import type { LoggedQuery, QueryLogPage } from './api-types.js';
import { h, replace } from './dom.js';
import { dateTime, timeOfDay } from './format.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { go } from './router.js';
import { badge, errorNotice, field, formValues, loading, pageHead, select, table } from './widgets.js';
import type { Kind } from './widgets.js';

const ACTION_KIND: Record<string, Kind> = { allow: 'ok', block: 'bad', rewrite: 'info', refused: 'warn', error: 'warn' };

export async function queryLogPage(ctx: PageContext): Promise<void> {
  const q = ctx.query;
  const client = h('input', { name: 'client', value: q.get('client') ?? '', placeholder: 'IP, MAC or user', maxlength: 64 });
  const domain = h('input', { name: 'domain', value: q.get('domain') ?? '', placeholder: 'part of a name', maxlength: 253 });
  const action = select('action', [['', 'any'], 'allow', 'block', 'rewrite', 'refused', 'error'], q.get('action') ?? '');
  const since = h('input', { name: 'since', type: 'datetime-local', value: q.get('since') ?? '' });
  const until = h('input', { name: 'until', type: 'datetime-local', value: q.get('until') ?? '' });
  const limit = select('limit', ['50', '100', '500'], q.get('limit') ?? '100');
  const form = h('form', { class: 'panel inline-form querylog-filter', role: 'search' },
    field('Client', client), field('Domain', domain), field('Action', action), field('From', since), field('To', until), field('Rows', limit),
    h('button', { type: 'submit', class: 'primary' }, 'Search'));
  const results = h('div', { class: 'panel' }, loading());
  ctx.main.append(pageHead('Query log', 'newest first'), form, results);

  // Cursors of the pages seen so far: "newer" steps back through them.
  const cursors: (string | undefined)[] = [undefined];
  let page = 0;
  const iso = (local: string | undefined) => (local ? new Date(local).toISOString() : undefined);
  const unblock = (row: LoggedQuery) => (row.action === 'block' && can(ctx.session.user.role, 'createOverride')
    ? h('button', { type: 'button', class: 'small', onclick: () => go('/overrides', { domain: row.name, group: row.group }) }, 'Unblock…')
    : null);

  const load = async () => {
    const v = formValues(form);
    replace(results, loading());
    const r = await api.get<QueryLogPage>('/querylog', { client: v.client, domain: v.domain, action: v.action, since: iso(v.since), until: iso(v.until), limit: v.limit, cursor: cursors[page] });
    if (ctx.left()) return;
    if (!r.ok) {
      replace(results, errorNotice(r));
      return;
    }
    cursors[page + 1] = r.value.next;
    const items = r.value.items;
    const day = (t: number) => dateTime(t).slice(0, 10);
    replace(results,
      table<LoggedQuery>([
        { head: 'Time', cell: (x) => h('span', { title: dateTime(x.time) }, items.length && day(items[0].time) !== day(x.time) ? dateTime(x.time) : timeOfDay(x.time)), class: 'mono' },
        { head: 'Client', cell: (x) => [x.user ? h('strong', null, x.user) : null, h('div', { class: 'small' }, [x.hostname, x.client].filter(Boolean).join(' · '))] },
        { head: 'Group', cell: (x) => x.group },
        { head: 'Name', cell: (x) => h('span', { class: 'qname' }, x.name), class: 'break' },
        { head: 'Type', cell: (x) => x.type },
        { head: 'Answer', cell: (x) => [badge(ACTION_KIND[x.action] ?? 'warn', x.action), x.cached ? h('span', { class: 'small muted' }, ' cached') : null] },
        { head: 'Why', cell: (x) => [x.reason, x.category ? h('div', { class: 'small muted' }, x.category) : null] },
        { head: 'ms', cell: (x) => x.latency.toFixed(1), class: 'num' },
        { head: '', cell: unblock },
      ], items, 'No queries match.', { class: 'querylog' }),
      h('div', { class: 'row pager' },
        h('button', { type: 'button', disabled: page === 0, onclick: () => {
          page--;
          void load();
        } }, '← Newer'),
        h('span', { class: 'muted small' }, `page ${page + 1} · ${items.length} rows · ${r.value.scanned.toLocaleString('en-GB')} scanned`),
        h('button', { type: 'button', disabled: !r.value.next, onclick: () => {
          page++;
          void load();
        } }, 'Older →')));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    cursors.length = 1;
    page = 0;
    void load();
  });
  await load();
}
