// The kernel LED class backend against fake /sys trees: which triggers, delays and patterns it
// writes, and the power LED's keep-alive (a finite ledtrig-pattern the daemon re-arms).
import t from 'tap';
import type { Test } from 'tap';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LedPattern, LedStates } from '../../src/daemon/index.js';
import { KEEPALIVE_MS, createSysfsBackend, keepAlive, patternTuples, periodOf } from '../../src/leds/index.js';
import type { LedFailure, LedsConfig } from '../../src/leds/index.js';
import { tempDir } from '../helpers/daemon.js';
import { FakeClock } from './fake-clock.js';
import { attr, fakeLedTree } from './fake-sysfs.js';

const NAMES = { power: 'sg-power', wan: 'sg-wan', filter: 'sg-filter', alert: 'sg-alert' };

function setup(t: Test, triggers?: string, maxBrightness?: number) {
  const d = tempDir('sg-sysfs-');
  t.teardown(d.cleanup);
  fakeLedTree(d.dir, Object.values(NAMES), triggers, maxBrightness);
  const cfg: LedsConfig = { backend: 'sysfs', pins: { power: 17, wan: 27, filter: 22, alert: 23 }, names: NAMES, path: '', sysfsRoot: d.dir, activeLow: false, selfTest: false };
  const clock = new FakeClock(0);
  const errors: LedFailure[] = [];
  const notes: string[] = [];
  const backend = createSysfsBackend(cfg, { timers: clock, onError: (e) => errors.push(e), onNote: (m) => notes.push(m) });
  const led = (name: keyof typeof NAMES, a: string) => attr(d.dir, 'class', 'leds', NAMES[name], a);
  const put = (name: keyof typeof NAMES, a: string, v: string) => writeFileSync(join(d.dir, 'class', 'leds', NAMES[name], a), v);
  return { dir: d.dir, backend, clock, errors, notes, led, put };
}

const states = (p: Partial<Record<keyof typeof NAMES, LedPattern>>): LedStates => ({
  power: { pattern: p.power ?? 'off', why: '' },
  wan: { pattern: p.wan ?? 'off', why: '' },
  filter: { pattern: p.filter ?? 'off', why: '' },
  alert: { pattern: p.alert ?? 'off', why: '' },
});

t.test('triggers and delays written as the kernel expects them', async (t) => {
  const s = setup(t);
  t.same(await s.backend.open(), { ok: true });
  t.match(s.notes[0], /pattern trigger/);
  t.same(await s.backend.show(states({ power: 'heartbeat', wan: 'on', filter: 'slow-blink', alert: 'fast-blink' })), { ok: true });
  t.equal(s.led('wan', 'trigger'), 'none');
  t.equal(s.led('wan', 'brightness'), '1', 'steady on: max_brightness');
  t.equal(s.led('filter', 'trigger'), 'timer');
  t.equal(s.led('filter', 'delay_on'), '1000');
  t.equal(s.led('filter', 'delay_off'), '1000');
  t.equal(s.led('alert', 'trigger'), 'timer');
  t.equal(s.led('alert', 'delay_on'), '125');
  t.equal(s.led('alert', 'delay_off'), '125');
  t.equal(s.led('power', 'trigger'), 'pattern');
  t.equal(s.led('power', 'pattern'), '1 80 1 0 0 120 0 0 1 80 1 0 0 720 0 0', 'step changes as zero-time tuples (ABI: sysfs-class-led-trigger-pattern)');
  t.equal(s.led('power', 'repeat'), String(KEEPALIVE_MS / 1000), 'finite: 10 heartbeats');
  await s.backend.show(states({ power: 'heartbeat', wan: 'off', filter: 'slow-blink', alert: 'fast-blink' }));
  t.equal(s.led('wan', 'brightness'), '0');
  t.same(s.errors, []);
  await s.backend.close();
});

