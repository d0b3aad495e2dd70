// Visitor codes and the visitors' log.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime } from './common.js';

export const VisitorCodeCreate = Type.Object({
  minutes: Type.Optional(Type.Integer({ minimum: 1 })),
  hours: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  until: Type.Optional(IsoTime()),
  devices: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'how many devices may sign in with it (default 1)' })),
  note: Type.Optional(Type.String({ maxLength: 200, description: 'e.g. the visitor\'s name' })),
}, { additionalProperties: false });
export type VisitorCodeCreate = Static<typeof VisitorCodeCreate>;

export const VisitorCode = Type.Object({
  code: Type.String(),
  issuedBy: Type.String(),
  note: Type.Optional(Type.String()),
  createdAt: IsoTime(),
  expiresAt: IsoTime(),
  devices: Type.Number(),
  used: Type.Array(Type.String()),
  revokedAt: Type.Optional(IsoTime()),
});
export type VisitorCode = Static<typeof VisitorCode>;

export const VisitorCodeList = Type.Object({ items: Type.Array(VisitorCode) });

export const Binding = Type.Object({
  device: Type.String(),
  ip: Type.String(),
  user: Type.String(),
  group: Type.String(),
  kind: Type.Union([Type.Literal('visitor'), Type.Literal('staff')]),
  code: Type.Optional(Type.String()),
  since: IsoTime(),
  expiresAt: IsoTime(),
});

export const VisitorLogEntry = Type.Object({
  time: IsoTime(),
  event: Type.Union((['code.issued', 'signed-in', 'sign-in.refused', 'expired', 'code.revoked'] as const).map((e) => Type.Literal(e))),
  device: Type.Optional(Type.String()),
  ip: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  issuer: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
});

export const VisitorsView = Type.Object({
  /** devices signed in now */
  active: Type.Array(Binding),
  /** the visitors' log, newest first */
  log: Type.Array(VisitorLogEntry),
});
export type VisitorsView = Static<typeof VisitorsView>;
