// Incidents for the safeguarding lead (DfE: action taken and outcome recorded).
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime, Limit, TimeParam } from './common.js';

export const Incident = Type.Object({
  id: Type.String(),
  type: Type.Union([Type.Literal('locked'), Type.Literal('burst'), Type.Literal('bypass')]),
  client: Type.String(),
  mac: Type.Optional(Type.String()),
  hostname: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  group: Type.String(),
  category: Type.Optional(Type.String()),
  domains: Type.Array(Type.String()),
  detail: Type.Optional(Type.String()),
  count: Type.Number(),
  firstAt: IsoTime(),
  lastAt: IsoTime(),
  status: Type.Union([Type.Literal('open'), Type.Literal('acknowledged')]),
  ack: Type.Optional(Type.Object({ by: Type.String(), at: IsoTime(), action: Type.String(), outcome: Type.String() })),
});
export type Incident = Static<typeof Incident>;

export const IncidentQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('acknowledged')])),
  since: TimeParam('last seen at or after'),
  limit: Limit(1000, 200),
}, { additionalProperties: false });

export const IncidentList = Type.Object({ items: Type.Array(Incident), open: Type.Number() });
export type IncidentList = Static<typeof IncidentList>;

export const IncidentAck = Type.Object({
  action: Type.String({ minLength: 3, maxLength: 1000, description: 'the action taken' }),
  outcome: Type.String({ minLength: 3, maxLength: 1000, description: 'the outcome' }),
}, { additionalProperties: false });
export type IncidentAck = Static<typeof IncidentAck>;
