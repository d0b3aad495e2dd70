import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { CategoryName, Duration, HostPort, restart } from '../schema/index.js';

export const AdminSchema = restart(Type.Object({
  listen: Type.Array(HostPort(), { minItems: 1, default: ['127.0.0.1:8080'], description: 'Admin UI/API addresses: LAN or management addresses only, never the WAN' }),
  tls: Type.Union([
    Type.Literal('auto'),
    Type.Literal('off'),
    Type.Object({ cert: Type.String({ description: 'PEM certificate (chain) file' }), key: Type.String({ description: 'PEM private key file' }) }, { additionalProperties: false }),
  ], { default: 'auto', description: 'auto: self-signed certificate made on first start; off: plain HTTP (lab only); or the school\'s own {cert, key}' }),
  blockPage: Type.Optional(Type.Array(HostPort(), { description: 'Block page listeners (default: blocking.address port 80)' })),
  session: Type.Object({
    idle: Duration({ default: '8h', description: 'A session ends after this long unused' }),
    max: Duration({ default: '24h', description: 'and this long after sign-in at the latest' }),
  }, { additionalProperties: false, default: {} }),
  selfTest: Type.Object({
    domains: Type.Record(CategoryName(), Type.String(), { default: {}, description: 'category: a domain the filtering self-test resolves for it (when the built-in candidates are not listed)' }),
  }, { additionalProperties: false, default: {} }),
}, { additionalProperties: false, default: {} }));

export const MetricsSchema = Type.Object({
  token: Type.Optional(Type.String({ minLength: 16, description: 'When set, /metrics needs "Authorization: Bearer <token>"' })),
}, { additionalProperties: false, default: {} });

export type AdminConfig = Static<typeof AdminSchema>;
export type MetricsConfig = Static<typeof MetricsSchema>;
