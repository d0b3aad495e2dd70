// The four LEDs in board order. The same list as the daemon's LED_NAMES contract (a test checks
// they agree), kept here because the config schema loads this folder before the daemon exists:
// importing daemon/ at run time from here would be an import cycle.
import type { LedName } from '../daemon/index.js';

export const LEDS: readonly LedName[] = ['power', 'wan', 'filter', 'alert'];
