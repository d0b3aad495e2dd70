// GET /lookup: a name's categories and the decision (per group, or for one client), with why.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime } from './common.js';

export const LookupQuery = Type.Object({
  domain: Type.String({ minLength: 1, maxLength: 253 }),
  client: Type.Optional(Type.String({ maxLength: 45, description: 'IP address of a device' })),
  at: Type.Optional(IsoTime('decide as at this time (default now)')),
}, { additionalProperties: false });
export type LookupQuery = Static<typeof LookupQuery>;

export const Decision = Type.Object({
  action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
  /** the reason enum (policy/reason.ts) */
  reason: Type.String(),
  category: Type.Optional(Type.String()),
  overrideId: Type.Optional(Type.String()),
  schedule: Type.Optional(Type.String()),
  /** epoch ms the decision may change; null when never */
  validUntil: Type.Union([Type.Number(), Type.Null()]),
});

export const LookupAnswer = Type.Object({
  name: Type.String(),
  at: IsoTime(),
  categories: Type.Array(Type.String()),
  listed: Type.Array(Type.Object({ suffix: Type.String(), categories: Type.Array(Type.String()) })),
  decisions: Type.Array(Type.Object({
    group: Type.String(),
    client: Type.Optional(Type.String()),
    mac: Type.Optional(Type.String()),
    user: Type.Optional(Type.String()),
    hostname: Type.Optional(Type.String()),
    decision: Decision,
    /** describeDecision(): one line for people */
    why: Type.String(),
  })),
});
export type LookupAnswer = Static<typeof LookupAnswer>;
