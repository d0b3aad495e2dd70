// The boot sweep: each LED alone, in board order, then all together. A technician who watches the
// box start sees at once if an LED (or its resistor) is dead.
import type { LedStates } from '../daemon/index.js';
import { LEDS } from './led-names.js';
import { allLeds } from './priority.js';

export interface SweepFrame {
  states: LedStates;
  ms: number;
}

const WHY = 'self-test at start';

export const SELF_TEST: readonly SweepFrame[] = [
  ...LEDS.map((led) => {
    const states = allLeds('off', WHY);
    states[led] = { pattern: 'on', why: WHY };
    return { states, ms: 300 };
  }),
  { states: allLeds('on', WHY), ms: 600 },
];

export const SELF_TEST_MS = SELF_TEST.reduce((a, f) => a + f.ms, 0);
