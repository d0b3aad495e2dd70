// Gateway mode: caps per group, usage per device, quota resets.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Day, IsoTime } from './common.js';

export const BandwidthQuery = Type.Object({
  day: Type.Optional(Day()),
  group: Type.Optional(Type.String({ maxLength: 32 })),
  device: Type.Optional(Type.String({ maxLength: 45 })),
}, { additionalProperties: false });

export const DeviceUsage = Type.Object({
  day: Type.String(),
  device: Type.String(),
  group: Type.String(),
  up: Type.Number(),
  down: Type.Number(),
  bytes: Type.Number(),
  quota: Type.Optional(Type.Number()),
  remaining: Type.Optional(Type.Number()),
  overQuota: Type.Boolean(),
  overQuotaSince: Type.Optional(IsoTime()),
  resets: Type.Number(),
});
export type DeviceUsage = Static<typeof DeviceUsage>;

export const BandwidthView = Type.Object({
  /** false in dns-only mode (no kernel shaping): then items is empty */
  available: Type.Boolean(),
  note: Type.Optional(Type.String()),
  caps: Type.Array(Type.Object({ group: Type.String(), bandwidth: Type.Optional(Type.Record(Type.String(), Type.String())) })),
  items: Type.Array(DeviceUsage),
});
export type BandwidthView = Static<typeof BandwidthView>;

export const DeviceParams = Type.Object({ device: Type.String({ minLength: 2, maxLength: 45 }) }, { additionalProperties: false });
