// The policy matrix: categories down, groups across; each cell blocked / allowed / allowed during
// a schedule, edited in place. Changed cells are marked; "Save" sends each changed group once
// (PUT /groups/:name, audited with the reason). In four-eyes mode a save becomes a proposal that
// a second person approves. Locked categories are shown, never editable.
import { api, seg } from './api.js';
import type { Applied, PolicyView, Proposed } from './api-types.js';
import { loadPolicy } from './catalog.js';
import { h, replace } from './dom.js';
import { can } from './permissions.js';
import { cellOptions, cellState, checkCell, withCell } from './policy-cells.js';
import type { GroupRules } from './policy-cells.js';
import type { PageContext } from './router.js';
import { ask, errorNotice, errorText, notice, pageHead, select, toast } from './widgets.js';

export async function policyPage(ctx: PageContext): Promise<void> {
  const editable = can(ctx.session.user.role, 'policy.edit');
  ctx.main.append(pageHead('Policy', 'what each group may reach'));
  const r = await loadPolicy();
  if (ctx.left()) return;
  if (!r.ok) {
    ctx.main.append(errorNotice(r));
    return;
  }
  const policy: PolicyView = r.value;
  const schedules = policy.schedules;
  const original = new Map(policy.groups.map((g) => [g.name, g as unknown as GroupRules]));
  const edited = new Map(original);
  const filter = h('input', { type: 'search', placeholder: 'filter categories', aria: { label: 'Filter categories' } });
  const status = h('div');
  const saveBtn = h('button', { type: 'button', class: 'primary', disabled: true }, 'Save changes…');
  const undoBtn = h('button', { type: 'button', disabled: true }, 'Undo changes');

  const dirtyGroups = () => [...edited.keys()].filter((n) => JSON.stringify(edited.get(n)) !== JSON.stringify(original.get(n)));
  const updateButtons = () => {
    const n = dirtyGroups().length;
    saveBtn.disabled = n === 0;
    undoBtn.disabled = n === 0;
    replace(saveBtn, n ? `Save changes to ${n} group${n > 1 ? 's' : ''}…` : 'Save changes…');
  };

  const cell = (groupName: string, category: string, locked: boolean, isAllow: boolean): HTMLTableCellElement => {
    const g = edited.get(groupName) as GroupRules;
    const state = locked ? 'block' : cellState(g, category, isAllow);
    const td = h('td', { class: 'cell', data: { state: state.startsWith('during:') ? 'during' : state === 'honoured' ? 'allow' : state === 'ignored' ? 'off' : state, group: groupName, category } });
    if (locked) {
      td.append(h('span', { class: 'locked', title: 'locked: nobody can unblock it' }, 'locked'));
      return td;
    }
    if (!editable) {
      td.append(cellOptions(schedules, state, isAllow).find(([v]) => v === state)?.[1] ?? state);
      return td;
    }
    const sel = select(`${groupName}/${category}`, cellOptions(schedules, state, isAllow), state, { aria: { label: `${category} for ${groupName}` } });
    sel.addEventListener('change', () => {
      const problem = checkCell(sel.value, schedules, false);
      sel.setAttribute('aria-invalid', String(Boolean(problem)));
      if (problem) return toast('bad', problem);
      edited.set(groupName, withCell(edited.get(groupName) as GroupRules, category, sel.value));
      const now = sel.value;
      td.dataset.state = now.startsWith('during:') ? 'during' : now === 'honoured' ? 'allow' : now === 'ignored' ? 'off' : now;
      td.dataset.dirty = String(cellState(original.get(groupName) as GroupRules, category, isAllow) !== now);
      updateButtons();
    });
    td.append(sel);
    return td;
  };

  const groups = policy.groups.map((g) => g.name);
  const body = h('tbody');
  const draw = () => {
    const f = filter.value.trim().toLowerCase();
    replace(body, policy.categories.filter((c) => !f || c.name.includes(f) || (c.description ?? '').toLowerCase().includes(f)).map((c) =>
      h('tr', { data: { category: c.name } },
        h('th', { scope: 'row', class: 'cat sticky-col' }, c.name, c.kind === 'allow' ? h('span', { class: 'small muted' }, ' allow list') : null,
          c.description ? h('div', { class: 'small muted' }, c.description) : null),
        groups.map((gn) => cell(gn, c.name, c.locked, c.kind === 'allow')))));
  };
  filter.addEventListener('input', draw);
  draw();

  saveBtn.addEventListener('click', async () => {
    const names = dirtyGroups();
    const v = await ask({
      title: `Save the policy for ${names.join(', ')}`,
      body: ctx.session.fourEyes ? notice('info', 'Four-eyes mode: this becomes a proposal. It applies once a second person approves it.') : h('p', null, 'It applies from the next query and is recorded in the audit log.'),
      reason: { label: 'Reason for the change', min: 3 }, confirm: ctx.session.fourEyes ? 'Propose' : 'Save',
    });
    if (!v) return;
    const lines: HTMLElement[] = [];
    for (const name of names) {
      const res = await api.put<Applied | Proposed>(`/groups/${seg(name)}`, { group: edited.get(name), reason: v.reason });
      if (!res.ok) lines.push(notice('bad', `${name}: ${errorText(res)}`));
      else if (res.status === 202 && 'proposalId' in res.value) {
        lines.push(notice('info', `${name}: proposal ${res.value.proposalId} is waiting for a second person (see Proposals).`));
        edited.set(name, original.get(name) as GroupRules);
      } else {
        lines.push(notice('ok', `${name}: saved.`));
        original.set(name, edited.get(name) as GroupRules);
      }
    }
    replace(status, lines);
    draw();
    updateButtons();
  });
  undoBtn.addEventListener('click', () => {
    for (const [k, g] of original) edited.set(k, g);
    draw();
    updateButtons();
  });

  ctx.main.append(
    ctx.session.fourEyes && editable ? notice('info', 'Four-eyes mode is on: saved changes become proposals for a second person.') : null,
    status,
    h('div', { class: 'panel' },
      h('div', { class: 'row no-print' }, filter, editable ? [saveBtn, undoBtn] : h('span', { class: 'muted small' }, 'read only')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'matrix' },
        h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'sticky-col' }, 'Category'), policy.groups.map((g) =>
          h('th', { scope: 'col', data: { group: g.name } }, g.name, h('div', { class: 'small muted' }, g.default ? 'default · ' : '', `safe search ${g.safeSearch ?? 'off'}`))))),
        body))),
    policy.locked.length ? h('p', { class: 'small muted' }, `Locked for everyone: ${policy.locked.join(', ')}.`) : null);
}
