// GET /events (text/event-stream) for the dashboard. Each SSE message has `event: <name>` and
// `data: <JSON>`; these are the payloads by event name.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime, Role } from './common.js';
import { Incident } from './incidents.js';
import { DnsCounters, Leds } from './status.js';

export const SSE_EVENTS = ['hello', 'stats', 'leds', 'incident', 'overrides', 'requests', 'lists', 'proposals'] as const;
export type SseEventName = (typeof SSE_EVENTS)[number];

export const HelloEvent = Type.Object({ serverTime: IsoTime(), role: Role, leds: Type.Optional(Leds) });
/** every few seconds */
export const StatsEvent = Type.Object({
  at: IsoTime(),
  /** over the interval since the previous stats event (needs the DNS stage) */
  queriesPerSecond: Type.Optional(Type.Number()),
  blockedPerSecond: Type.Optional(Type.Number()),
  dns: Type.Optional(DnsCounters),
  /** the current minute: [minute start, queries, blocked] (from the query stream) */
  minute: Type.Optional(Type.Tuple([Type.Number(), Type.Number(), Type.Number()])),
  openIncidents: Type.Number(),
  activeOverrides: Type.Number(),
});
/** the leds:changed event: exactly the health stage's states */
export const LedsEvent = Leds;
export const IncidentEvent = Type.Object({ incident: Incident, isNew: Type.Boolean() });
export const OverridesEvent = Type.Object({ active: Type.Number(), pendingApproval: Type.Number() });
export const RequestsEvent = Type.Object({ open: Type.Number() });
export const ListsEvent = Type.Object({ ok: Type.Boolean(), domains: Type.Optional(Type.Number()), error: Type.Optional(Type.String()) });
export const ProposalsEvent = Type.Object({ pending: Type.Number() });

export interface SseEvents {
  hello: Static<typeof HelloEvent>;
  stats: Static<typeof StatsEvent>;
  leds: Static<typeof LedsEvent>;
  incident: Static<typeof IncidentEvent>;
  overrides: Static<typeof OverridesEvent>;
  requests: Static<typeof RequestsEvent>;
  lists: Static<typeof ListsEvent>;
  proposals: Static<typeof ProposalsEvent>;
}
