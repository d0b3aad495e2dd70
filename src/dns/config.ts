import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Duration, HostPort, IpText, OneOf, Size, restart } from '../schema/index.js';

export const BlockingSchema = Type.Object({
  answer: OneOf(['blockpage', 'nxdomain', 'null'] as const, { default: 'nxdomain', description: 'blockpage: A/AAAA to the block page; nxdomain; null: 0.0.0.0 / ::' }),
  address: Type.Optional(IpText({ description: 'Block page IPv4 address (required for blockpage)' })),
  address6: Type.Optional(IpText({ description: 'Block page IPv6 address (AAAA answers; none when unset)' })),
  ttl: Type.Integer({ default: 10, minimum: 0, maximum: 86400, description: 'TTL of block answers' }),
}, { additionalProperties: false, default: {} });

export const DnsSchema = Type.Object({
  listen: restart(Type.Array(HostPort(), { minItems: 1, default: ['127.0.0.1:5353'], description: 'UDP and TCP listen addresses (port defaults to 53)' })),
  upstreams: Type.Array(HostPort(), { minItems: 1, default: ['9.9.9.9:53'], description: 'Upstream resolvers, tried in health order' }),
  timeout: Duration({ default: '2s', description: 'Per-attempt upstream timeout before failing over' }),
  udpSize: Type.Integer({ default: 1232, minimum: 512, maximum: 4096, description: 'Largest UDP answer (EDNS0, RFC 6891): a client\'s advertised size is honoured up to this; larger answers go out truncated (TC) and the client retries over TCP. 1232 avoids IP fragmentation (DNS flag day 2020)' }),
  blocking: BlockingSchema,
  cache: Type.Object({
    size: Size({ default: '8MB', description: 'Memory for cached answers (unbound defaults to 4 MB of messages plus 4 MB of records)' }),
    minTtl: Type.Integer({ default: 0, minimum: 0, description: 'Cache answers at least this long (seconds)' }),
    maxTtl: Type.Integer({ default: 86400, minimum: 1, description: 'Cache answers at most this long (seconds)' }),
    negativeTtl: Type.Integer({ default: 300, minimum: 0, description: 'Cap on cached NXDOMAIN/NODATA (RFC 2308)' }),
    serveStale: Duration({ default: '1h', description: 'Serve expired answers this long when every upstream is down (RFC 8767)' }),
  }, { additionalProperties: false, default: {} }),
  rateLimit: Type.Object({
    qps: Type.Integer({ default: 200, minimum: 0, description: 'Queries per second per client (0: off); REFUSED above' }),
    burst: Type.Integer({ default: 400, minimum: 1, description: 'Queries a client may send at once above its rate' }),
  }, { additionalProperties: false, default: {} }),
  tcp: Type.Object({
    maxConnections: Type.Integer({ default: 256, minimum: 1, description: 'Open DNS-over-TCP connections at most (the oldest idle one is closed first)' }),
    idleTimeout: Duration({ default: '10s', description: 'A connection with no complete query for this long is closed (slow clients included)' }),
    maxQuerySize: Type.Integer({ default: 4096, minimum: 512, maximum: 65535, description: 'A TCP query longer than this closes the connection' }),
    maxPipelined: Type.Integer({ default: 32, minimum: 1, maximum: 1024, description: 'Queries in flight per TCP connection; reading pauses beyond this (RFC 7766 pipelining)' }),
  }, { additionalProperties: false, default: {} }),
  localPtr: Type.Boolean({ default: true, description: 'Answer PTR for private ranges locally (never forwarded upstream)' }),
}, { additionalProperties: false, default: {} });

export type DnsConfig = Static<typeof DnsSchema>;
