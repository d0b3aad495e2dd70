import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { HostPort, OneOf } from '../schema/index.js';

export const SyslogSchema = Type.Object({
  target: Type.Optional(HostPort({ description: 'The collector, host:port (port 514 by default; 6514 is usual for TLS)' })),
  transport: OneOf(['udp', 'tcp', 'tls'] as const, { default: 'udp', description: 'udp (RFC 5426), tcp (RFC 6587 octet counting) or tls (RFC 5425)' }),
  ca: Type.Optional(Type.String({ description: 'tls: CA bundle (PEM) that signed the collector; the system store when unset' })),
  serverName: Type.Optional(Type.String({ description: 'tls: the name on the collector certificate (default: the target host)' })),
  facility: Type.Integer({ default: 16, minimum: 0, maximum: 23, description: 'Syslog facility (16 = local0)' }),
  incidents: Type.Boolean({ default: true, description: 'Send incidents as they happen' }),
  audit: Type.Boolean({ default: true, description: 'Send every audit entry' }),
  queries: OneOf(['off', 'pseudonymised', 'full'] as const, { default: 'off', description: 'Send query events: pseudonymised replaces client IP/MAC/user with a keyed hash' }),
}, { additionalProperties: false, default: {} });

export type SyslogConfig = Static<typeof SyslogSchema>;
