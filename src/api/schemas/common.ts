// Shared pieces of the API's request and response schemas. Everything in schemas/ is TypeBox
// only (no fastify, no node:*): the web UI imports these values and types into its bundle.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

export const ROLE_NAMES = ['technician', 'safeguarding', 'viewer'] as const;
export const Role = Type.Union(ROLE_NAMES.map((r) => Type.Literal(r)));
export type Role = Static<typeof Role>;

/** ISO 8601 date and time, e.g. "2026-11-23T10:00:00.000Z" */
export const IsoTime = (description?: string) => Type.String({ description: description ?? 'ISO 8601 date and time' });
/** "YYYY-MM-DD" */
export const Day = (description?: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: description ?? 'a date YYYY-MM-DD' });

/** Every error: a stable code from the catalogue (api/errors.ts), a message for people. */
export const ErrorBody = Type.Object({
  ok: Type.Literal(false),
  code: Type.String({ description: 'stable SG_* code (see ERRORS)' }),
  message: Type.String(),
  /** validation problems, each with the JSON path of the field */
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  /** a locked account: until when */
  lockedUntil: Type.Optional(IsoTime()),
  /** a rate limit: seconds to wait */
  retryAfter: Type.Optional(Type.Number()),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const Done = Type.Object({ ok: Type.Literal(true) });
export type Done = Static<typeof Done>;

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

/** A why for the record (the audit chain keeps it). */
export const ReasonBody = Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false });
export const OptionalReasonBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

/** Who did something, as the audit chain records it. */
export const Actor = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('user'), Type.Literal('token'), Type.Literal('system'), Type.Literal('cli'), Type.Literal('anonymous')]),
  role: Type.Optional(Role),
});

/** 202 in four-eyes mode: the change waits for a second person. */
export const Proposed = Type.Object({
  proposalId: Type.String(),
  status: Type.Literal('pending'),
  message: Type.String(),
});
export type Proposed = Static<typeof Proposed>;

/** 200 when a config change was applied. */
export const Applied = Type.Object({
  ok: Type.Literal(true),
  /** top-level config keys the change touched */
  changed: Type.Array(Type.String()),
});
export type Applied = Static<typeof Applied>;

/** Query strings: numbers arrive as text and are coerced. */
export const Limit = (max: number, fallback: number) => Type.Optional(Type.Integer({ minimum: 1, maximum: max, default: fallback }));
/** epoch milliseconds or an ISO time */
export const TimeParam = (description: string) => Type.Optional(Type.String({ maxLength: 40, description: `${description} (ISO time or epoch ms)` }));
