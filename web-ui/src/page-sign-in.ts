// Before the app: first-run setup (the one-time code from the daemon's log creates the
// technician account; there is no default password) and the sign-in form.
import { api } from './api.js';
import type { SessionInfo } from './api-types.js';
import { h, replace } from './dom.js';
import type { Child } from './dom.js';
import { errorText, field, formValues, notice } from './widgets.js';

function card(title: string, ...body: Child[]): HTMLElement {
  return h('div', { class: 'center-card' }, h('div', { class: 'brand' }, 'schoolgate'), h('div', { class: 'panel' }, h('h1', null, title), body));
}

/** Submits a form's JSON; on success calls done, else shows the API's message in the form. */
function wire(form: HTMLFormElement, path: string, body: (v: Record<string, string>) => unknown, done: (s: SessionInfo) => void): void {
  const err = h('div', { class: 'error', role: 'alert' });
  form.append(err);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const submit = form.querySelector<HTMLButtonElement>('button[type=submit]');
    if (submit) submit.disabled = true;
    replace(err);
    const r = await api.post<SessionInfo>(path, body(formValues(form)));
    if (submit) submit.disabled = false;
    if (r.ok) done(r.value);
    else {
      replace(err, r.code === 'SG_LOCKED' ? `${errorText(r)}. Try again later or ask another technician to unlock it.` : errorText(r));
      form.querySelector<HTMLInputElement>('input[type=password]')?.select();
    }
  });
}

export function setupPage(root: HTMLElement, done: (s: SessionInfo) => void): void {
  const code = h('input', { name: 'code', required: true, autocomplete: 'one-time-code', minlength: 4, maxlength: 64, class: 'mono' });
  const user = h('input', { name: 'username', required: true, autocomplete: 'username', minlength: 2, maxlength: 32, pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]{1,31}' });
  const pw = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password', minlength: 10 });
  const pw2 = h('input', { name: 'password2', type: 'password', required: true, autocomplete: 'new-password', minlength: 10 });
  pw2.addEventListener('input', () => pw2.setCustomValidity(pw2.value === pw.value ? '' : 'the passwords differ'));
  const form = h('form', { class: 'setup-form' },
    notice('info', 'This appliance has no admin account yet. The daemon printed a one-time setup code in its log (journalctl -u schoolgate). Enter it to create the technician account.'),
    field('Setup code', code),
    field('Technician user name', user, '2–32 letters, digits, ".", "_" or "-"'),
    field('Password', pw, 'at least 10 characters'),
    field('Password again', pw2),
    h('button', { type: 'submit', class: 'primary' }, 'Create the technician account'));
  wire(form, '/setup', (v) => ({ code: v.code ?? '', username: v.username ?? '', password: pw.value }), done);
  replace(root, card('First-run setup', form));
  code.focus();
}

export function loginPage(root: HTMLElement, done: (s: SessionInfo) => void, message?: string): void {
  const user = h('input', { name: 'username', required: true, autocomplete: 'username', maxlength: 64 });
  const pw = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password', maxlength: 1024 });
  const form = h('form', { class: 'login-form' },
    message ? notice('info', message) : null,
    field('User name', user),
    field('Password', pw),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  wire(form, '/login', (v) => ({ username: v.username ?? '', password: pw.value }), done);
  replace(root, card('Sign in', form));
  user.focus();
}