t.test('brightness follows max_brightness', async (t) => {
  const s = setup(t, undefined, 255);
  await s.backend.open();
  await s.backend.show(states({ wan: 'on', power: 'slow-blink' }));
  t.equal(s.led('wan', 'brightness'), '255');
  t.equal(s.led('power', 'pattern'), '255 1000 255 0 0 1000 0 0');
  await s.backend.close();
});

t.test('a heartbeat on another LED runs forever (repeat -1): only power needs the keep-alive', async (t) => {
  const s = setup(t);
  await s.backend.open();
  await s.backend.show(states({ alert: 'heartbeat' }));
  t.equal(s.led('alert', 'trigger'), 'pattern');
  t.equal(s.led('alert', 'repeat'), '-1');
  await s.backend.close();
});

// What ledtrig-pattern does with what we wrote (its ABI document): steps through the tuples,
// `repeat` times, then stops and leaves the LED at the last brightness it set.
function kernelBrightness(tuples: string, repeat: number, msSinceArm: number): number {
  const n = tuples.split(' ').map(Number);
  const steps: [number, number][] = [];
  for (let i = 0; i < n.length; i += 2) steps.push([n[i], n[i + 1]]);
  const period = steps.reduce((a, [, d]) => a + d, 0);
  if (msSinceArm >= repeat * period) return steps[steps.length - 1][0];
  let at = msSinceArm % period;
  for (const [b, d] of steps) {
    if (d > 0 && at < d) return b;
    at -= d;
  }
  return steps[steps.length - 1][0];
}

t.test('keep-alive: re-armed while the daemon lives, dark within 10 s once it is gone', async (t) => {
  const s = setup(t);
  await s.backend.open();
  await s.backend.show(states({ power: 'heartbeat' }));
  const { repeat, rearmMs } = keepAlive('heartbeat');
  t.equal(rearmMs, 3000, 're-armed every 3 heartbeats');
  t.ok(repeat * periodOf('heartbeat') > rearmMs * 2, 'two re-arms may be missed (a busy daemon) before it goes dark');
  for (let i = 0; i < 3; i++) {
    s.put('power', 'repeat', 'spent');
    s.clock.advance(rearmMs - 1);
    await s.backend.idle();
    t.equal(s.led('power', 'repeat'), 'spent', `not before ${rearmMs} ms`);
    s.clock.advance(1);
    await s.backend.idle();
    t.equal(s.led('power', 'repeat'), String(repeat), `re-armed (${i + 1})`);
  }
  // The daemon dies right after a re-arm: the kernel plays out what it has, then the LED is dark.
  const tuples = s.led('power', 'pattern');
  t.equal(kernelBrightness(tuples, repeat, 10), 1, 'beating just after the re-arm');
  t.equal(kernelBrightness(tuples, repeat, rearmMs * 2 + 10), 1, 'still beating through two missed re-arms');
  for (const ms of [KEEPALIVE_MS, KEEPALIVE_MS + 80, KEEPALIVE_MS + 5000]) t.equal(kernelBrightness(tuples, repeat, ms), 0, `dark ${ms} ms after the last re-arm`);
  await s.backend.close();
  s.put('power', 'repeat', 'spent');
  s.clock.advance(10_000);
  await s.backend.idle();
  t.equal(s.led('power', 'repeat'), 'spent', 'closed: no more re-arms');
  t.equal(s.clock.timers, 0);
});

t.test('a new power pattern replaces the old keep-alive', async (t) => {
  const s = setup(t);
  await s.backend.open();
  await s.backend.show(states({ power: 'heartbeat' }));
  s.clock.advance(1000);
  await s.backend.show(states({ power: 'slow-blink' }));
  t.equal(s.led('power', 'repeat'), '5', 'slow blink: 5 × 2 s');
  const slow = keepAlive('slow-blink');
  t.equal(slow.rearmMs, 4000, 'whole periods: every 2 slow blinks');
  s.put('power', 'repeat', 'spent');
  s.clock.advance(slow.rearmMs - 1);
  await s.backend.idle();
  t.equal(s.led('power', 'repeat'), 'spent', 'the heartbeat\'s re-arm (due at 3000) is gone');
  s.clock.advance(1);
  await s.backend.idle();
  t.equal(s.led('power', 'repeat'), '5', 'slow blink re-armed');
  t.equal(s.clock.timers, 1, 'one re-arm timer');
  await s.backend.close();
});

