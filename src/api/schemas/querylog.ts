// The query log search: newest first, filtered, paged with a cursor.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Limit, TimeParam } from './common.js';

export const QueryAction = Type.Union((['allow', 'block', 'rewrite', 'refused', 'error'] as const).map((a) => Type.Literal(a)));

export const QueryLogQuery = Type.Object({
  client: Type.Optional(Type.String({ maxLength: 64, description: 'IP, MAC or user' })),
  domain: Type.Optional(Type.String({ maxLength: 253, description: 'part of the name' })),
  action: Type.Optional(QueryAction),
  since: TimeParam('oldest'),
  until: TimeParam('newest'),
  limit: Limit(1000, 100),
  cursor: Type.Optional(Type.String({ maxLength: 64, description: 'the previous page\'s `next`' })),
}, { additionalProperties: false });
export type QueryLogQuery = Static<typeof QueryLogQuery>;

export const LoggedQuery = Type.Object({
  key: Type.String(),
  time: Type.Number({ description: 'epoch ms' }),
  client: Type.String(),
  mac: Type.Optional(Type.String()),
  hostname: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  group: Type.String(),
  name: Type.String(),
  type: Type.String(),
  action: QueryAction,
  reason: Type.String(),
  category: Type.Optional(Type.String()),
  rcode: Type.String(),
  latency: Type.Number(),
  upstream: Type.Optional(Type.String()),
  cached: Type.Boolean(),
  overrideId: Type.Optional(Type.String()),
});
export type LoggedQuery = Static<typeof LoggedQuery>;

export const QueryLogPage = Type.Object({
  items: Type.Array(LoggedQuery),
  /** pass as `cursor` for the next (older) page; absent at the end */
  next: Type.Optional(Type.String()),
  scanned: Type.Number(),
});
export type QueryLogPage = Static<typeof QueryLogPage>;
