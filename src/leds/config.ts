import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { OneOf, restart } from '../schema/index.js';

const Pins = Type.Object({
  power: Type.Integer({ minimum: 0, maximum: 53, description: 'BCM pin of the power LED' }),
  wan: Type.Integer({ minimum: 0, maximum: 53, description: 'BCM pin of the wan LED' }),
  filter: Type.Integer({ minimum: 0, maximum: 53, description: 'BCM pin of the filter LED' }),
  alert: Type.Integer({ minimum: 0, maximum: 53, description: 'BCM pin of the alert LED' }),
}, { additionalProperties: false, default: { power: 17, wan: 27, filter: 22, alert: 23 }, description: 'gpio: BCM pin numbers (the same on Pi 4 and Pi 5)' });

const Names = Type.Object({
  power: Type.String({ minLength: 1, pattern: '^[^/]+$', description: 'Kernel LED name of the power LED' }),
  wan: Type.String({ minLength: 1, pattern: '^[^/]+$', description: 'Kernel LED name of the wan LED' }),
  filter: Type.String({ minLength: 1, pattern: '^[^/]+$', description: 'Kernel LED name of the filter LED' }),
  alert: Type.String({ minLength: 1, pattern: '^[^/]+$', description: 'Kernel LED name of the alert LED' }),
}, {
  additionalProperties: false,
  default: { power: 'schoolgate-power', wan: 'schoolgate-wan', filter: 'schoolgate-filter', alert: 'schoolgate-alert' },
  description: 'sysfs: kernel LED names under /sys/class/leds (the gpio-led overlay labels, firmware/leds.md)',
});

// A different backend or pin needs the hardware re-opened: a restart, not a reload.
export const LedsSchema = restart(Type.Object({
  backend: OneOf(['gpio', 'sysfs', 'virtual', 'file'] as const, { default: 'virtual', description: 'gpio (onoff), sysfs (kernel LED class), virtual (UI and log), file (JSON for tools)' }),
  pins: Pins,
  names: Names,
  path: Type.String({ default: '/run/schoolgate/leds.json', description: 'file backend: where the JSON state is written (atomically)' }),
  sysfsRoot: Type.String({ default: '/sys', description: 'Root of sysfs (tests point it at a fake tree; the gpio backend needs /sys: onoff has it built in)' }),
  activeLow: Type.Boolean({ default: false, description: 'gpio: LEDs wired to light when the pin is low' }),
  selfTest: Type.Boolean({ default: true, description: 'Sweep every LED at start, so a dead LED is noticed' }),
}, { additionalProperties: false, default: {} }));

export type LedsConfig = Static<typeof LedsSchema>;