t.test('no pattern trigger: oneshot, one blink per write from the daemon', async (t) => {
  const s = setup(t, 'none timer oneshot heartbeat default-on');
  await s.backend.open();
  t.match(s.notes[0], /oneshot/);
  await s.backend.show(states({ power: 'heartbeat' }));
  await s.backend.idle();
  t.equal(s.led('power', 'trigger'), 'oneshot');
  t.equal(s.led('power', 'invert'), '0', 'normally off: a dead daemon leaves it dark');
  t.equal(s.led('power', 'delay_on'), '80');
  t.equal(s.led('power', 'delay_off'), '100', 'shorter than the 120 ms gap, so the second beat is not ignored');
  const shots: number[] = [];
  for (let ms = 0; ms <= 2000; ms += 10) {
    if (s.led('power', 'shot') === '1') {
      shots.push(s.clock.now());
      s.put('power', 'shot', '');
    }
    s.clock.advance(10);
    await s.backend.idle();
  }
  t.same(shots, [0, 200, 1000, 1200, 2000], 'lub-dub once a second');
  await s.backend.close();
});

t.test('neither pattern nor oneshot: the kernel heartbeat, and the log says what that costs', async (t) => {
  const s = setup(t, 'none timer heartbeat');
  await s.backend.open();
  t.match(s.notes[0], /keeps blinking if the daemon dies/);
  await s.backend.show(states({ power: 'heartbeat' }));
  t.equal(s.led('power', 'trigger'), 'heartbeat');
  await s.backend.close();
});

t.test('a missing LED: the overlay line that would make it', async (t) => {
  const s = setup(t);
  rmSync(join(s.dir, 'class', 'leds', NAMES.alert), { recursive: true });
  const r = await s.backend.open();
  t.match(r, { ok: false, code: 'SG_LED_MISSING', message: /dtoverlay=gpio-led,gpio=<pin>,label=sg-alert/ });
});

t.test('a write that fails is reported, and the other LEDs are still set', async (t) => {
  const s = setup(t);
  await s.backend.open();
  const delay = join(s.dir, 'class', 'leds', NAMES.filter, 'delay_on');
  mkdirSync(delay);
  const r = await s.backend.show(states({ filter: 'slow-blink', alert: 'on' }));
  t.match(r, { ok: false, code: 'SG_LED_WRITE', message: /sg-filter/ });
  t.equal(s.led('alert', 'brightness'), '1');
  rmSync(delay, { recursive: true });
  t.same(await s.backend.show(states({ filter: 'slow-blink', alert: 'on' })), { ok: true }, 'tried again on the next show');
  t.equal(s.led('filter', 'delay_on'), '1000');
  await s.backend.close();
});

t.test('close: every LED off, triggers cleared', async (t) => {
  const s = setup(t);
  await s.backend.open();
  await s.backend.show(states({ power: 'heartbeat', wan: 'on', filter: 'fast-blink', alert: 'on' }));
  await s.backend.close();
  for (const l of ['power', 'wan', 'filter', 'alert'] as const) {
    t.equal(s.led(l, 'trigger'), 'none');
    t.equal(s.led(l, 'brightness'), '0');
  }
});

t.test('tuples for every blink', async (t) => {
  t.equal(patternTuples('fast-blink', 1), '1 125 1 0 0 125 0 0');
  t.equal(patternTuples('on', 1), '', 'steady patterns are not patterns');
});
