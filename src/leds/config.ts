import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { OneOf } from '../schema/index.js';

const Pins = Type.Object({
  power: Type.Integer({ minimum: 0, maximum: 53 }),
  wan: Type.Integer({ minimum: 0, maximum: 53 }),
  filter: Type.Integer({ minimum: 0, maximum: 53 }),
  alert: Type.Integer({ minimum: 0, maximum: 53 }),
}, { additionalProperties: false, description: 'BCM pin numbers (the same on Pi 4 and Pi 5)' });

const Names = Type.Object({
  power: Type.String(), wan: Type.String(), filter: Type.String(), alert: Type.String(),
}, { additionalProperties: false, description: 'Kernel LED names under /sys/class/leds' });

export const LedsSchema = Type.Object({
  backend: OneOf(['gpio', 'sysfs', 'virtual', 'file'] as const, { default: 'virtual', description: 'gpio (onoff), sysfs (kernel LED class), virtual (UI and log), file (JSON for tools)' }),
  pins: Type.Optional(Pins),
  names: Type.Optional(Names),
  path: Type.Optional(Type.String({ description: 'file backend: where the JSON state is written' })),
  sysfsRoot: Type.String({ default: '/sys', description: 'Root of sysfs (tests point it at a fake tree)' }),
  activeLow: Type.Boolean({ default: false, description: 'gpio: LEDs wired to light when the pin is low' }),
}, { additionalProperties: false, default: {} });

export type LedsConfig = Static<typeof LedsSchema>;
