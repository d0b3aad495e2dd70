import t from 'tap';
import { LED_NAMES } from '../../src/daemon/index.js';
import type { LedName, LedPattern } from '../../src/daemon/index.js';
import { LEDS, PATTERN_TIMING, PatternPlayer, levelAt, nextEdgeIn, periodOf } from '../../src/leds/index.js';
import { FakeClock } from './fake-clock.js';

t.test('the LED list agrees with the daemon contract', async (t) => {
  t.same([...LEDS], [...LED_NAMES]);
});

const levels: { name: string; pattern: LedPattern; at: number; level: 0 | 1; next?: number }[] = [
  { name: 'off stays off', pattern: 'off', at: 12_345, level: 0 },
  { name: 'on stays on', pattern: 'on', at: 12_345, level: 1 },
  { name: 'slow blink starts lit', pattern: 'slow-blink', at: 0, level: 1, next: 1000 },
  { name: 'slow blink dark in its second half', pattern: 'slow-blink', at: 1500, level: 0, next: 500 },
  { name: 'slow blink repeats', pattern: 'slow-blink', at: 4200, level: 1, next: 800 },
  { name: 'fast blink lit', pattern: 'fast-blink', at: 100, level: 1, next: 25 },
  { name: 'fast blink dark', pattern: 'fast-blink', at: 130, level: 0, next: 120 },
  { name: 'heartbeat first beat', pattern: 'heartbeat', at: 10, level: 1, next: 70 },
  { name: 'heartbeat between beats', pattern: 'heartbeat', at: 150, level: 0, next: 50 },
  { name: 'heartbeat second beat', pattern: 'heartbeat', at: 230, level: 1, next: 50 },
  { name: 'heartbeat rest', pattern: 'heartbeat', at: 500, level: 0, next: 500 },
  { name: 'heartbeat at a boundary moves to the next edge', pattern: 'heartbeat', at: 1000, level: 1, next: 80 },
];
for (const c of levels) {
  t.test(c.name, async (t) => {
    t.equal(levelAt(c.pattern, c.at), c.level);
    t.equal(nextEdgeIn(c.pattern, c.at), c.next);
  });
}

t.test('periods', async (t) => {
  t.equal(periodOf('heartbeat'), 1000);
  t.equal(periodOf('slow-blink'), 2000);
  t.equal(periodOf('fast-blink'), 250);
  t.equal(PATTERN_TIMING.on.steady, 1);
});

function record(clock: FakeClock) {
  const writes: { led: LedName; level: 0 | 1; at: number }[] = [];
  const player = new PatternPlayer(clock, (led, level) => writes.push({ led, level, at: clock.now() }));
  return { writes, player };
}

t.test('the player drives a heartbeat with the fake clock, edge by edge', async (t) => {
  const clock = new FakeClock(0);
  const { writes, player } = record(clock);
  player.set('power', 'heartbeat');
  clock.advance(2000);
  t.same(writes.map((w) => [w.at, w.level]), [
    [0, 1], [80, 0], [200, 1], [280, 0],
    [1000, 1], [1080, 0], [1200, 1], [1280, 0],
    [2000, 1],
  ]);
  player.stop();
  clock.advance(5000);
  t.equal(writes.length, 9, 'nothing after stop');
  t.equal(clock.timers, 0, 'no timer left behind');
});

t.test('steady patterns write once and keep no timer', async (t) => {
  const clock = new FakeClock(0);
  const { writes, player } = record(clock);
  player.set('wan', 'on');
  player.set('alert', 'off');
  clock.advance(10_000);
  t.same(writes.map((w) => [w.led, w.level]), [['wan', 1], ['alert', 0]]);
  t.equal(clock.timers, 0);
});

t.test('several LEDs share one timer and keep their own phase', async (t) => {
  const clock = new FakeClock(0);
  const { writes, player } = record(clock);
  player.set('wan', 'slow-blink');
  clock.advance(500);
  player.set('alert', 'fast-blink');
  clock.advance(1000);
  const wan = writes.filter((w) => w.led === 'wan').map((w) => [w.at, w.level]);
  const alert = writes.filter((w) => w.led === 'alert').map((w) => w.at);
  t.same(wan, [[0, 1], [1000, 0]]);
  t.same(alert, [500, 625, 750, 875, 1000, 1125, 1250, 1375, 1500]);
  t.equal(clock.timers, 1, 'one timer for every LED');
});

t.test('a changed pattern restarts from its beginning', async (t) => {
  const clock = new FakeClock(0);
  const { writes, player } = record(clock);
  player.set('filter', 'on');
  clock.advance(300);
  player.set('filter', 'slow-blink');
  clock.advance(1000);
  t.same(writes.map((w) => [w.at, w.level]), [[0, 1], [1300, 0]], 'still lit at the change (no needless write), dark 1 s later');
});

t.test('a late timer does not drift the rhythm: levels follow the clock', async (t) => {
  const writes: [number, 0 | 1][] = [];
  let now = 0;
  let due: { at: number; fn: () => void } | undefined;
  // Timers that always fire 30 ms late, like a busy event loop.
  const late = { now: () => now, after: (ms: number, fn: () => void) => { due = { at: now + ms + 30, fn }; return () => { due = undefined; }; } };
  const player = new PatternPlayer(late, (_led, level) => writes.push([now, level]));
  player.set('wan', 'slow-blink');
  for (let i = 0; i < 4 && due; i++) {
    now = due.at;
    due.fn();
  }
  t.same(writes, [[0, 1], [1030, 0], [2030, 1], [3030, 0], [4030, 1]], 'each edge 30 ms late, never more');
  player.stop();
});
