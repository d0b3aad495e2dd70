// Gateway mode with traffic.enabled: the recent flows the traffic stage saw on the wire (server
// names from TLS SNI, HTTP Host, QUIC Initials, DNS/DoT to foreign resolvers) and top talkers.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Limit } from './common.js';

export const FLOW_PROTOS = ['tls', 'http', 'quic', 'dns', 'dot'] as const;

export const TrafficFlowsQuery = Type.Object({
  device: Type.Optional(Type.String({ maxLength: 45, description: 'IP address of a device (a viewer: its pseudonym, device-…)' })),
  limit: Limit(2000, 100),
}, { additionalProperties: false });
export type TrafficFlowsQuery = Static<typeof TrafficFlowsQuery>;

export const TrafficTopQuery = Type.Object({ limit: Limit(100, 10) }, { additionalProperties: false });

/** Where byte counts come from, and why there are none when there are none. */
export const ByteCounters = Type.Object({
  available: Type.Boolean({ description: 'bytes come from the kernel\'s connection tracking accounting' }),
  note: Type.Optional(Type.String()),
});

export const Flow = Type.Object({
  time: Type.Number({ description: 'epoch ms of the first packet seen' }),
  client: Type.String(),
  mac: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  group: Type.String(),
  server: Type.String({ description: 'SNI, HTTP Host, or the resolver\'s address (DNS/DoT)' }),
  proto: Type.Union(FLOW_PROTOS.map((p) => Type.Literal(p))),
  dst: Type.String(),
  dport: Type.Number(),
  sport: Type.Optional(Type.Number({ description: 'the client\'s source port' })),
  action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
  reason: Type.String(),
  category: Type.Optional(Type.String()),
  bytes: Type.Optional(Type.Number({ description: 'both directions, from conntrack; absent when not counted' })),
  ech: Type.Optional(Type.Boolean({ description: 'Encrypted Client Hello: server is the outer name only' })),
});
export type Flow = Static<typeof Flow>;

export const FlowList = Type.Object({
  /** newest first */
  items: Type.Array(Flow),
  counters: ByteCounters,
});
export type FlowList = Static<typeof FlowList>;

export const Talker = Type.Object({
  client: Type.String(),
  flows: Type.Number(),
  bytes: Type.Optional(Type.Number({ description: 'absent when the kernel does not count' })),
});

export const TalkerList = Type.Object({
  /** most flows first */
  items: Type.Array(Talker),
  counters: ByteCounters,
});
export type TalkerList = Static<typeof TalkerList>;
