// LEDs of the kernel LED class (/sys/class/leds/<name>, made by the gpio-led overlay in
// config.txt: firmware/leds.md). The kernel does the blinking (timer, pattern and heartbeat
// triggers), so the patterns keep their rhythm while Node is busy.
//
// The power LED is the exception on purpose: it must stop when the daemon dies. It runs a
// ledtrig-pattern with a FINITE repeat count (about 10 s worth) that the daemon re-arms every
// ~3 s; if the daemon is gone, the pattern runs out and the LED ends dark. Kernels without the
// pattern trigger get the oneshot trigger, which blinks once per write from the daemon; with
// neither, the kernel heartbeat is used and the log says a dead daemon will not show.
import { open as openFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedName, LedPattern, LedStates } from '../daemon/index.js';
import { LEDS } from './led-names.js';
import type { LedsConfig } from './config.js';
import type { BackendDeps, LedBackend, LedFailure, LedResult } from './led-backend.js';
import { fileError } from './led-backend.js';
import { PATTERN_TIMING, evenBlink, periodOf } from './patterns.js';
import { PatternPlayer } from './player.js';

/** After the last re-arm, the power LED keeps its pattern this long, then goes dark. */
export const KEEPALIVE_MS = 10_000;
/** How often the daemon re-arms it (rounded to whole periods, so the rhythm does not stutter). */
export const REARM_MS = 3_000;

export type PowerMode = 'pattern' | 'oneshot' | 'plain';

/** ledtrig-pattern tuples for a blink: "brightness duration" pairs, step changes as 0-ms tuples. */
export function patternTuples(pattern: LedPattern, max: number): string {
  return PATTERN_TIMING[pattern].segments
    .map((d, i) => {
      const b = i % 2 === 0 ? max : 0;
      return `${b} ${d} ${b} 0`;
    })
    .join(' ');
}

export function keepAlive(pattern: LedPattern): { repeat: number; rearmMs: number } {
  const p = periodOf(pattern);
  return { repeat: Math.ceil(KEEPALIVE_MS / p), rearmMs: p * Math.max(1, Math.round(REARM_MS / p)) };
}

/** Triggers a `trigger` file offers: "none timer [heartbeat] pattern" → all of them, brackets off. */
export function parseTriggers(text: string): Set<string> {
  return new Set(text.split(/\s+/).filter(Boolean).map((t) => t.replace(/^\[|\]$/g, '')));
}

