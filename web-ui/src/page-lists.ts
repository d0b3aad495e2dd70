// Lists: each source (UT1, the school's deny list, …), its size, when it was last fetched and
// whether the last good copy is being kept; "Update now" fetches and compiles in the background
// and the page follows it until the new index is in use.
import { api } from './api.js';
import type { ListUpdateResult, ListsView } from './api-types.js';
import { h, replace } from './dom.js';
import { ago, count, seconds } from './format.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { actionButton, badge, errorNotice, loading, notice, pageHead, table, toast } from './widgets.js';

type List = ListsView['lists'][number];

export async function listsPage(ctx: PageContext): Promise<void> {
  const box = h('div', null, loading());
  const progress = h('div');
  const update = can(ctx.session.user.role, 'updateLists')
    ? actionButton('Update now', async () => {
      const r = await api.post<ListUpdateResult>('/lists/update');
      if (!r.ok) return toast('bad', r.message);
      replace(progress, notice('info', 'Fetching and compiling the lists…'));
      follow();
    }, { class: 'primary update-lists' })
    : null;
  ctx.main.append(pageHead('Lists', 'where the categories come from', update), progress, box);

  let polling: ReturnType<typeof setInterval> | undefined;
  const follow = () => {
    clearInterval(polling);
    let rounds = 0;
    polling = setInterval(async () => {
      const done = !(await load()) || ++rounds > 200;
      if (done) {
        clearInterval(polling);
        polling = undefined;
      }
    }, 3000);
  };
  ctx.onLeave(() => clearInterval(polling));

  /** draws the page; true while an update is still running */
  const load = async (): Promise<boolean> => {
    const r = await api.get<ListsView>('/lists');
    if (ctx.left()) return false;
    if (!r.ok) {
      replace(box, errorNotice(r));
      return false;
    }
    const v = r.value;
    if (!v.updating && polling) {
      replace(progress, v.lastUpdate && !v.lastUpdate.ok ? notice('bad', `The update failed: ${v.lastUpdate.error ?? 'unknown error'}. The previous lists stay in use.`) : notice('ok', 'The lists are updated and in use.'));
    }
    replace(box,
      h('div', { class: 'grid' },
        h('div', { class: 'panel' }, h('div', { class: 'muted small' }, 'Names in the index'), h('div', { class: 'kpi' }, count(v.index.domains))),
        h('div', { class: 'panel' }, h('div', { class: 'muted small' }, 'Categories'), h('div', { class: 'kpi' }, count(v.index.categories))),
        h('div', { class: 'panel' }, h('div', { class: 'muted small' }, 'Compiled'), h('div', { class: 'kpi' }, `${seconds(v.index.ageSeconds)} ago`))),
      v.lastUpdate?.changes?.length ? h('details', { class: 'panel' }, h('summary', null, 'What the last update changed'),
        h('ul', { class: 'small' }, v.lastUpdate.changes.map((c) => h('li', null, `${c.category}: ${count(c.before)} → ${count(c.after)}`)))) : null,
      h('div', { class: 'panel' }, table<List>([
        { head: 'List', cell: (l) => [h('strong', null, l.name), h('div', { class: 'small muted' }, `${l.format}${l.kind ? ` · ${l.kind}` : ''}${l.category ? ` · ${l.category}` : ''}`)] },
        { head: 'Source', cell: (l) => h('span', { class: 'small' }, l.source), class: 'break' },
        { head: 'Updates', cell: (l) => l.update ?? 'on change' },
        { head: 'Status', cell: (l) => [badge(l.status === 'ok' ? 'ok' : l.status === 'kept' ? 'warn' : l.status ? 'bad' : '', l.status ?? 'not fetched'), l.error ? h('div', { class: 'small error' }, l.error) : null] },
        { head: 'Fetched', cell: (l) => ago(l.fetchedAt), class: 'nowrap' },
        { head: 'Names', cell: (l) => count(l.accepted), class: 'num' },
        { head: 'Skipped', cell: (l) => (l.rejected ? Object.entries(l.rejected).map(([k, n]) => `${k}: ${n}`).join(', ') : '') , class: 'small' },
        { head: 'Categories', cell: (l) => h('span', { class: 'small' }, l.categories.map((c) => `${c.name} (${count(c.count)})`).join(', ')) },
      ], v.lists, 'No lists configured.', { class: 'lists' })));
    return v.updating;
  };
  ctx.onLeave(ctx.live.on('lists', () => void load()));
  if (await load()) follow();
}
