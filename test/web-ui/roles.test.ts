// Roles and hostile input in Debian's Chromium against the real daemon, in four-eyes mode: a
// technician's policy-matrix change becomes a proposal that only a second person (safeguarding)
// can approve; a viewer sees no edit control on any page and the API answers 403 when they try
// anyway; hostile names and free text from the block page render as text, never as markup.
import t from 'tap';
import type { Page } from 'playwright-core';
import { BLOCK_ADDRESS, PASSWORD, PUPIL, UPSTREAM_ANSWER, dig, ensureBundle, launchBrowser, settled, setupTechnician, startGate, unexpectedConsoleLine } from './harness.js';
import type { Gate } from './harness.js';

const HOSTILE_DOMAIN = '<script>alert(1)</script>.example';
const HOSTILE_TEXT = '<img src=x onerror=alert(2)><script>alert(3)</script>';

async function signIn(page: Page, gate: Gate, user: string): Promise<void> {
  await page.goto(`${gate.admin}/`);
  const out = page.getByRole('button', { name: 'Sign out' });
  await out.or(page.getByRole('heading', { name: 'Sign in' })).first().waitFor();
  if (await out.count()) await out.click();
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** A write as the signed-in browser would send it (session cookie + the session's CSRF token). */
async function apiAs(page: Page, method: string, path: string, body?: unknown): Promise<number> {
  return page.evaluate(async ({ method, path, body }) => {
    const s = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
    const r = await fetch(`/api/v1${path}`, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken }, body: body === undefined ? undefined : JSON.stringify(body) });
    return r.status;
  }, { method, path, body });
}

