// "Unblock this site for 7B for this lesson", in under a minute: the name (or a category), who
// (a group or one device), a preset duration, a reason. Enter submits; the form starts on the
// domain field; ?domain=&group=&client= in the route pre-fills it (from the query log, a request).
import { api } from './api.js';
import type { Override, OverrideCreate, PolicyMatrix } from './api-types.js';
import { groupNames, overrideRules, unlockedCategories } from './catalog.js';
import { h, replace } from './dom.js';
import { dateTime } from './format.js';
import { durationSeconds, overridePresets } from './presets.js';
import type { Preset } from './presets.js';
import { errorText, field, formValues, select, toast } from './widgets.js';

export function overrideForm(policy: PolicyMatrix, prefill: URLSearchParams, created: () => void): HTMLFormElement {
  const rules = overrideRules(policy);
  const maxSeconds = rules.maxDurationSeconds || durationSeconds(rules.maxDuration) || 7 * 86400;
  const minReason = rules.minReasonLength;
  const groups = groupNames(policy);
  const what = select('what', [['domain', 'A site (domain)'], ['category', 'A category'], ['all', 'Everything (filtering off)']], prefill.get('category') ? 'category' : 'domain');
  const domain = h('input', { name: 'domain', placeholder: 'e.g. youtube.com', autocomplete: 'off', inputmode: 'url', maxlength: 253, value: prefill.get('domain') ?? '' });
  const category = select('category', unlockedCategories(policy), prefill.get('category') ?? undefined);
  const who = select('who', [['group', 'A group'], ['client', 'One device (IP address)'], ['mac', 'One device (MAC address)']], prefill.get('client') ? 'client' : 'group');
  // Overrides are mostly for the most restricted group (the pupils): offer it first.
  const blockedCount = (g: PolicyMatrix['groups'][number]) => Object.values(g.cells).filter((c) => c.state === 'blocked' || c.state === 'allowed-during').length;
  const defaultGroup = prefill.get('group') ?? [...policy.groups].sort((a, b) => blockedCount(b) - blockedCount(a))[0]?.name ?? groups[0];
  const group = select('group', groups, defaultGroup);
  const client = h('input', { name: 'client', placeholder: '10.10.1.23', autocomplete: 'off', maxlength: 45, value: prefill.get('client') ?? '' });
  const mac = h('input', { name: 'mac', placeholder: 'aa:bb:cc:dd:ee:ff', autocomplete: 'off', maxlength: 17 });
  const reason = h('input', { name: 'reason', required: true, minlength: minReason, maxlength: 500, placeholder: 'e.g. Year 7 history research, Mrs Khan', value: prefill.get('reason') ?? '' });
  const requestedBy = h('input', { name: 'requestedBy', maxlength: 100, placeholder: 'the teacher who asked (optional)' });
  const minutes = h('input', { name: 'minutes', type: 'number', min: 1, step: 1, inputmode: 'numeric', placeholder: 'minutes' });
  const ends = h('span', { class: 'small muted ends' });
  const filterOffNote = h('p', { class: 'notice warn small' }, 'Filtering off lifts every category except the locked ones. It starts only when a safeguarding user approves it (two-person rule), and it ends by itself.');
  const err = h('div', { class: 'error', role: 'alert' });

  const fields = {
    domain: field('Domain', domain, 'covers its subdomains'), category: field('Category', category),
    group: field('Group', group), client: field('Device IP', client), mac: field('Device MAC', mac),
  };
  const sync = () => {
    fields.domain.hidden = what.value !== 'domain';
    fields.category.hidden = what.value !== 'category';
    filterOffNote.hidden = what.value !== 'all';
    fields.group.hidden = who.value !== 'group';
    fields.client.hidden = who.value !== 'client';
    fields.mac.hidden = who.value !== 'mac';
  };
  what.addEventListener('change', sync);
  who.addEventListener('change', sync);
  sync();

  let chosen: Preset['id'] | 'custom' = 'lesson';
  const presetButtons = new Map<string, HTMLButtonElement>();
  const showEnd = () => {
    const p = overridePresets(Date.now(), maxSeconds).find((x) => x.id === chosen);
    const until = p ? p.until : Number(minutes.value) > 0 ? Date.now() + Number(minutes.value) * 60_000 : undefined;
    replace(ends, until ? `ends ${dateTime(until)}` : '');
    for (const [id, b] of presetButtons) b.setAttribute('aria-pressed', String(id === chosen));
  };
  const presets = h('div', { class: 'presets', role: 'group', aria: { label: 'Duration' } },
    overridePresets(Date.now(), maxSeconds).map((p) => {
      const b = h('button', { type: 'button', class: 'preset', data: { preset: p.id }, onclick: () => {
        chosen = p.id;
        minutes.value = '';
        showEnd();
      } }, p.label);
      presetButtons.set(p.id, b);
      return b;
    }));
  minutes.addEventListener('input', () => {
    chosen = minutes.value ? 'custom' : 'lesson';
    showEnd();
  });
  showEnd();

  const form = h('form', { class: 'panel override-form', aria: { label: 'New override' } },
    h('h2', null, 'New override'),
    h('div', { class: 'form-grid' }, field('Unblock', what), fields.domain, fields.category, field('For', who), fields.group, fields.client, fields.mac),
    filterOffNote,
    h('div', { class: 'field' }, h('label', null, 'For how long'), h('div', { class: 'row' }, presets, h('span', null, 'or'), h('span', { class: 'custom-minutes' }, minutes), ends)),
    h('div', { class: 'form-grid' }, field('Reason', reason, `required, at least ${minReason} characters; kept in the audit log`), field('Asked by', requestedBy)),
    err,
    h('button', { type: 'submit', class: 'primary' }, 'Grant override'));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(err);
    const v = formValues(form);
    const body: OverrideCreate = { reason: v.reason ?? '', requestedBy: v.requestedBy };
    if (v.what === 'category') body.category = v.category;
    else if (v.what === 'all') body.all = true;
    else body.domain = v.domain ?? '';
    if (v.who === 'client') body.client = v.client ?? '';
    else if (v.who === 'mac') body.mac = v.mac ?? '';
    else body.group = v.group;
    const preset = overridePresets(Date.now(), maxSeconds).find((p) => p.id === chosen);
    if (preset) body.until = new Date(preset.until).toISOString();
    else body.minutes = Number(v.minutes);
    const submit = form.querySelector<HTMLButtonElement>('button[type=submit]');
    if (submit) submit.disabled = true;
    const r = await api.post<Override>('/overrides', body);
    if (submit) submit.disabled = false;
    if (!r.ok) {
      replace(err, errorText(r));
      return;
    }
    toast('ok', r.value.status === 'pending-approval' ? 'Filtering off requested: it starts when a safeguarding user approves it.' : `Override granted until ${dateTime(r.value.expiresAt)}.`);
    domain.value = '';
    client.value = '';
    mac.value = '';
    reason.value = '';
    requestedBy.value = '';
    minutes.value = '';
    chosen = 'lesson';
    sync();
    showEnd();
    created();
  });
  return form;
}
