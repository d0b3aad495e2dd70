// The audit chain: list, verify, CSV export.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Actor, IsoTime, Limit } from './common.js';

export const AuditEntry = Type.Object({
  seq: Type.Number(),
  time: IsoTime(),
  actor: Actor,
  action: Type.String({ description: 'dotted verb: override.create, login.failed, …' }),
  target: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  source: Type.Optional(Type.String()),
  prev: Type.String(),
  hash: Type.String(),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object({
  limit: Limit(1000, 100),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'entries older than this seq (paging)' })),
  action: Type.Optional(Type.String({ maxLength: 64, description: 'prefix, e.g. "override." or "login"' })),
}, { additionalProperties: false });

export const AuditPage = Type.Object({
  items: Type.Array(AuditEntry),
  /** pass as `before` for the next (older) page */
  next: Type.Optional(Type.Number()),
});
export type AuditPage = Static<typeof AuditPage>;

/** DESIGN: `{ok, entries}`; when broken, which entry and what is wrong. */
export const AuditVerify = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Number(),
  head: Type.Optional(Type.String()),
  seq: Type.Optional(Type.Number({ description: 'the first bad entry' })),
  problem: Type.Optional(Type.String()),
  checkedAt: IsoTime(),
});
export type AuditVerify = Static<typeof AuditVerify>;
