// Accounts: your own password; for the technician, the admin accounts (technician, safeguarding,
// viewer) and API tokens for scripts (the secret is shown once, only its hash is kept).
import { api, seg } from './api.js';
import type { Done, Role, TokenCreated, User } from './api-types.js';
import { h, replace } from './dom.js';
import { ago, dateTime } from './format.js';
import { ROLES, can } from './permissions.js';
import type { PageContext } from './router.js';
import { actionButton, ask, badge, errorNotice, errorText, field, formValues, loading, notice, pageHead, report, select, table, toast } from './widgets.js';

type Token = TokenCreated['record'];

function passwordForm(name: string, own: boolean): HTMLFormElement {
  const current = h('input', { type: 'password', name: 'current', autocomplete: 'current-password', required: own });
  const pw = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', minlength: 10, required: true });
  const err = h('div', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'panel password-form' }, h('h2', null, own ? 'Your password' : `Password of ${name}`),
    h('div', { class: 'form-grid' }, own ? field('Current password', current) : null, field('New password', pw, 'at least 10 characters')), err,
    h('button', { type: 'submit' }, 'Change password'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(err);
    const r = await api.put<Done>(`/users/${seg(name)}/password`, { password: pw.value, current: own ? current.value : undefined });
    if (!r.ok) return replace(err, errorText(r));
    toast('ok', 'Password changed.');
    form.reset();
  });
  return form;
}

export async function usersPage(ctx: PageContext): Promise<void> {
  const me = ctx.session.user;
  const tech = can(me.role, 'listUsers');
  ctx.main.append(pageHead(tech ? 'Users and tokens' : 'Your account', `signed in as ${me.name} (${me.role})`), passwordForm(me.name, true));
  if (!tech) return;
  const usersBox = h('div', null, loading());
  const tokensBox = h('div', null, loading());
  const secretBox = h('div');
  const otherPassword = h('div');

  const name = h('input', { name: 'name', required: true, minlength: 2, maxlength: 32, autocomplete: 'off' });
  const role = select('role', ROLES, 'viewer');
  const pw = h('input', { name: 'password', type: 'password', required: true, minlength: 10, autocomplete: 'new-password' });
  const userErr = h('div', { class: 'error', role: 'alert' });
  const userForm = h('form', { class: 'inline-form add-user' }, field('Name', name), field('Role', role), field('Password', pw), h('button', { type: 'submit', class: 'primary' }, 'Add user'));
  userForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(userErr);
    const v = formValues(userForm);
    const r = await api.post<User>('/users', { name: v.name ?? '', role: v.role as Role, password: pw.value });
    if (!r.ok) return replace(userErr, errorText(r));
    toast('ok', `User ${r.value.name} added.`);
    userForm.reset();
    await loadUsers();
  });

  const tokenName = h('input', { name: 'name', required: true, minlength: 2, maxlength: 64, placeholder: 'e.g. nightly-backup' });
  const tokenRole = select('role', ROLES, 'viewer');
  const tokenForm = h('form', { class: 'inline-form add-token' }, field('Name', tokenName), field('Role', tokenRole), h('button', { type: 'submit', class: 'primary' }, 'Create token'));
  tokenForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = formValues(tokenForm);
    const r = await api.post<TokenCreated>('/tokens', { name: v.name ?? '', role: v.role as Role });
    if (!r.ok) return toast('bad', errorText(r));
    replace(secretBox, notice('warn', 'Copy this token now: it is not shown again. ', h('code', { class: 'mono token-secret' }, r.value.token)));
    tokenForm.reset();
    await loadTokens();
  });

  ctx.main.append(
    h('section', { class: 'panel' }, h('h2', null, 'Admin accounts'), userForm, userErr, usersBox),
    otherPassword,
    h('section', { class: 'panel' }, h('h2', null, 'API tokens'), h('p', { class: 'small muted' }, 'For scripts: send "Authorization: Bearer <token>".'), tokenForm, secretBox, tokensBox));

  const loadUsers = async () => {
    const r = await api.get<{ items: User[] }>('/users');
    if (ctx.left()) return;
    if (!r.ok) return replace(usersBox, errorNotice(r));
    replace(usersBox, table<User>([
      { head: 'Name', cell: (u) => h('strong', null, u.name) },
      { head: 'Role', cell: (u) => u.role },
      { head: 'Last sign-in', cell: (u) => ago(u.lastLoginAt), class: 'nowrap' },
      { head: 'State', cell: (u) => (u.lockedUntil && Date.parse(u.lockedUntil) > Date.now() ? badge('bad', `locked until ${dateTime(u.lockedUntil)}`) : u.failedLogins ? badge('warn', `${u.failedLogins} failed sign-ins`) : badge('ok', 'ok')) },
      { head: '', cell: (u) => h('div', { class: 'row' },
        h('button', { type: 'button', class: 'small', onclick: () => {
          replace(otherPassword, passwordForm(u.name, u.name === me.name));
          otherPassword.querySelector('input')?.focus();
        } }, 'Set password'),
        u.name !== me.name ? actionButton('Remove', async () => {
          if (!(await ask({ title: `Remove ${u.name}`, body: h('p', null, 'Their sessions end at once.'), confirm: 'Remove', danger: true }))) return;
          if (report(await api.del<Done>(`/users/${seg(u.name)}`), `${u.name} removed.`)) await loadUsers();
        }, { class: 'small danger' }) : null) },
    ], r.value.items, 'No users.', { class: 'users' }));
  };
  const loadTokens = async () => {
    const r = await api.get<{ items: Token[] }>('/tokens');
    if (ctx.left()) return;
    if (!r.ok) return replace(tokensBox, errorNotice(r));
    replace(tokensBox, table<Token>([
      { head: 'Name', cell: (t) => t.name },
      { head: 'Role', cell: (t) => t.role },
      { head: 'Created', cell: (t) => [dateTime(t.createdAt), h('div', { class: 'small muted' }, t.createdBy)] },
      { head: 'Last used', cell: (t) => ago(t.lastUsedAt), class: 'nowrap' },
      { head: '', cell: (t) => actionButton('Revoke', async () => {
        if (!(await ask({ title: `Revoke token ${t.name}`, body: h('p', null, 'Scripts using it stop working at once.'), confirm: 'Revoke', danger: true }))) return;
        if (report(await api.del<Done>(`/tokens/${seg(t.id)}`), 'Token revoked.')) await loadTokens();
      }, { class: 'small danger' }) },
    ], r.value.items, 'No tokens.', { class: 'tokens' }));
  };
  await Promise.all([loadUsers(), loadTokens()]);
}
