// The gpio backend in the real daemon, against a fake GPIO tree. onoff always opens
// /sys/class/gpio, so the daemon runs in a private mount namespace (`unshare -m`) with the fake
// `class` folder bind-mounted over /sys/class: the OS boundary is faked, our code is not.
// Permission errors come from dropping the capability that lets root ignore file modes.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO, startDaemon, tempDir } from '../helpers/daemon.js';
import type { RunningDaemon } from '../helpers/daemon.js';
import { until } from '../lab/exec.js';
import { PI4_NEW, PI5, fakeGpioTree, ledDaemonYaml, readOnly } from './fake-sysfs.js';

const PINS = { power: 17, wan: 27, filter: 22, alert: 23 };

const yaml = (dir: string) => ledDaemonYaml(dir, `{ backend: gpio, pins: { power: ${PINS.power}, wan: ${PINS.wan}, filter: ${PINS.filter}, alert: ${PINS.alert} } }`);

/** the daemon in its own mount namespace, the fake tree over /sys/class, optionally without DAC override */
const inFakeSys = (root: string, dropDac = false): string[] => [
  'unshare', '-m', 'sh', '-c',
  `mount --bind "${join(root, 'class')}" /sys/class && exec ${dropDac ? 'setpriv --bounding-set=-dac_override,-dac_read_search ' : ''}"$@"`, 'sh',
];

const value = (root: string, n: number) => readFileSync(join(root, 'class', 'gpio', `gpio${n}`, 'value'), 'utf8')[0];

async function sample(root: string, gpios: Record<string, number>, ms: number): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = Object.fromEntries(Object.keys(gpios).map((k) => [k, []]));
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const [k, n] of Object.entries(gpios)) out[k].push(value(root, n));
    await new Promise((r) => setTimeout(r, 10));
  }
  return out;
}

const rises = (s: string[]) => s.filter((v, i) => i > 0 && v === '1' && s[i - 1] === '0').length;

const lastLeds = (d: RunningDaemon) => d.logs.filter((l) => l.msg === 'LEDs changed').at(-1)?.leds as Record<string, { pattern: string; why: string }> | undefined;

async function addAdmin(configText: string, dir: string): Promise<void> {
  const path = join(dir, 'cli.yaml');
  writeFileSync(path, configText);
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'user', 'add', 'admin', '--role', 'technician', '--config', path], { cwd: REPO, stdio: ['pipe', 'ignore', 'inherit'] });
  child.stdin.end('a long enough password\n');
  const code = await new Promise((r) => child.once('close', r));
  if (code !== 0) throw new Error(`user add exited ${code}`);
}

t.test('Pi 5 numbering: onoff drives gpio588…, the patterns blink, kill -9 stops the heartbeat', async (t) => {
  const d = tempDir('sg-gpio-');
  t.teardown(d.cleanup);
  const gpio = { power: 571 + 17, wan: 571 + 27, filter: 571 + 22, alert: 571 + 23 };
  fakeGpioTree(d.dir, PI5, Object.values(gpio));
  const config = yaml(d.dir);
  const daemon = await startDaemon({ config, wrap: inFakeSys(d.dir) });
  t.teardown(() => daemon.stop('SIGKILL'));
  const ready = await daemon.waitForLog((l) => l.msg === 'gpio LEDs ready');
  t.match(ready, { chip: 'pinctrl-rp1', base: 571, gpios: gpio });
  for (const n of Object.values(gpio)) t.equal(readFileSync(join(d.dir, 'class', 'gpio', `gpio${n}`, 'direction'), 'utf8'), 'out', `gpio${n} is an output`);

  await addAdmin(config, d.dir);
  t.ok(await until(() => lastLeds(daemon)?.power.pattern === 'heartbeat' && lastLeds(daemon)?.wan.pattern === 'fast-blink', 15_000), 'set up (heartbeat) and WAN down (nothing answers on 127.0.0.1:9)');
  t.match(lastLeds(daemon), { power: { pattern: 'heartbeat' }, wan: { pattern: 'fast-blink' }, filter: { pattern: 'on' }, alert: { pattern: 'off' } });

  const s = await sample(d.dir, gpio, 3000);
  t.ok(rises(s.power) >= 4 && rises(s.power) <= 8, `power: two beats a second (${rises(s.power)} in 3 s)`);
  t.ok(rises(s.wan) >= 8 && rises(s.wan) <= 14, `wan: fast blink, 4 Hz (${rises(s.wan)} in 3 s)`);
  t.same([...new Set(s.filter)], ['1'], 'filter: steadily on');
  t.same([...new Set(s.alert)], ['0'], 'alert: off');

  await daemon.stop('SIGKILL');
  const after = await sample(d.dir, { power: gpio.power }, 1500);
  t.equal(rises(after.power), 0, 'the daemon is dead: the power LED no longer beats (the pin is frozen)');
});

t.test('Pi 4, kernel 6.6 numbering (base 512); a clean stop turns the LEDs off and releases the pins', async (t) => {
  const d = tempDir('sg-gpio-');
  t.teardown(d.cleanup);
  const gpio = { power: 512 + 17, wan: 512 + 27, filter: 512 + 22, alert: 512 + 23 };
  fakeGpioTree(d.dir, PI4_NEW, Object.values(gpio));
  const daemon = await startDaemon({ config: yaml(d.dir), wrap: inFakeSys(d.dir) });
  t.teardown(() => daemon.stop('SIGKILL'));
  t.match(await daemon.waitForLog((l) => l.msg === 'gpio LEDs ready'), { chip: 'pinctrl-bcm2711', base: 512, gpios: gpio });
  t.ok(await until(() => value(d.dir, gpio.filter) === '1', 10_000), 'filter lit');
  t.equal(await daemon.stop('SIGTERM'), 0);
  for (const n of Object.values(gpio)) t.equal(value(d.dir, n), '0', `gpio${n} off`);
  t.match(readFileSync(join(d.dir, 'class', 'gpio', 'unexport'), 'utf8'), /^5\d\d$/, 'pins handed back (unexport)');
});

t.test('GPIO not accessible: a clear error, and the daemon keeps running with LEDs degraded', async (t) => {
  const d = tempDir('sg-gpio-');
  t.teardown(d.cleanup);
  const gpio = { power: 529, wan: 539, filter: 534, alert: 535 };
  fakeGpioTree(d.dir, PI4_NEW, Object.values(gpio));
  for (const n of Object.values(gpio)) readOnly(d.dir, 'class', 'gpio', `gpio${n}`, 'value');
  readOnly(d.dir, 'class', 'gpio', 'export');
  const daemon = await startDaemon({ config: yaml(d.dir), wrap: inFakeSys(d.dir, true) });
  t.teardown(() => daemon.stop('SIGKILL'));
  const err = await daemon.waitForLog((l) => l.msg === 'LEDs degraded: the states are shown in the log and the admin UI only');
  t.match(err, { level: 'error', code: 'SG_LED_ACCESS', backend: 'gpio' });
  t.match(String(err.err), /gpio529 \(BCM 17, power LED\).*EACCES.*permission denied: run schoolgate as root, or give its user the gpio/);
  t.ok(daemon.logs.some((l) => l.msg === 'ready'), 'the daemon is ready');
  t.ok(await until(() => lastLeds(daemon)?.filter.why === 'filtering, lists current', 10_000), 'the states go on in the log');
  t.equal(daemon.proc.exitCode, null, 'still running');
  t.equal(await daemon.stop('SIGTERM'), 0, 'and stops cleanly');
});
