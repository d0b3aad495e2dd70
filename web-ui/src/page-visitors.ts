// Visitors: the office issues a code (for a day, a week, a number of devices), prints a slip, and
// the visitor signs in on the portal; the visitors' log records each step and who issued the code.
import { api, seg } from './api.js';
import type { VisitorCode, VisitorCodeCreate, VisitorsView } from './api-types.js';
import { h, replace } from './dom.js';
import { dateTime } from './format.js';
import { can } from './permissions.js';
import { overridePresets } from './presets.js';
import type { PageContext } from './router.js';
import { actionButton, ask, badge, errorNotice, errorText, field, formValues, loading, pageHead, report, select, table } from './widgets.js';

function slip(code: VisitorCode): HTMLElement {
  return h('div', null, h('div', { class: 'slip' },
    h('div', null, h('strong', null, 'Visitor Wi-Fi')),
    h('p', null, 'Join the school Wi-Fi; a sign-in page opens. Enter this code:'),
    h('div', { class: 'code' }, code.code),
    h('p', { class: 'small' }, `Valid until ${dateTime(code.expiresAt)} for ${code.devices} device${code.devices > 1 ? 's' : ''}.`),
    code.note ? h('p', { class: 'small' }, code.note) : null,
    h('p', { class: 'small' }, 'Your use of the network is filtered and logged under the school\'s e-safety policy.')),
  h('div', { class: 'row no-print' }, h('button', { type: 'button', class: 'primary', onclick: () => {
    document.body.classList.add('printing-slip');
    window.print();
    document.body.classList.remove('printing-slip');
  } }, 'Print slip')));
}

export async function visitorsPage(ctx: PageContext): Promise<void> {
  const role = ctx.session.user.role;
  // Printing a slip prints this box alone (app.css: body.printing-slip).
  const slipBox = h('div', { class: 'slip-sheet' });
  const codesBox = h('div', null, loading());
  const logBox = h('div', null, loading());
  ctx.main.append(pageHead('Visitors', 'temporary log-in for guests'));

  if (can(role, 'createVisitorCode')) {
    const presets = overridePresets(Date.now(), 31 * 86400);
    const duration = select('duration', [['today', 'Today'], ['week', 'This week'], ['hours', 'A number of hours']], 'today');
    const hours = h('input', { name: 'hours', type: 'number', min: 1, max: 744, value: '2', inputmode: 'numeric' });
    const devices = h('input', { name: 'devices', type: 'number', min: 1, max: 500, value: '1', inputmode: 'numeric' });
    const note = h('input', { name: 'note', maxlength: 200, placeholder: 'e.g. visitor\'s name, company' });
    const err = h('div', { class: 'error', role: 'alert' });
    const hoursField = field('Hours', hours);
    const sync = () => { hoursField.hidden = duration.value !== 'hours'; };
    duration.addEventListener('change', sync);
    sync();
    const form = h('form', { class: 'panel visitor-form' }, h('h2', null, 'Issue a visitor code'),
      h('div', { class: 'form-grid' }, field('Valid', duration), hoursField, field('Devices', devices), field('Note', note)), err,
      h('button', { type: 'submit', class: 'primary' }, 'Issue code'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      replace(err);
      const v = formValues(form);
      const body: VisitorCodeCreate = { devices: Number(v.devices ?? 1), note: v.note };
      if (v.duration === 'hours') body.hours = Number(v.hours);
      else body.until = new Date(presets.find((p) => p.id === v.duration)?.until ?? Date.now() + 86400_000).toISOString();
      const r = await api.post<VisitorCode>('/visitor-codes', body);
      if (!r.ok) return replace(err, errorText(r));
      replace(slipBox, slip(r.value));
      await loadCodes();
    });
    ctx.main.append(form, slipBox);
  }
  if (can(role, 'listVisitorCodes')) ctx.main.append(h('section', { class: 'panel' }, h('h2', null, 'Codes'), codesBox));
  if (can(role, 'visitors')) ctx.main.append(h('section', { class: 'panel' }, h('h2', null, 'Visitors\' log'), logBox));

  const loadCodes = async () => {
    if (!can(role, 'listVisitorCodes')) return;
    const r = await api.get<{ items: VisitorCode[] }>('/visitor-codes');
    if (ctx.left()) return;
    if (!r.ok) return replace(codesBox, errorNotice(r));
    const now = Date.now();
    replace(codesBox, table<VisitorCode>([
      { head: 'Code', cell: (c) => h('span', { class: 'mono' }, c.code) },
      { head: 'Note', cell: (c) => c.note ?? '' },
      { head: 'Issued', cell: (c) => [dateTime(c.createdAt), h('div', { class: 'small muted' }, c.issuedBy)] },
      { head: 'Until', cell: (c) => dateTime(c.expiresAt), class: 'nowrap' },
      { head: 'Devices', cell: (c) => `${c.used.length} / ${c.devices}`, class: 'num' },
      { head: 'Status', cell: (c) => (c.revokedAt ? badge('', 'revoked') : Date.parse(c.expiresAt) <= now ? badge('', 'expired') : badge('ok', 'valid')) },
      { head: '', cell: (c) => (!c.revokedAt && Date.parse(c.expiresAt) > now && can(role, 'revokeVisitorCode') ? h('div', { class: 'row' },
        h('button', { type: 'button', class: 'small', onclick: () => replace(slipBox, slip(c)) }, 'Slip'),
        actionButton('Revoke', async () => {
          if (!(await ask({ title: `Revoke code ${c.code}`, body: h('p', null, 'Devices signed in with it return to the portal.'), confirm: 'Revoke', danger: true }))) return;
          if (report(await api.del<VisitorCode>(`/visitor-codes/${seg(c.code)}`), 'Code revoked.')) await loadCodes();
        }, { class: 'small danger' })) : null) },
    ], r.value.items, 'No codes issued.', { class: 'codes' }));
  };
  const loadLog = async () => {
    if (!can(role, 'visitors')) return;
    const r = await api.get<VisitorsView>('/visitors');
    if (ctx.left()) return;
    if (!r.ok) return replace(logBox, errorNotice(r));
    type Entry = VisitorsView['log'][number];
    replace(logBox,
      h('p', null, `${r.value.active.length} device${r.value.active.length === 1 ? '' : 's'} signed in now.`),
      table<Entry>([
        { head: 'When', cell: (e) => dateTime(e.time), class: 'nowrap' },
        { head: 'Event', cell: (e) => e.event },
        { head: 'Who', cell: (e) => e.user ?? '' },
        { head: 'Device', cell: (e) => [e.device, e.ip].filter(Boolean).join(' · '), class: 'mono small' },
        { head: 'Code', cell: (e) => e.code ?? '', class: 'mono' },
        { head: 'Issued by', cell: (e) => e.issuer ?? '' },
        { head: 'Note', cell: (e) => [e.note, e.detail].filter(Boolean).join(' — ') },
      ], r.value.log, 'Nobody has signed in yet.', { class: 'visitors-log' }));
  };
  await Promise.all([loadCodes(), loadLog()]);
}
