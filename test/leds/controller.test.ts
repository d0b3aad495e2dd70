// The LED controller: the boot sweep on a fake clock, then the health states; hardware that is
// not there leaves the daemon running with the states in the log and the UI.
import t from 'tap';
import { pino } from 'pino';
import type { LedStates } from '../../src/daemon/index.js';
import { LedController, SELF_TEST, SELF_TEST_MS, allLeds, createVirtualBackend } from '../../src/leds/index.js';
import type { LedsConfig } from '../../src/leds/index.js';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/daemon.js';
import { until } from '../lab/exec.js';
import { FakeClock } from './fake-clock.js';
import { attr, fakeLedTree } from './fake-sysfs.js';

function logger() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>); } });
  return { log, lines };
}

const config = (patch: Partial<LedsConfig> = {}): LedsConfig => ({
  backend: 'virtual', pins: { power: 17, wan: 27, filter: 22, alert: 23 },
  names: { power: 'a', wan: 'b', filter: 'c', alert: 'd' }, path: '/nonexistent', sysfsRoot: '/sys', activeLow: false, selfTest: true, ...patch,
});

const live: LedStates = {
  power: { pattern: 'heartbeat', why: 'schoolgate is running' },
  wan: { pattern: 'on', why: 'internet up' },
  filter: { pattern: 'slow-blink', why: '1 override in force' },
  alert: { pattern: 'off', why: 'nothing needs attention' },
};

t.test('self-test sweep, each LED alone then all, then the health states', async (t) => {
  const clock = new FakeClock(0);
  const shown: [number, string][] = [];
  const backend = createVirtualBackend();
  const { log } = logger();
  const c = new LedController({ config: config(), timers: clock, log, backend, onShown: (s) => shown.push([clock.now(), `${s.power.pattern}/${s.wan.pattern}/${s.filter.pattern}/${s.alert.pattern}`]) });
  await c.start();
  t.equal(c.status().selfTest, true);
  clock.advance(500);
  c.set(live); // the first health check lands during the sweep: it waits for the sweep
  clock.advance(SELF_TEST_MS);
  t.same(shown, [
    [0, 'on/off/off/off'],
    [300, 'off/on/off/off'],
    [600, 'off/off/on/off'],
    [900, 'off/off/off/on'],
    [1200, 'on/on/on/on'],
    [1800, 'heartbeat/on/slow-blink/off'],
  ]);
  t.equal(SELF_TEST_MS, 1800);
  t.equal(SELF_TEST.length, 5);
  t.same(c.shown(), live, 'leds() is what the backend was handed');
  t.same(backend.current(), live);
  t.equal(c.status().selfTest, false);
  const before = shown.length;
  c.set({ ...live });
  t.equal(shown.length, before, 'the same states again: no change event');
  await c.stop();
});

t.test('without the self-test the states show at once', async (t) => {
  const clock = new FakeClock(0);
  const { log } = logger();
  const c = new LedController({ config: config({ selfTest: false }), timers: clock, log, onShown: () => undefined });
  await c.start();
  c.set(live);
  t.same(c.shown(), live);
  await c.stop();
});

t.test('LED hardware missing: a clear error, and the states go on in the log and the UI', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const clock = new FakeClock(0);
  const { log, lines } = logger();
  const shown: LedStates[] = [];
  const c = new LedController({ config: config({ backend: 'sysfs', sysfsRoot: d.dir, selfTest: false }), timers: clock, log, onShown: (s) => shown.push(s) });
  await c.start();
  c.set(live);
  const st = c.status();
  t.equal(st.ok, false);
  t.equal(st.backend, 'sysfs');
  t.equal(st.error?.code, 'SG_LED_MISSING');
  t.match(st.error?.message, /no kernel LED "a": add dtoverlay=gpio-led/);
  t.same(c.shown(), live, 'states still kept');
  t.same(shown.at(-1), live);
  const errors = lines.filter((l) => l.msg === 'LEDs degraded: the states are shown in the log and the admin UI only');
  t.equal(errors.length, 1, 'said once');
  await c.stop();
});

t.test('the first states are "starting", all off', async (t) => {
  const { log } = logger();
  const c = new LedController({ config: config(), timers: new FakeClock(0), log, onShown: () => undefined });
  t.same(c.shown(), allLeds('off', 'schoolgate is starting'));
});

t.test('a failed write is tried again at the next health check, and recovery is said', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const names = { power: 'p', wan: 'w', filter: 'f', alert: 'a' };
  fakeLedTree(d.dir, Object.values(names));
  const blocker = join(d.dir, 'class', 'leds', 'f', 'delay_on');
  mkdirSync(blocker);
  const { log, lines } = logger();
  const events: LedStates[] = [];
  const c = new LedController({ config: config({ backend: 'sysfs', sysfsRoot: d.dir, names, selfTest: false }), timers: new FakeClock(0), log, onShown: (s) => events.push(s) });
  await c.start();
  c.set(live);
  t.ok(await until(() => c.status().ok === false, 2000, 10), 'degraded');
  t.match(c.status().error, { code: 'SG_LED_WRITE', message: /delay_on/ });
  rmSync(blocker, { recursive: true });
  c.set(live);
  t.ok(await until(() => c.status().ok, 2000, 10), 'recovered');
  t.equal(attr(d.dir, 'class', 'leds', 'f', 'delay_on'), '1000', 'the filter LED blinks now');
  t.equal(events.length, 1, 'the retry is not a change of states');
  t.ok(lines.some((l) => l.msg === 'LEDs recovered'));
  await c.stop();
});
