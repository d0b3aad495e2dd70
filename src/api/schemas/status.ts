// GET /status and GET /stats: what the dashboard shows.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime } from './common.js';

export const LED_NAME_LIST = ['power', 'wan', 'filter', 'alert'] as const;
export const LED_PATTERN_LIST = ['off', 'on', 'slow-blink', 'fast-blink', 'heartbeat'] as const;
export const LedPattern = Type.Union(LED_PATTERN_LIST.map((p) => Type.Literal(p)));
export const LedState = Type.Object({ pattern: LedPattern, why: Type.String() });
/** exactly what the health stage's leds() reports */
export const Leds = Type.Object({ power: LedState, wan: LedState, filter: LedState, alert: LedState });
export type Leds = Static<typeof Leds>;

export const UpstreamHealth = Type.Object({
  address: Type.String(),
  healthy: Type.Boolean(),
  rttMs: Type.Optional(Type.Number()),
  failures: Type.Number(),
});

export const DnsCounters = Type.Object({
  queries: Type.Number(),
  blocked: Type.Number(),
  rewritten: Type.Number(),
  cacheHits: Type.Number(),
  cacheEntries: Type.Number(),
  cacheBytes: Type.Number(),
  servfail: Type.Number(),
  rateLimited: Type.Number(),
  upstreams: Type.Array(UpstreamHealth),
});
export type DnsCounters = Static<typeof DnsCounters>;

export const ListSummary = Type.Object({
  name: Type.String(),
  format: Type.String(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('kept'), Type.Literal('failed')]),
  error: Type.Optional(Type.String()),
  fetchedAt: Type.Optional(IsoTime()),
  accepted: Type.Number(),
});

export const ListsStatus = Type.Object({
  domains: Type.Number({ description: 'names in the compiled index' }),
  categories: Type.Number(),
  compiledAt: IsoTime(),
  ageSeconds: Type.Number({ description: 'age of the compiled index' }),
  lists: Type.Array(ListSummary),
});

export const Listener = Type.Object({
  address: Type.String(),
  tls: Type.Boolean(),
  listening: Type.Boolean(),
  error: Type.Optional(Type.String()),
});

export const Status = Type.Object({
  version: Type.String(),
  startedAt: IsoTime(),
  uptimeSeconds: Type.Number(),
  mode: Type.Union([Type.Literal('gateway'), Type.Literal('dns-only')]),
  setupNeeded: Type.Boolean(),
  fourEyes: Type.Boolean(),
  /** LED states exactly as the health stage reports them; absent while it is not running */
  leds: Type.Optional(Leds),
  /** the facts behind the LEDs */
  health: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  lists: ListsStatus,
  /** absent while the DNS stage is not running (then `notes` says so) */
  dns: Type.Optional(DnsCounters),
  overrides: Type.Object({ active: Type.Number(), scheduled: Type.Number(), pendingApproval: Type.Number() }),
  incidents: Type.Object({ open: Type.Number() }),
  requests: Type.Object({ open: Type.Number() }),
  proposals: Type.Object({ pending: Type.Number() }),
  listeners: Type.Object({ admin: Type.Array(Listener), blockPage: Type.Array(Listener) }),
  /** what is missing or degraded, in words */
  notes: Type.Array(Type.String()),
});
export type Status = Static<typeof Status>;

export const NameCount = Type.Object({ name: Type.String(), count: Type.Number() });

export const Stats = Type.Object({
  at: IsoTime(),
  /** oldest first: [minute start (epoch ms), queries, blocked], the last hour */
  perMinute: Type.Array(Type.Tuple([Type.Number(), Type.Number(), Type.Number()])),
  topCategories: Type.Array(NameCount),
  /** blocked queries per device, last 24 h (pseudonyms for viewers) */
  topClients: Type.Array(NameCount),
  total24h: Type.Number(),
  blocked24h: Type.Number(),
  dns: Type.Optional(DnsCounters),
  /** gateway mode with the traffic stage: connections seen per device */
  topTalkers: Type.Optional(Type.Array(Type.Object({ client: Type.String(), flows: Type.Number(), bytes: Type.Optional(Type.Number({ description: 'absent when the kernel does not count bytes' })) }))),
});
export type Stats = Static<typeof Stats>;
