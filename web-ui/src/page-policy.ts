// The policy matrix: categories down, groups across; each cell blocked / allowed / allowed during
// a schedule, edited in place. Changed cells are marked until saved; "Save" asks one reason and
// sends each changed cell (PATCH /policy/cells: validated and audited by the config service). In
// four-eyes mode each change becomes a proposal for a second person. Locked categories are shown,
// never editable.
import { api } from './api.js';
import type { Applied, PolicyMatrix, Proposed } from './api-types.js';
import { add, h, replace } from './dom.js';
import { can } from './permissions.js';
import { cellChange, cellLabel, cellOptions, cellTone, cellValue, checkCell } from './policy-cells.js';
import type { PageContext } from './router.js';
import { ask, errorNotice, errorText, notice, pageHead, select, toast } from './widgets.js';

export async function policyPage(ctx: PageContext): Promise<void> {
  const editable = can(ctx.session.user.role, 'changeCell');
  ctx.main.append(pageHead('Policy', 'what each group may reach'));
  const r = await api.get<PolicyMatrix>('/policy');
  if (ctx.left()) return;
  if (!r.ok) {
    ctx.main.append(errorNotice(r));
    return;
  }
  const policy = r.value;
  const fourEyes = policy.fourEyes;
  /** "group\u0000category" → the value the user chose (only cells that differ from the server) */
  const pending = new Map<string, string>();
  const key = (g: string, c: string) => `${g}\u0000${c}`;
  const filter = h('input', { type: 'search', placeholder: 'filter categories', aria: { label: 'Filter categories' } });
  const status = h('div');
  const saveBtn = h('button', { type: 'button', class: 'primary save-policy', disabled: true }, 'Save changes…');
  const undoBtn = h('button', { type: 'button', disabled: true }, 'Undo changes');
  const updateButtons = () => {
    saveBtn.disabled = undoBtn.disabled = pending.size === 0;
    replace(saveBtn, pending.size ? `Save ${pending.size} change${pending.size > 1 ? 's' : ''}…` : 'Save changes…');
  };

  const cell = (g: PolicyMatrix['groups'][number], c: PolicyMatrix['categories'][number]): HTMLTableCellElement => {
    const isAllow = c.kind === 'allow';
    const server = c.locked ? 'locked' : cellValue(g.cells[c.name], isAllow);
    const value = pending.get(key(g.name, c.name)) ?? server;
    const td = h('td', { class: 'cell', data: { state: cellTone(value), group: g.name, category: c.name, dirty: String(value !== server) } });
    if (!editable || server === 'locked') {
      td.append(server === 'locked' ? h('span', { class: 'locked', title: 'locked: nobody can unblock it' }, 'locked') : cellLabel(value, isAllow));
      return td;
    }
    const sel = select('cell', cellOptions(policy.schedules, value, isAllow), value, { aria: { label: `${c.name} for ${g.name}` } });
    sel.addEventListener('change', () => {
      const problem = checkCell(sel.value, policy.schedules);
      sel.setAttribute('aria-invalid', String(Boolean(problem)));
      if (problem) return toast('bad', problem);
      if (sel.value === server) pending.delete(key(g.name, c.name));
      else pending.set(key(g.name, c.name), sel.value);
      td.dataset.state = cellTone(sel.value);
      td.dataset.dirty = String(sel.value !== server);
      updateButtons();
    });
    td.append(sel);
    return td;
  };

  const body = h('tbody');
  const draw = () => {
    const f = filter.value.trim().toLowerCase();
    replace(body, policy.categories.filter((c) => !f || c.name.toLowerCase().includes(f)).map((c) =>
      h('tr', { data: { category: c.name } },
        h('th', { scope: 'row', class: 'cat sticky-col' }, c.name,
          h('div', { class: 'small muted' }, c.kind === 'allow' ? 'allow list · ' : '', `${c.count.toLocaleString('en-GB')} names · ${c.list}`)),
        policy.groups.map((g) => cell(g, c)))));
  };
  filter.addEventListener('input', draw);
  draw();

  saveBtn.addEventListener('click', async () => {
    const changes = [...pending.entries()].map(([k, v]) => {
      const [group, category] = k.split('\u0000');
      return { group, category, value: v };
    });
    const v = await ask({
      title: `Save ${changes.length} policy change${changes.length > 1 ? 's' : ''}`,
      body: h('div', null,
        h('ul', { class: 'small' }, changes.map((c) => h('li', null, `${c.category} for ${c.group}: ${cellLabel(c.value, policy.categories.find((x) => x.name === c.category)?.kind === 'allow')}`))),
        fourEyes ? notice('info', 'Four-eyes mode: each change becomes a proposal. It applies once a second person approves it.') : h('p', null, 'Changes apply from the next query and are recorded in the audit log.')),
      reason: { label: 'Reason for the change', min: 3 }, confirm: fourEyes ? 'Propose' : 'Save',
    });
    if (!v) return;
    const lines: HTMLElement[] = [];
    for (const c of changes) {
      const res = await api.patch<Applied | Proposed>('/policy/cells', cellChange(c.group, c.category, c.value, v.reason));
      const what = `${c.category} for ${c.group}`;
      if (!res.ok) {
        lines.push(notice('bad', `${what}: ${errorText(res)}`));
        continue;
      }
      pending.delete(key(c.group, c.category));
      lines.push(res.status === 202 && 'proposalId' in res.value
        ? notice('info', `${what}: proposal ${res.value.proposalId} waits for a second person (see Proposals).`)
        : notice('ok', `${what}: saved.`));
    }
    // Redraw from the server's view: what is in force now.
    const fresh = await api.get<PolicyMatrix>('/policy');
    if (fresh.ok) Object.assign(policy, fresh.value);
    replace(status, lines);
    draw();
    updateButtons();
  });
  undoBtn.addEventListener('click', () => {
    pending.clear();
    draw();
    updateButtons();
  });

  add(ctx.main,
    fourEyes && editable ? notice('info', 'Four-eyes mode is on: saved changes become proposals for a second person.') : null,
    status,
    h('div', { class: 'panel' },
      h('div', { class: 'row no-print' }, filter, editable ? [saveBtn, undoBtn] : h('span', { class: 'muted small' }, 'read only')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'matrix' },
        h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'sticky-col' }, 'Category'), policy.groups.map((g) =>
          h('th', { scope: 'col', data: { group: g.name } }, g.name, h('div', { class: 'small muted' }, g.default ? 'default · ' : '', `safe search ${g.safeSearch}`))))),
        body))),
    policy.locked.length ? h('p', { class: 'small muted' }, `Locked for everyone: ${policy.locked.join(', ')}.`) : null);
}
