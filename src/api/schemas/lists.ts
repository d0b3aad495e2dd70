// List sources, sizes, last update, update now.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime } from './common.js';

export const ListView = Type.Object({
  name: Type.String(),
  format: Type.String(),
  source: Type.String(),
  category: Type.Optional(Type.String()),
  kind: Type.Optional(Type.String()),
  update: Type.Optional(Type.String({ description: 'update interval of a URL list' })),
  status: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('kept'), Type.Literal('failed')])),
  error: Type.Optional(Type.String()),
  fetchedAt: Type.Optional(IsoTime()),
  accepted: Type.Optional(Type.Number()),
  rejected: Type.Optional(Type.Record(Type.String(), Type.Number())),
  /** categories this list contributes, with their sizes */
  categories: Type.Array(Type.Object({ name: Type.String(), kind: Type.String(), count: Type.Number() })),
});

export const ListsView = Type.Object({
  index: Type.Object({ compiledAt: IsoTime(), domains: Type.Number(), categories: Type.Number(), ageSeconds: Type.Number() }),
  lists: Type.Array(ListView),
  lastUpdate: Type.Optional(Type.Object({
    ok: Type.Boolean(),
    error: Type.Optional(Type.String()),
    changes: Type.Optional(Type.Array(Type.Object({ category: Type.String(), before: Type.Number(), after: Type.Number() }))),
  })),
  updating: Type.Boolean(),
});
export type ListsView = Static<typeof ListsView>;

export const ListUpdateQuery = Type.Object({
  wait: Type.Optional(Type.Boolean({ description: 'answer when the new index is in use (default: 202 at once)' })),
}, { additionalProperties: false });

export const ListUpdateResult = Type.Object({
  started: Type.Boolean(),
  ok: Type.Optional(Type.Boolean()),
  error: Type.Optional(Type.String()),
  domains: Type.Optional(Type.Number()),
  changes: Type.Optional(Type.Array(Type.Object({ category: Type.String(), before: Type.Number(), after: Type.Number() }))),
});
export type ListUpdateResult = Static<typeof ListUpdateResult>;