t.test('roles, four-eyes and hostile input in the admin UI', async (t) => {
  await ensureBundle();
  const gate = await startGate({ fourEyes: true });
  t.teardown(() => gate.stop());
  const b = await launchBrowser();
  t.teardown(() => b.close());
  const { page } = b;
  const pupil = (name: string) => dig(gate.dns.host, gate.dns.port, name, PUPIL);

  // The technician, then a safeguarding lead and a governor (viewer), all through the UI.
  await setupTechnician(page, gate, 'tech');
  await page.goto(`${gate.admin}/#/users`);
  for (const [name, role] of [['dsl', 'safeguarding'], ['governor', 'viewer']]) {
    const form = page.locator('form.add-user');
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Role').selectOption(role);
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.locator('table.users tbody tr', { hasText: name }).waitFor();
  }
  t.pass('technician, safeguarding and viewer accounts exist');

  await t.test('an API token is shown once', async (t) => {
    const form = page.locator('form.add-token');
    await form.getByLabel('Name').fill('nightly-backup');
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.locator('.token-secret').textContent();
    t.ok(secret && secret.length >= 20, 'the secret is shown');
    await page.locator('table.tokens tbody tr', { hasText: 'nightly-backup' }).waitFor();
    t.notMatch(await page.locator('table.tokens').textContent(), secret ?? '', 'the list never shows it');
    const r = await fetch(`${gate.admin}/api/v1/status`, { headers: { authorization: `Bearer ${secret}` } });
    t.equal(r.status, 200, 'a script can use it');
  });

  await t.test('filtering off: asked by the technician, started only by the safeguarding lead', async (t) => {
    await page.goto(`${gate.admin}/#/overrides`);
    await page.getByLabel('Unblock').selectOption('all');
    await page.getByLabel('For', { exact: true }).selectOption('client');
    await page.getByLabel('Device IP').fill('127.0.0.9');
    await page.getByRole('button', { name: 'Today' }).click();
    await page.getByLabel('Reason').fill('exam board software update on the exams laptop');
    await page.getByRole('button', { name: 'Grant override' }).click();
    const row = page.locator('table.overrides tbody tr', { hasText: '127.0.0.9' });
    await row.waitFor();
    t.match(await row.textContent(), /pending-approval/, 'it waits for a second person');
    t.equal(await row.getByRole('button', { name: /Approve/ }).count(), 0, 'the technician cannot approve it');
    await signIn(page, gate, 'dsl');
    await page.goto(`${gate.admin}/#/overrides`);
    await page.locator('table.overrides tbody tr', { hasText: '127.0.0.9' }).getByRole('button', { name: 'Approve filtering off' }).click();
    await page.getByRole('dialog').getByLabel('Your reason').fill('confirmed with the exams officer');
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.locator('.toasts', { hasText: 'Filtering off approved' }).waitFor();
    // The table reloads after the toast: wait for the row to change, then read it.
    const approved = page.locator('table.overrides tbody tr', { hasText: '127.0.0.9' });
    await approved.filter({ hasText: /active/ }).waitFor({ timeout: 10_000 }).catch(() => undefined);
    t.match(await approved.textContent(), /active/, 'approved: in force');
    t.match(await page.locator('table.overrides tbody tr', { hasText: '127.0.0.9' }).textContent(), /approved by dsl/);
  });

  await t.test('four-eyes: a matrix change is a proposal until a second person approves it', async (t) => {
    await signIn(page, gate, 'tech');
    t.same((await pupil('games.example')).answers, [BLOCK_ADDRESS], 'games blocked for pupils');
    await page.goto(`${gate.admin}/#/policy`);
    await page.getByLabel('games for pupils').selectOption('allow');
    t.equal(await page.locator('td.cell[data-group="pupils"][data-category="games"]').getAttribute('data-dirty'), 'true', 'the changed cell is marked');
    await page.getByRole('button', { name: /Save 1 change/ }).click();
    await page.getByRole('dialog').getByLabel('Reason for the change').fill('games club trial this term');
    await page.getByRole('dialog').getByRole('button', { name: 'Propose' }).click();
    await page.locator('.notice', { hasText: /proposal .* waits for a second person/ }).waitFor();
    await b.screenshot('21-policy-proposed');
    t.same((await pupil('games.example')).answers, [BLOCK_ADDRESS], 'proposed only: the pupil\'s answer has not changed');

    await page.goto(`${gate.admin}/#/proposals`);
    const mine = page.locator('table.proposals tbody tr').first();
    await mine.waitFor();
    t.equal(await mine.getByRole('button', { name: 'Approve' }).count(), 0, 'the proposer gets no approve button');
    t.match(await mine.textContent(), /another person decides/);

    await signIn(page, gate, 'dsl');
    await page.goto(`${gate.admin}/#/proposals`);
    const row = page.locator('table.proposals tbody tr').first();
    await row.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog').getByLabel('Your reason').fill('agreed at the e-safety committee');
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.locator('.toasts', { hasText: 'Approved' }).waitFor();
    await b.screenshot('22-proposal-approved');
    t.same((await pupil('games.example')).answers, [UPSTREAM_ANSWER], 'approved: applies from the next query');
  });

  await t.test('hostile names and text render as text', async (t) => {
    const r = await fetch(`http://${gate.blockPage.host}:${gate.blockPage.port}/api/v1/requests`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ domain: 'facebook.com', reason: HOSTILE_TEXT, name: HOSTILE_TEXT }),
    }).catch(() => undefined);
    const viaAdmin = r?.status === 201 ? r : await fetch(`${gate.admin}/api/v1/requests`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ domain: 'facebook.com', reason: HOSTILE_TEXT, name: HOSTILE_TEXT }),
    });
    t.equal(viaAdmin.status, 201, 'an access request with markup in its free text');
    await pupil(HOSTILE_DOMAIN);

    await page.goto(`${gate.admin}/#/requests`);
    const row = page.locator('table.access tbody tr', { hasText: 'facebook.com' });
    await row.waitFor();
    t.match(await row.textContent(), HOSTILE_TEXT, 'the markup is shown as text');
    t.equal(await page.locator('main img, main script').count(), 0, 'no element was made from it');
    // Whatever form the DNS layer logs the name in, the page shows exactly that, as text.
    // The query log is written in batches (queryLog.flushInterval, 2 s): wait for the row.
    let logged: string | undefined;
    for (let i = 0; i < 40 && logged === undefined; i++) {
      logged = await page.evaluate(async () => ((await (await fetch('/api/v1/querylog?domain=script')).json()) as { items: { name: string }[] }).items[0]?.name);
      if (logged === undefined) await new Promise((r) => setTimeout(r, 250));
    }
    t.match(logged, /script/, `the DNS layer logged the name as ${JSON.stringify(logged)}`);
    await page.goto(`${gate.admin}/#/querylog`);
    await page.getByLabel('Domain').fill('script');
    await page.getByRole('button', { name: 'Search' }).click();
    const q = page.locator('table.querylog .qname').first();
    await q.waitFor();
    t.equal(await q.textContent(), logged, 'the query log shows the name verbatim, as text');
    t.equal(await page.locator('main script').count(), 0);

    // A register entry whose user is markup: imported through the UI, shown on the devices page.
    await signIn(page, gate, 'tech');
    await page.goto(`${gate.admin}/#/devices`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'register.csv', mimeType: 'text/csv', buffer: Buffer.from(`mac,user,group\n02:00:00:00:00:01,${HOSTILE_DOMAIN},pupils\n`) });
    await page.locator('form.device-import').getByRole('button', { name: 'Import' }).click();
    await page.locator('.notice.ok', { hasText: 'Imported 1 devices' }).waitFor();
    const cell = page.locator('table.devices tbody tr td', { hasText: 'script' }).first();
    await cell.waitFor();
    t.equal(await cell.textContent(), HOSTILE_DOMAIN, 'a user name of markup is shown as text');
    t.equal(await page.locator('main script, main img').count(), 0, 'and made no element');
    await b.screenshot('23-hostile-escaped');
    t.same(b.dialogs, [], 'no alert() ran');
  });

  await t.test('a viewer sees no edit control, and the API refuses them', async (t) => {
    await signIn(page, gate, 'governor');
    const readOnly = new Set(['Sign out', '☰ Menu', 'Search', 'Filter', 'Show', '← Newer', 'Older →', 'Print', 'Verify again', 'Change password']);
    const nav = await page.locator('.side nav a').allTextContents();
    t.notOk(nav.some((n) => /Visitors/.test(n)), 'no visitor codes for a viewer');
    for (const path of ['/dashboard', '/incidents', '/requests', '/overrides', '/policy', '/schedules', '/proposals', '/lists', '/devices', '/users', '/querylog', '/audit', '/reports', '/self-test', '/bandwidth']) {
      await page.goto(`${gate.admin}/#${path}`);
      await page.locator('main h1').first().waitFor();
      await settled(page);
      const buttons = (await page.locator('main button:visible').allTextContents()).map((s) => s.trim()).filter((s) => !readOnly.has(s));
      t.same(buttons, [], `${path}: no edit buttons`);
      t.equal(await page.locator('main td.cell select, main form.override-form, main form.add-user, main form.add-token, main form.device-import, main form.visitor-form').count(), 0, `${path}: no edit forms`);
    }
    await page.goto(`${gate.admin}/#/policy`);
    await page.locator('td.cell').first().waitFor();
    t.ok(await page.locator('td.cell').count() > 0, 'the matrix is shown, read only');
    await b.screenshot('24-viewer-policy');

    const refused: [string, string, unknown][] = [
      ['POST', '/overrides', { domain: 'facebook.com', group: 'pupils', minutes: 30, reason: 'a viewer trying anyway' }],
      ['PATCH', '/policy/cells', { group: 'pupils', category: 'games', state: 'block', reason: 'a viewer trying' }],
      ['PUT', '/schedules/lunch', [{ days: ['mon'], from: '12:00', to: '13:00' }]],
      ['POST', '/users', { name: 'sneaky', role: 'technician', password: 'longenough123' }],
      ['POST', '/visitor-codes', { hours: 1 }],
      ['POST', '/lists/update', {}],
      ['POST', '/self-test', {}],
    ];
    for (const [method, path, body] of refused) t.equal(await apiAs(page, method, path, body), 403, `${method} ${path}: 403 for a viewer`);
    t.same(b.errors.filter(unexpectedConsoleLine), [], 'no script error or CSP violation in the console');
  });
});