export function createSysfsBackend(cfg: LedsConfig, deps: BackendDeps): LedBackend & { idle(): Promise<void> } {
  const dirOf = (led: LedName) => join(cfg.sysfsRoot, 'class', 'leds', cfg.names[led]);
  const triggers = new Map<LedName, Set<string>>();
  const max = new Map<LedName, number>();
  const shown = new Map<LedName, LedPattern>();
  let powerMode: PowerMode = 'plain';
  let cancelRearm: (() => void) | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let generation = 0;

  const write = async (led: LedName, attr: string, value: string | number): Promise<void> => {
    await writeFile(join(dirOf(led), attr), String(value));
  };
  // Writes happen one after another: a re-arm never lands between a new pattern's steps.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const player = new PatternPlayer(deps.timers, (led, level) => {
    if (level === 0) return;
    void serial(() => write(led, 'shot', 1)).catch((err) => deps.onError(fileError(join(dirOf(led), 'shot'), err)));
  });

  const rearm = (pattern: LedPattern, gen: number) => {
    const { repeat, rearmMs } = keepAlive(pattern);
    cancelRearm = deps.timers.after(rearmMs, () => {
      if (gen !== generation) return;
      void serial(() => write('power', 'repeat', repeat))
        .catch((err) => deps.onError(fileError(join(dirOf('power'), 'repeat'), err)))
        .finally(() => {
          if (gen === generation) rearm(pattern, gen);
        });
    });
  };

  const apply = async (led: LedName, pattern: LedPattern): Promise<void> => {
    const m = max.get(led) ?? 1;
    const timing = PATTERN_TIMING[pattern];
    if (led === 'power') {
      generation++;
      cancelRearm?.();
      cancelRearm = undefined;
      player.remove('power');
    }
    if (timing.steady !== undefined) {
      await write(led, 'trigger', 'none');
      await write(led, 'brightness', timing.steady ? m : 0);
      return;
    }
    if (led === 'power' && powerMode === 'pattern') {
      const { repeat } = keepAlive(pattern);
      await write(led, 'trigger', 'pattern');
      await write(led, 'pattern', patternTuples(pattern, m));
      await write(led, 'repeat', repeat);
      rearm(pattern, generation);
      return;
    }
    if (led === 'power' && powerMode === 'oneshot') {
      const s = timing.segments;
      await write(led, 'trigger', 'oneshot');
      await write(led, 'invert', 0);
      await write(led, 'delay_on', s[0]);
      // a little shorter than the gap, so the next shot is never ignored as "still blinking"
      await write(led, 'delay_off', Math.max(1, Math.min(...s.filter((_, i) => i % 2 === 1)) - 20));
      player.set('power', pattern);
      return;
    }
    const even = evenBlink(pattern);
    if (even) {
      await write(led, 'trigger', 'timer');
      await write(led, 'delay_on', even.onMs);
      await write(led, 'delay_off', even.offMs);
    } else if (triggers.get(led)?.has('pattern')) {
      await write(led, 'trigger', 'pattern');
      await write(led, 'pattern', patternTuples(pattern, m));
      await write(led, 'repeat', -1);
    } else {
      await write(led, 'trigger', 'heartbeat');
    }
  };

  return {
    name: 'sysfs',
    async open(): Promise<LedResult> {
      for (const led of LEDS) {
        const dir = dirOf(led);
        try {
          triggers.set(led, parseTriggers(await readFile(join(dir, 'trigger'), 'utf8')));
          // Opening for writing is what fails when the files belong to root and we are not.
          await (await openFile(join(dir, 'brightness'), 'r+')).close();
          await (await openFile(join(dir, 'trigger'), 'r+')).close();
        } catch (err) {
          const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? ` — no kernel LED "${cfg.names[led]}": add dtoverlay=gpio-led,gpio=<pin>,label=${cfg.names[led]} to config.txt (firmware/leds.md)` : '';
          return fileError(dir, err, hint);
        }
        const m = Number((await readFile(join(dir, 'max_brightness'), 'utf8').catch(() => '1')).trim());
        max.set(led, Number.isInteger(m) && m > 0 ? m : 1);
      }
      const power = triggers.get('power') ?? new Set();
      powerMode = power.has('pattern') ? 'pattern' : power.has('oneshot') ? 'oneshot' : 'plain';
      deps.onNote(powerMode === 'plain'
        ? 'the kernel offers neither the pattern nor the oneshot LED trigger: the power LED keeps blinking if the daemon dies (systemd\'s restart is then the only guard)'
        : `power LED keep-alive: ${powerMode} trigger (it goes dark within ${KEEPALIVE_MS / 1000} s of the daemon dying)`, { powerMode });
      return { ok: true };
    },
    show(states: LedStates): Promise<LedResult> {
      return serial(async () => {
        let failure: LedFailure | undefined;
        for (const led of LEDS) {
          const pattern = states[led].pattern;
          if (shown.get(led) === pattern) continue;
          try {
            await apply(led, pattern);
            shown.set(led, pattern);
          } catch (err) {
            shown.delete(led);
            failure ??= fileError(dirOf(led), err);
          }
        }
        return failure ?? { ok: true };
      });
    },
    async close() {
      generation++;
      cancelRearm?.();
      player.stop();
      await serial(async () => {
        for (const led of LEDS) {
          await write(led, 'trigger', 'none').catch(() => undefined);
          await write(led, 'brightness', 0).catch(() => undefined);
        }
      });
      shown.clear();
    },
    /** resolves once every write started so far (re-arms, shots) has reached the files */
    async idle() {
      await queue;
    },
  };
}
