// The sysfs (kernel LED class) backend in the real daemon, against a fake /sys tree
// (leds.sysfsRoot): the power LED's keep-alive lives only as long as the daemon does, and LED
// files the daemon may not write leave it running with the LEDs degraded.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, tempDir } from '../helpers/daemon.js';
import { until } from '../lab/exec.js';
import { attr, fakeLedTree, ledDaemonYaml, readOnly } from './fake-sysfs.js';

const NAMES = ['schoolgate-power', 'schoolgate-wan', 'schoolgate-filter', 'schoolgate-alert'];

const yaml = (dir: string) => ledDaemonYaml(dir, `{ backend: sysfs, sysfsRoot: ${dir}/sys }`);

t.test('keep-alive: the daemon re-arms the power LED\'s finite pattern; killed, it stops', async (t) => {
  const d = tempDir('sg-leds-');
  t.teardown(d.cleanup);
  const sys = join(d.dir, 'sys');
  fakeLedTree(sys, NAMES);
  const power = (a: string) => attr(sys, 'class', 'leds', 'schoolgate-power', a);
  const daemon = await startDaemon({ config: yaml(d.dir) });
  t.teardown(() => daemon.stop('SIGKILL'));
  t.match(await daemon.waitForLog((l) => typeof l.powerMode === 'string'), { powerMode: 'pattern', msg: /goes dark within 10 s of the daemon dying/ });
  // No admin yet: power slow-blinks (5 × 2 s = 10 s of pattern per arm).
  t.ok(await until(() => power('trigger') === 'pattern' && power('pattern') === '1 1000 1 0 0 1000 0 0', 10_000), 'power: finite slow-blink pattern');
  t.equal(power('repeat'), '5');
  t.equal(attr(sys, 'class', 'leds', 'schoolgate-filter', 'brightness'), '1', 'filter on');
  // The upstream refuses: once the probes' hysteresis has passed, the WAN LED blinks (by the kernel).
  t.ok(await until(() => attr(sys, 'class', 'leds', 'schoolgate-wan', 'trigger') === 'timer', 10_000, 50), 'wan: the kernel blinks it');

  const repeat = join(sys, 'class', 'leds', 'schoolgate-power', 'repeat');
  writeFileSync(repeat, 'spent');
  t.ok(await until(() => power('repeat') === '5', 6000, 50), 'the living daemon re-arms it (every 4 s)');
  await daemon.stop('SIGKILL');
  writeFileSync(repeat, 'spent');
  await new Promise((r) => setTimeout(r, 5000));
  t.equal(power('repeat'), 'spent', 'dead: nobody re-arms it, so the kernel lets the pattern run out and the LED goes dark');
});

t.test('LED files not writable: a clear error, the daemon keeps running with LEDs degraded', async (t) => {
  const d = tempDir('sg-leds-');
  t.teardown(d.cleanup);
  const sys = join(d.dir, 'sys');
  fakeLedTree(sys, NAMES);
  for (const n of NAMES) {
    readOnly(sys, 'class', 'leds', n, 'brightness');
    readOnly(sys, 'class', 'leds', n, 'trigger');
  }
  const daemon = await startDaemon({ config: yaml(d.dir), wrap: ['setpriv', '--bounding-set=-dac_override,-dac_read_search'] });
  t.teardown(() => daemon.stop('SIGKILL'));
  const err = await daemon.waitForLog((l) => l.msg === 'LEDs degraded: the states are shown in the log and the admin UI only');
  t.match(err, { code: 'SG_LED_ACCESS', backend: 'sysfs' });
  t.match(String(err.err), /schoolgate-power.*EACCES.*permission denied/);
  t.ok(await until(() => daemon.logs.some((l) => l.msg === 'LEDs changed' && (l.leds as { filter: { why: string } }).filter.why === 'filtering, lists current'), 10_000), 'states go on in the log');
  t.equal(attr(sys, 'class', 'leds', 'schoolgate-filter', 'brightness'), '0', 'nothing written');
  t.equal(daemon.proc.exitCode, null, 'still running');
  t.equal(await daemon.stop('SIGTERM'), 0);
});
