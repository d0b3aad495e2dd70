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
  blocking: BlockingSchema,
  cache: Type.Object({
    size: Size({ default: '16MB', description: 'Memory for cached answers' }),
    minTtl: Type.Integer({ default: 0, minimum: 0 }),
    maxTtl: Type.Integer({ default: 86400, minimum: 1 }),
    negativeTtl: Type.Integer({ default: 300, minimum: 0, description: 'Cap on cached NXDOMAIN/NODATA (RFC 2308)' }),
    serveStale: Duration({ default: '1h', description: 'Serve expired answers this long when every upstream is down (RFC 8767)' }),
  }, { additionalProperties: false, default: {} }),
  rateLimit: Type.Object({
    qps: Type.Integer({ default: 200, minimum: 0, description: 'Queries per second per client (0: off); REFUSED above' }),
    burst: Type.Integer({ default: 400, minimum: 1 }),
  }, { additionalProperties: false, default: {} }),
  tcp: Type.Object({
    maxConnections: Type.Integer({ default: 256, minimum: 1 }),
    idleTimeout: Duration({ default: '10s' }),
  }, { additionalProperties: false, default: {} }),
  localPtr: Type.Boolean({ default: true, description: 'Answer PTR for private ranges locally (never forwarded upstream)' }),
}, { additionalProperties: false, default: {} });

export type DnsConfig = Static<typeof DnsSchema>;
