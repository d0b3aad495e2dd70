// What the browser tests stand on: the real daemon (startDaemon) on loopback with small lists, a
// real upstream resolver (dnsmasq answering every allowed name with a TEST-NET address), dig as
// the pupil's client, and Debian's Chromium driven by playwright-core with a fresh profile.
// Everything binds to 127.0.0.x; nothing leaves the machine.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { REPO, startDaemon, tempDir } from '../helpers/daemon.js';
import type { RunningDaemon } from '../helpers/daemon.js';
import { DIST, UI_ROOT, buildUi } from '../../web-ui/build.js';

export const ARTIFACTS = join(REPO, 'test-artifacts', 'web-ui');
/** what the upstream answers for every name it is asked (TEST-NET-1) */
export const UPSTREAM_ANSWER = '192.0.2.10';
export const PUPIL = '127.0.0.1';
export const STAFF = '127.0.0.2';
/** a blocked name's A record points here (dns.blocking.address) */
export const BLOCK_ADDRESS = '127.0.0.1';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** dnsmasq on loopback as the school's upstream resolver. */
export async function startUpstream(): Promise<{ address: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const proc: ChildProcess = spawn('dnsmasq', ['--keep-in-foreground', '--no-resolv', '--no-hosts', '--no-poll', '--bind-interfaces',
    '--listen-address=127.0.0.1', `--port=${port}`, `--address=/#/${UPSTREAM_ANSWER}`, '--pid-file', '--user=root', '--log-facility=-'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  // dnsmasq binds before it answers; wait until it does (bounded).
  for (let i = 0; i < 50; i++) {
    if ((await dig(`127.0.0.1`, port, 'probe.test', '127.0.0.1')).answers.length > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { address: `127.0.0.1:${port}`, stop: async () => { proc.kill('SIGTERM'); await exited; } };
}

export interface DigResult {
  status: string;
  answers: string[];
  /** dig could not get an answer at all */
  timedOut: boolean;
  text: string;
}

/** dig as a client would ask, from `source` (the pupil's address). */
export function dig(server: string, port: number, name: string, source: string): Promise<DigResult> {
  return new Promise((resolve) => {
    execFile('dig', [`@${server}`, '-p', String(port), '-b', source, '+tries=1', '+time=2', '+noall', '+answer', '+comments', name, 'A'], { timeout: 10_000 }, (_err, stdout) => {
      const text = String(stdout);
      const status = /status: ([A-Z]+)/.exec(text)?.[1] ?? '';
      const answers = text.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.trim().split(/\s+/).pop() ?? '').filter(Boolean);
      resolve({ status, answers, timedOut: status === '', text });
    });
  });
}

export interface Gate {
  daemon: RunningDaemon;
  admin: string;
  blockPage: { host: string; port: number };
  dns: { host: string; port: number };
  dataDir: string;
  /** the one-time setup code the daemon printed */
  setupCode(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The pupils' games window runs on the real clock here: put it three days from today so that
 * "games blocked for pupils" holds whenever CI runs (it once ran at lunchtime).
 */
function dayNotToday(): string {
  const later = new Date(Date.now() + 3 * 86_400_000);
  return later.toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'Europe/London' }).toLowerCase();
}

/** Small lists (fast to compile): one name per category the tests use. */
function writeLists(dir: string): void {
  mkdirSync(dir, { recursive: true });
  // .example names: real social sites are on Chromium's HSTS preload list (it would insist on https).
  writeFileSync(join(dir, 'social.txt'), 'facebook.com\ninstagram.com\nphotoshare.example\n');
  writeFileSync(join(dir, 'games.txt'), 'games.example\nminecraft.net\n');
  writeFileSync(join(dir, 'locked.txt'), 'locked.example\n');
  writeFileSync(join(dir, 'deny.txt'), '');
}

export async function startGate(opts: { fourEyes?: boolean } = {}): Promise<Gate> {
  const data = tempDir('sg-webui-');
  const lists = join(data.dir, 'lists');
  writeLists(lists);
  const upstream = await startUpstream();
  const [adminPort, dnsPort, blockPort] = [await freePort(), await freePort(), await freePort()];
  const config = `
mode: dns-only
dataDir: ${data.dir}/data
timezone: Europe/London
dns:
  listen: ["127.0.0.1:${dnsPort}"]
  upstreams: ["${upstream.address}"]
  blocking: { answer: blockpage, address: ${BLOCK_ADDRESS}, ttl: 10 }
lists:
  - { name: social, format: domains, category: social_networks, source: ${lists}/social.txt }
  - { name: games, format: domains, category: games, source: ${lists}/games.txt }
  - { name: locked, format: domains, category: illegal-test, source: ${lists}/locked.txt }
  - { name: school-deny, format: domains, category: school-deny, source: ${lists}/deny.txt }
locked: [illegal-test]
reports: { list: school-deny }
schedules:
  lunch: [{ days: [${dayNotToday()}], from: "12:15", to: "13:15" }]
groups:
  - name: staff
    match: { subnets: ["${STAFF}/32"] }
    block: [illegal-test]
  - name: pupils
    match: { subnets: ["${PUPIL}/32"] }
    block: [illegal-test, social_networks, games, school-deny]
    allowDuring: { games: [lunch] }
    safeSearch: strict
  - { name: guests, default: true, block: [illegal-test] }
governance: { fourEyes: ${opts.fourEyes ? 'true' : 'false'} }
admin: { listen: ["127.0.0.1:${adminPort}"], tls: "off", blockPage: ["127.0.0.1:${blockPort}"] }
leds: { backend: virtual }
`;
  writeFileSync(join(data.dir, 'schoolgate.yaml'), config);
  let daemon: RunningDaemon;
  try {
    daemon = await startDaemon({ config });
  } catch (err) {
    await upstream.stop();
    data.cleanup();
    throw err;
  }
  const probe = await dig('127.0.0.1', dnsPort, 'www.example.org', STAFF);
  if (probe.timedOut) {
    await daemon.stop('SIGKILL');
    await upstream.stop();
    data.cleanup();
    throw new Error('the daemon does not answer DNS on dns.listen');
  }
  return {
    daemon, admin: `http://127.0.0.1:${adminPort}`, blockPage: { host: '127.0.0.1', port: blockPort }, dns: { host: '127.0.0.1', port: dnsPort }, dataDir: data.dir,
    setupCode: async () => {
      const line = await daemon.waitForLog((l) => Object.values(l).some((v) => typeof v === 'string' && SETUP_CODE.test(v)), 10_000);
      return String(Object.values(line).find((v) => typeof v === 'string' && SETUP_CODE.test(v))).match(SETUP_CODE)?.[0] ?? '';
    },
    stop: async () => {
      await daemon.stop();
      await upstream.stop();
      data.cleanup();
    },
  };
}

const SETUP_CODE = /\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/;

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** a page.on('dialog') counter: any alert() means an injection ran */
  dialogs: string[];
  /** script errors and console errors (a CSP violation shows up here) */
  errors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Debian's Chromium, headless, a fresh profile. `resolve` maps names to loopback inside the
 * browser only (what DNS does for a blocked name: its A record is the block page's address).
 */
export async function launchBrowser(opts: { resolve?: string[]; viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'sg-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
  if (opts.resolve?.length) args.push(`--host-resolver-rules=${opts.resolve.map((n) => `MAP ${n} 127.0.0.1`).join(', ')}, EXCLUDE localhost`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args, viewport: opts.viewport ?? { width: 1280, height: 900 }, timeout: 60_000,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const dialogs: string[] = [];
  context.on('page', (p) => p.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  }));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context, page, dialogs, errors,
    screenshot: async (name) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The browser tests exercise the current source: rebuild web-ui/dist when a source is newer. */
export async function ensureBundle(): Promise<void> {
  const index = join(DIST, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const src = join(UI_ROOT, 'src');
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (newest > built) await buildUi({ quiet: true });
}

/** Waits until the page's data is drawn: something in <main>, and no "Loading…" placeholder left. */
export async function settled(page: Page): Promise<void> {
  // Locators, not waitForFunction: the UI's CSP (script-src 'self') refuses the eval it needs.
  await page.locator('main > *').first().waitFor();
  await page.locator('main').getByText('Loading…').first().waitFor({ state: 'detached' });
}

/**
 * Console lines that are not faults: the 401/403s the tests provoke (wrong setup code, wrong
 * password, a viewer's refused writes), and Chromium's note that COOP needs HTTPS (the block
 * page is plain HTTP by design, and the tests run the admin UI with tls: off).
 */
export const unexpectedConsoleLine = (e: string): boolean => !/status of 40[13]|Cross-Origin-Opener-Policy header has been ignored/.test(e);

export const PASSWORD = 'correct horse battery';

/** First-run setup through the UI: the code from the daemon's log creates the technician. */
export async function setupTechnician(page: Page, gate: Gate, name: string): Promise<void> {
  await page.goto(`${gate.admin}/`);
  await page.getByLabel('Setup code').fill(await gate.setupCode());
  await page.getByLabel('Technician user name').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Password again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create the technician account' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}
