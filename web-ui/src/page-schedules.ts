// Schedules: named weekly windows ("lunch: Mon–Fri 12:15–13:15") that lift a blocked category
// for a group (allowDuring in the policy matrix), optionally only in term or not in holidays.
// Edited as a list of windows; saved whole, audited (a proposal in four-eyes mode).
import { api, seg, withQuery } from './api.js';
import type { Applied, Proposed, ScheduleConfig, ScheduleList } from './api-types.js';
import { h, replace } from './dom.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { actionButton, ask, errorNotice, errorText, field, loading, notice, pageHead, table, toast } from './widgets.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Window = { days: string[]; from: string; to: string };

interface ScheduleView {
  name: string;
  schedule: ScheduleConfig;
  usedBy: string[];
}

function windowsOf(s: ScheduleConfig): Window[] {
  return Array.isArray(s) ? s : s.windows;
}
const describe = (w: Window) => `${w.days.join(', ')} ${w.from}–${w.to}`;

function windowRow(w: Window, onRemove: () => void): HTMLElement {
  return h('fieldset', { class: 'window' }, h('legend', null, 'Window'),
    h('div', { class: 'choices' }, DAYS.map((d) => h('label', null, h('input', { type: 'checkbox', name: 'day', value: d, checked: w.days.includes(d) }), d))),
    h('div', { class: 'inline-form' },
      field('From', h('input', { type: 'time', name: 'from', value: w.from, required: true })),
      field('To', h('input', { type: 'time', name: 'to', value: w.to, required: true })),
      h('button', { type: 'button', class: 'small danger', onclick: onRemove }, 'Remove')));
}

function readWindows(box: HTMLElement): Window[] | string {
  const out: Window[] = [];
  for (const fs of box.querySelectorAll('fieldset.window')) {
    const days = [...fs.querySelectorAll<HTMLInputElement>('input[name=day]:checked')].map((i) => i.value);
    const from = fs.querySelector<HTMLInputElement>('input[name=from]')?.value ?? '';
    const to = fs.querySelector<HTMLInputElement>('input[name=to]')?.value ?? '';
    if (days.length === 0) return 'each window needs at least one day';
    if (!/^\d{2}:\d{2}$/.test(from) || !/^\d{2}:\d{2}$/.test(to)) return 'give a start and end time';
    if (from === to) return 'a window cannot start and end at the same time';
    out.push({ days, from, to });
  }
  return out.length ? out : 'a schedule needs at least one window';
}

export async function schedulesPage(ctx: PageContext): Promise<void> {
  const editable = can(ctx.session.user.role, 'putSchedule');
  const list = h('div', { class: 'panel' }, loading());
  const editor = h('div');
  ctx.main.append(pageHead('Schedules', 'times a blocked category is allowed (policy: "allowed during")',
    editable ? h('button', { type: 'button', class: 'primary', onclick: () => edit(undefined) }, 'New schedule') : null), editor, list);

  const save = async (name: string, schedule: unknown, what: string) => {
    const v = await ask({ title: `${what} schedule ${name}`, body: ctx.session.fourEyes ? notice('info', 'Four-eyes mode: this becomes a proposal.') : undefined, reason: { label: 'Reason', min: 3 }, confirm: ctx.session.fourEyes ? 'Propose' : 'Save' });
    if (!v) return false;
    const r = schedule === undefined
      ? await api.del<Applied | Proposed>(withQuery(`/schedules/${seg(name)}`, { reason: v.reason }))
      : await api.put<Applied | Proposed>(withQuery(`/schedules/${seg(name)}`, { reason: v.reason }), schedule);
    if (!r.ok) {
      toast('bad', errorText(r), 9000);
      return false;
    }
    toast(r.status === 202 ? 'info' : 'ok', r.status === 202 ? 'Proposal created: waiting for a second person.' : 'Saved.');
    return true;
  };

  const edit = (s: ScheduleView | undefined) => {
    const name = h('input', { name: 'name', required: true, pattern: '[a-z0-9][a-z0-9_\\-]{0,31}', value: s?.name ?? '', readonly: Boolean(s) });
    const box = h('div');
    const add = (w: Window) => {
      const row = windowRow(w, () => row.remove());
      box.append(row);
    };
    for (const w of s ? windowsOf(s.schedule) : [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:15', to: '13:15' }]) add(w);
    const err = h('div', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'panel schedule-editor' }, h('h2', null, s ? `Edit ${s.name}` : 'New schedule'),
      field('Name', name, 'lower case, used in the policy'), box,
      h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => add({ days: [], from: '09:00', to: '10:00' }) }, 'Add a window')),
      err,
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Save…'), h('button', { type: 'button', onclick: () => replace(editor) }, 'Cancel')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const windows = readWindows(box);
      if (typeof windows === 'string') return replace(err, windows);
      if (!name.checkValidity()) return replace(err, 'a name is lower-case letters, digits, "-" or "_"');
      const schedule = s && !Array.isArray(s.schedule) ? { ...s.schedule, windows } : windows;
      if (await save(name.value, schedule, s ? 'Change' : 'Create')) {
        replace(editor);
        await load();
      }
    });
    replace(editor, form);
    (s ? box.querySelector('input') : name)?.focus();
  };

  const load = async () => {
    const r = await api.get<ScheduleList>('/schedules');
    if (ctx.left()) return;
    if (!r.ok) return replace(list, errorNotice(r));
    const items: ScheduleView[] = Object.entries(r.value.schedules).map(([name, schedule]) => ({ name, schedule: schedule as ScheduleConfig, usedBy: r.value.usedBy[name] ?? [] }));
    replace(list, table<ScheduleView>([
      { head: 'Name', cell: (s) => h('strong', null, s.name) },
      { head: 'Windows', cell: (s) => h('ul', { class: 'small' }, windowsOf(s.schedule).map((w) => h('li', null, describe(w)))) },
      { head: 'Dates', cell: (s) => (Array.isArray(s.schedule) ? 'every week' : [s.schedule.only ? `only in ${s.schedule.only.join(', ')}` : '', s.schedule.except ? ` not in ${s.schedule.except.join(', ')}` : ''].join('')) },
      { head: 'Used by', cell: (s) => (s.usedBy.length ? s.usedBy.join(', ') : h('span', { class: 'muted' }, 'not used')) },
      { head: '', cell: (s) => (editable ? h('div', { class: 'row' },
        h('button', { type: 'button', class: 'small', onclick: () => edit(s) }, 'Edit'),
        actionButton('Delete', async () => {
          if (await save(s.name, undefined, 'Delete')) await load();
        }, { class: 'small danger', disabled: s.usedBy.length > 0, title: s.usedBy.length ? 'still used by the policy' : undefined })) : null) },
    ], items, 'No schedules yet.', { class: 'schedules' }),
    h('p', { class: 'small muted' }, `Times are local to ${r.value.timezone}.`));
  };
  await load();
}
