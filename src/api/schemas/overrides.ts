// Overrides: the technician's one-minute tool, and "filtering off" (two-person rule).
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime } from './common.js';

/** DESIGN: {domain | category, group | client, minutes | until, reason}; also mac, school, all. */
export const OverrideCreate = Type.Object({
  domain: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** filtering off: every category except the locked ones; needs a safeguarding user's approval */
  all: Type.Optional(Type.Boolean()),
  group: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  client: Type.Optional(Type.String({ minLength: 2, maxLength: 45, description: 'a device by IP address' })),
  mac: Type.Optional(Type.String({ minLength: 11, maxLength: 17, description: 'a device by MAC address' })),
  school: Type.Optional(Type.Boolean({ description: 'the whole school' })),
  minutes: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  until: Type.Optional(IsoTime('end (exclusive)')),
  reason: Type.String({ maxLength: 500, description: 'required: why (the minimum length is config overrides.minReasonLength)' }),
  requestedBy: Type.Optional(Type.String({ maxLength: 100, description: 'who asked (free text)' })),
  action: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('block')], { description: 'allow (default) or block' })),
}, { additionalProperties: false });
export type OverrideCreate = Static<typeof OverrideCreate>;

export const OverrideTarget = Type.Union([
  Type.Object({ domain: Type.String() }),
  Type.Object({ category: Type.String() }),
  Type.Object({ all: Type.Literal(true) }),
]);
export const OverrideScope = Type.Union([
  Type.Object({ group: Type.String() }),
  Type.Object({ client: Type.String() }),
  Type.Object({ mac: Type.String() }),
  Type.Object({ school: Type.Literal(true) }),
]);

export const OverrideStatus = Type.Union((['pending-approval', 'scheduled', 'active', 'expired', 'revoked'] as const).map((s) => Type.Literal(s)));

export const Override = Type.Object({
  id: Type.String(),
  target: OverrideTarget,
  scope: OverrideScope,
  action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
  reason: Type.String(),
  requestedBy: Type.Optional(Type.String()),
  grantedBy: Type.String(),
  createdAt: IsoTime(),
  startsAt: IsoTime(),
  expiresAt: IsoTime(),
  approval: Type.Optional(Type.Object({ required: Type.Literal(true), approvedBy: Type.Optional(Type.String()), approvedAt: Type.Optional(IsoTime()) })),
  revokedAt: Type.Optional(IsoTime()),
  revokedBy: Type.Optional(Type.String()),
  requestId: Type.Optional(Type.String()),
  status: OverrideStatus,
  /** "gambling for group pupils" */
  description: Type.String(),
});
export type Override = Static<typeof Override>;

export const OverrideList = Type.Object({ items: Type.Array(Override), serverTime: IsoTime('the server clock, for live countdowns') });
export type OverrideList = Static<typeof OverrideList>;

export const OverrideQuery = Type.Object({
  status: Type.Optional(OverrideStatus),
}, { additionalProperties: false });

export const OverrideExtend = Type.Object({
  minutes: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'added to the current end' })),
  until: Type.Optional(IsoTime('the new end')),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });
export type OverrideExtend = Static<typeof OverrideExtend>;
