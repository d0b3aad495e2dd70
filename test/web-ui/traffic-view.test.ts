// The Traffic page in Debian's Chromium against the real daemon in the namespace lab, with the
// real traffic stage (tcpdump, nft, conntrack): a staff device downloads 2 MB from a server it
// reaches without DNS and a pupil is cut off at a blocked server name; the page lists both
// flows (time, device, group, server, proto, action and reason, bytes), filters by device and
// shows the top talkers. Chromium runs inside the appliance's namespace (the admin UI listens on
// its LAN address there), through a wrapper around /usr/bin/chromium.
import t from 'tap';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createLab } from '../lab/lab.js';
import { run } from '../lab/exec.js';
import { CLI } from '../helpers/daemon.js';
/** the bulk server's address (TEST-NET-3), as in test/traffic/view-lab.test.ts */
const BULK = '203.0.113.71';
import { ARTIFACTS, PASSWORD, ensureBundle, launchBrowser, settled, setupTechnician, startGate, unexpectedConsoleLine } from './harness.js';
import { startTrafficDaemon } from '../traffic/traffic-lab.js';

const ADMIN = 'http://10.10.0.1:443';
const BLOCKED = 'blocked.example';

t.test('the Traffic page shows the flows the test made', async (t) => {
  await ensureBundle();
  const lab = await createLab();
  t.teardown(() => lab.destroy());
  await lab.must('inet', ['ip', 'addr', 'add', `${BULK}/32`, 'dev', 'lo']);
  const bulk = lab.spawn('inet', 'bulk-web', [process.execPath, '--import', 'tsx', new URL('../traffic/bulk-web-server.ts', import.meta.url).pathname, lab.cert, join(lab.dir, 'lab-key.pem'), BULK]);
  await bulk.waitFor(/bulk web server listening/, 20_000);
  const { configPath } = await startTrafficDaemon(lab, BLOCKED, 'traffic-ui.yaml');
  const added = await run([process.execPath, '--import', 'tsx', CLI, 'user', 'add', 'tech', '--role', 'technician', '--config', configPath], { input: `${PASSWORD}\n`, timeoutMs: 60_000 });
  t.equal(added.code, 0, added.stderr);

  const got = await lab.exec('staff', ['curl', '-sk', '-m', '10', '-o', '/dev/null', '-w', '%{size_download}', '--resolve', `bulk.example:443:${BULK}`, `https://bulk.example/2000000`], { timeoutMs: 15_000 });
  t.equal(got.stdout, '2000000', 'staff downloaded 2 MB');
  // A blocked name: the flow is a block whether or not this first connection dies in its
  // handshake (the lab's server answers within a millisecond: test/traffic/lab.test.ts times it).
  await lab.exec('pupil', ['curl', '-sk', '-m', '4', '--resolve', `${BLOCKED}:443:${BULK}`, `https://${BLOCKED}/10`], { timeoutMs: 8000 });

  // Chromium in the appliance's namespace: playwright's pipe (fds 3 and 4) survives the exec.
  const bin = mkdtempSync(join(tmpdir(), 'sg-chromium-ns-'));
  const profile = join(bin, 'profile');
  const wrapper = join(bin, 'chromium');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.ns.app} /usr/bin/chromium "$@"\n`);
  chmodSync(wrapper, 0o755);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: wrapper, headless: true, viewport: { width: 1280, height: 900 }, timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.teardown(async () => {
    await context.close();
    rmSync(bin, { recursive: true, force: true });
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(`console: ${m.text()}`)));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  await page.goto(`${ADMIN}/`);
  await page.getByLabel('User name').fill('tech');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.locator('.side nav a', { hasText: 'Traffic' }).click();
  await page.getByRole('heading', { name: 'Traffic', exact: true }).waitFor();
  await settled(page);

  const row = (text: string) => page.locator('table.flows tbody tr', { hasText: text });
  // bytes arrive with the next conntrack poll (every 5 s): reload until the figure is there
  let cells: string[] = [];
  for (let i = 0; i < 10; i++) {
    if (await row('bulk.example').count()) {
      cells = (await row('bulk.example').first().locator('td').allTextContents()).map((s) => s.trim());
      if (/MB/.test(cells[6] ?? '')) break;
    }
    await new Promise((r) => setTimeout(r, 1500));
    await page.getByRole('button', { name: 'Show' }).click();
    await settled(page);
  }
  t.match(cells[0], /^\d{2}:\d{2}/, 'time');
  t.match(cells[1], '10.10.2.10', 'device');
  t.equal(cells[2], 'staff', 'group');
  t.match(cells[3], `bulk.example${BULK} port 443`, 'server name and address');
  t.equal(cells[4], 'TLS', 'proto');
  t.match(cells[5], /^allow/, 'action');
  t.match(cells[6], /^2\.0 MB$/, `bytes from the kernel (${cells[6]})`);
  const blocked = (await row(BLOCKED).first().locator('td').allTextContents()).map((s) => s.trim());
  t.match(blocked[1], '10.10.1.10', 'the pupil');
  t.equal(blocked[2], 'pupils');
  t.match(blocked[5], /^block.*sni · social_networks/, 'blocked, reason sni, its category');
  t.ok((await page.locator('table.talkers tbody tr', { hasText: '10.10.2.10' }).count()) === 1, 'the staff device is a top talker');
  await page.screenshot({ path: join(ARTIFACTS, '25-traffic.png'), fullPage: true });

  await page.getByLabel('Device').fill('10.10.1.10');
  await page.getByRole('button', { name: 'Show' }).click();
  await settled(page);
  await row(BLOCKED).first().waitFor();
  t.equal(await row('bulk.example').count(), 0, 'filtered to one device: the other device\'s flow is gone');
  await page.getByLabel('Device').fill('not an address');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('.notice.bad', { hasText: 'not an IP address' }).waitFor();
  t.pass('a bad device filter is a clear error');

  // A viewer (a governor): pseudonyms only, and filtering by one works.
  const viewer = await run([process.execPath, '--import', 'tsx', CLI, 'user', 'add', 'gov', '--role', 'viewer', '--config', configPath], { input: `${PASSWORD}\n`, timeoutMs: 60_000 });
  t.equal(viewer.code, 0, viewer.stderr);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('User name').fill('gov');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.goto(`${ADMIN}/#/traffic`);
  await page.getByRole('heading', { name: 'Traffic', exact: true }).waitFor();
  await settled(page);
  await row('bulk.example').first().waitFor();
  const shown = await page.locator('main').innerText();
  t.notMatch(shown, /10\.10\.\d+\.\d+/, 'the viewer sees no device address');
  const pseudonym = (await row('bulk.example').first().locator('td').nth(1).innerText()).trim();
  t.match(pseudonym, /^device-[0-9a-f]{8}$/, 'but a pseudonym');
  t.notMatch(await row('bulk.example').first().locator('td').nth(3).innerText(), /port/, 'and no server address dressed as a device');
  await page.locator('table.talkers tbody tr', { hasText: pseudonym }).getByRole('button').click();
  await settled(page);
  t.equal(await page.getByLabel('Device').inputValue(), pseudonym, 'a talker filters by its pseudonym');
  t.equal(await row(BLOCKED).count(), 0, 'the other device\'s flows are gone');
  t.ok(await row('bulk.example').count() > 0, 'this device\'s flows stay');
  await page.screenshot({ path: join(ARTIFACTS, '26-traffic-viewer.png'), fullPage: true });

  t.same(dialogs, [], 'no alert() ran');
  t.same(errors.filter(unexpectedConsoleLine).filter((e) => !/status of 400/.test(e)), [], 'no script error or CSP violation');
});

t.test('dns-only mode: the page says traffic capture is off, and why', async (t) => {
  await ensureBundle();
  const gate = await startGate();
  t.teardown(() => gate.stop());
  const b = await launchBrowser();
  t.teardown(() => b.close());
  await setupTechnician(b.page, gate, 'tech');
  await b.page.goto(`${gate.admin}/#/traffic`);
  await b.page.locator('main .notice.info', { hasText: 'traffic capture is off (gateway mode with traffic.enabled)' }).waitFor();
  await settled(b.page);
  t.equal(await b.page.locator('main .notice.bad').count(), 0, 'an explanation, not an error');
  t.equal(await b.page.locator('table.flows').count(), 0, 'no empty table pretending there is no traffic');
  t.same(b.errors.filter(unexpectedConsoleLine).filter((e) => !/status of 404/.test(e)), [], 'no script error or CSP violation');
});
