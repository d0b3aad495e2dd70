// LEDs on plain GPIO pins through onoff (sysfs GPIO). The pins cannot blink by themselves, so the
// pattern player toggles them from Node; when the daemon dies or hangs the pins freeze, and the
// power LED's heartbeat stops with it (the watchdog behaviour the card promises).
import { resolve } from 'node:path';
import type { Gpio as OnoffGpio } from 'onoff';
import type { LedName, LedPattern, LedStates } from '../daemon/index.js';
import { LEDS } from './led-names.js';
import type { LedsConfig } from './config.js';
import type { BackendDeps, LedBackend, LedResult } from './led-backend.js';
import { fileError } from './led-backend.js';
import { mapPins } from './gpio-numbering.js';
import { PatternPlayer } from './player.js';

interface Pin {
  writeSync(value: 0 | 1): void;
  unexport(): void;
}

export function createGpioBackend(cfg: LedsConfig, deps: BackendDeps): LedBackend {
  const pins = new Map<LedName, Pin>();
  const shown = new Map<LedName, LedPattern>();
  let player: PatternPlayer | undefined;
  const where = (led: LedName, n: number) => `/sys/class/gpio/gpio${n} (BCM ${cfg.pins[led]}, ${led} LED)`;

  const release = () => {
    player?.stop();
    player = undefined;
    for (const pin of pins.values()) {
      try {
        pin.writeSync(0);
        pin.unexport();
      } catch {
        // releasing what we hold; a pin that cannot be written is released anyway
      }
    }
    pins.clear();
    shown.clear();
  };

  return {
    name: 'gpio',
    async open(): Promise<LedResult> {
      if (resolve(cfg.sysfsRoot) !== '/sys') {
        return { ok: false, code: 'SG_LED_CONFIG', message: `the gpio backend drives pins with onoff, which always opens /sys/class/gpio: leds.sysfsRoot (${cfg.sysfsRoot}) must be /sys` };
      }
      const map = await mapPins(cfg.sysfsRoot, cfg.pins);
      if (!map.ok) return map;
      let Gpio: typeof OnoffGpio;
      try {
        // Loaded only here: onoff pulls in the epoll addon, which no other backend needs.
        ({ Gpio } = await import('onoff'));
      } catch (err) {
        return { ok: false, code: 'SG_LED_MISSING', message: `the onoff module does not load: ${(err as Error).message}` };
      }
      for (const led of LEDS) {
        const n = map.numbers[led];
        try {
          pins.set(led, new Gpio(n, 'out', 'none', { activeLow: cfg.activeLow }));
        } catch (err) {
          release();
          return fileError(where(led, n), err);
        }
      }
      player = new PatternPlayer(deps.timers, (led, level) => {
        try {
          pins.get(led)?.writeSync(level);
        } catch (err) {
          deps.onError(fileError(where(led, map.numbers[led]), err));
        }
      });
      deps.onNote('gpio LEDs ready', { chip: map.chip.label, base: map.chip.base, gpios: map.numbers });
      return { ok: true };
    },
    async show(states: LedStates): Promise<LedResult> {
      if (!player) return { ok: false, code: 'SG_LED_CONFIG', message: 'gpio backend not open' };
      for (const led of LEDS) {
        if (shown.get(led) === states[led].pattern) continue;
        shown.set(led, states[led].pattern);
        player.set(led, states[led].pattern);
      }
      return { ok: true };
    },
    async close() {
      release();
    },
  };
}
