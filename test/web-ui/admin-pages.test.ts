// The rest of the admin UI in Debian's Chromium against the real daemon: an incident acknowledged
// with the action and the outcome, a visitor code and its printable slip, the filtering self-test
// run from the UI, a schedule made and the lists updated now, then a screenshot of every main page
// (desktop and phone) saved to test-artifacts/web-ui/, each drawn without an error.
import t from 'tap';
import { PUPIL, dig, ensureBundle, launchBrowser, settled, setupTechnician, startGate, unexpectedConsoleLine } from './harness.js';

t.test('the admin pages', async (t) => {
  await ensureBundle();
  const gate = await startGate();
  t.teardown(() => gate.stop());
  const b = await launchBrowser();
  t.teardown(() => b.close());
  const { page } = b;
  const answerFor = async (name: string) => (await dig(gate.dns.host, gate.dns.port, name, PUPIL)).answers;
  await setupTechnician(page, gate, 'tech');

  await t.test('an incident, acknowledged with the action taken and the outcome', async (t) => {
    await answerFor('locked.example');
    await page.goto(`${gate.admin}/#/incidents`);
    const row = page.locator('table.incidents tbody tr', { hasText: 'locked.example' });
    await row.waitFor({ timeout: 20_000 });
    await row.getByRole('button', { name: 'Acknowledge…' }).click();
    await page.getByRole('dialog').getByLabel('Action taken').fill('spoke to the pupil with their form tutor');
    await page.getByRole('dialog').getByLabel('Outcome').fill('no further concern; logged on the safeguarding system');
    await page.getByRole('dialog').getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('.toasts', { hasText: 'Incident acknowledged' }).waitFor();
    await page.getByLabel('Show').selectOption('acknowledged');
    await page.locator('table.incidents tbody tr', { hasText: 'no further concern' }).waitFor();
    t.pass('the acknowledgement with its action and outcome is on record');
  });

  await t.test('a visitor code with a printable slip', async (t) => {
    await page.goto(`${gate.admin}/#/visitors`);
    await page.getByLabel('Devices').fill('2');
    await page.getByLabel('Note').fill('Ofsted inspector, Mrs Grey');
    await page.getByRole('button', { name: 'Issue code' }).click();
    const code = await page.locator('.slip .code').textContent();
    t.match(code, /^[A-Z2-9]{8}$/, 'the slip shows the code');
    await page.locator('table.codes tbody tr', { hasText: code ?? '' }).waitFor();
    await page.emulateMedia({ media: 'print' });
    t.equal(await page.locator('.side').isVisible(), false, 'printing hides the navigation');
    // What "Print slip" prints: the slip alone (window.print() itself is a no-op headless).
    await page.evaluate('document.body.classList.add("printing-slip")');
    t.ok(await page.locator('.slip').isVisible(), 'the slip prints');
    t.equal(await page.locator('form.visitor-form').isVisible(), false, 'the rest of the page does not');
    await b.screenshot('13b-visitor-slip-print');
    await page.evaluate('document.body.classList.remove("printing-slip")');
    await page.emulateMedia({ media: 'screen' });
  });

  await t.test('the filtering self-test runs from the UI', async (t) => {
    await page.goto(`${gate.admin}/#/self-test`);
    await page.getByRole('button', { name: 'Run the self-test now' }).click();
    await page.locator('.self-test-run').waitFor({ timeout: 30_000 });
    const lines = await page.locator('table.self-test-lines tbody tr').count();
    t.ok(lines > 0, `${lines} lines, pass/fail each`);
    t.equal(await page.locator('table.self-tests tbody tr').count() >= 1, true, 'the run is kept');
    const csv = await page.request.get(await page.getByRole('link', { name: 'CSV' }).getAttribute('href').then((h) => `${gate.admin}${h}`));
    t.equal(csv.status(), 200, 'its CSV downloads');
    await b.screenshot('19b-self-test-run');
  });

  await t.test('a schedule made in the UI, and the lists updated now', async (t) => {
    await page.goto(`${gate.admin}/#/schedules`);
    await page.getByRole('button', { name: 'New schedule' }).click();
    await page.getByLabel('Name').fill('afterschool');
    await page.getByLabel('From').fill('15:30');
    await page.getByLabel('To').fill('18:00');
    await page.getByRole('button', { name: 'Save…' }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('homework club');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('table.schedules tbody tr', { hasText: 'afterschool' }).waitFor();
    t.match(await page.locator('table.schedules tbody tr', { hasText: 'afterschool' }).textContent(), /mon, tue, wed, thu, fri 15:30–18:00/, 'saved with its window');

    await page.goto(`${gate.admin}/#/lists`);
    await page.getByRole('button', { name: 'Update now' }).click();
    await page.locator('.notice.ok', { hasText: 'The lists are updated' }).waitFor({ timeout: 60_000 });
    t.pass('update now: fetched, compiled and in use');
  });

  await t.test('screenshots of the main pages', async (t) => {
    const pages: [string, string, string][] = [
      ['/policy', 'Policy', '07-policy'], ['/schedules', 'Schedules', '08-schedules'], ['/querylog', 'Query log', '09-querylog'],
      ['/incidents', 'Incidents', '10-incidents'], ['/audit', 'Audit log', '11-audit'], ['/devices', 'Devices and groups', '12-devices'],
      ['/visitors', 'Visitors', '13-visitors'], ['/proposals', 'Proposals', '14-proposals'], ['/lists', 'Lists', '15-lists'],
      ['/bandwidth', 'Bandwidth', '16-bandwidth'], ['/users', 'Users and tokens', '17-users'], ['/reports', 'Reports', '18-reports'],
      ['/self-test', 'Filtering self-test', '19-self-test'],
    ];
    for (const [path, heading, shot] of pages) {
      await page.goto(`${gate.admin}/#${path}`);
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      await settled(page);
      t.equal(await page.locator('.notice.bad').count(), 0, `${path}: drawn without an error`);
      await b.screenshot(shot);
    }
    await page.goto(`${gate.admin}/#/reports`);
    const csvHref = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    const csv = await page.request.get(`${gate.admin}${csvHref}`);
    t.equal(csv.status(), 200, 'the report downloads as CSV');
    t.match(csv.headers()['content-type'], /csv/);
    await page.goto(`${gate.admin}/#/audit`);
    await page.locator('.chain-ok').waitFor();
    t.pass('the audit chain verifies in the UI');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${gate.admin}/#/overrides`);
    await page.getByRole('button', { name: 'Grant override' }).waitFor();
    await b.screenshot('20-phone-overrides');
    await page.goto(`${gate.admin}/#/dashboard`);
    await page.locator('.kpis .kpi').first().waitFor();
    await b.screenshot('20b-phone-dashboard');
    t.ok(await page.getByRole('button', { name: /Menu/ }).isVisible(), 'on a phone the navigation is behind a menu button');
    t.equal(b.dialogs.length, 0, 'no alert() ran anywhere');
    t.same(b.errors.filter(unexpectedConsoleLine), [], 'no script error or CSP violation in the console');
  });
});
