import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { HostPort, restart } from '../schema/index.js';

export const AdminSchema = restart(Type.Object({
  listen: Type.Array(HostPort(), { minItems: 1, default: ['127.0.0.1:8080'], description: 'Admin UI/API addresses: LAN or management addresses only, never the WAN' }),
  tls: Type.Union([
    Type.Literal('auto'),
    Type.Literal('off'),
    Type.Object({ cert: Type.String(), key: Type.String() }, { additionalProperties: false }),
  ], { default: 'auto', description: 'auto: self-signed certificate made on first start; off: plain HTTP (lab only); or the school\'s own {cert, key}' }),
  blockPage: Type.Optional(Type.Array(HostPort(), { description: 'Block page listeners (default: blocking.address port 80)' })),
}, { additionalProperties: false, default: {} }));

export const MetricsSchema = Type.Object({
  token: Type.Optional(Type.String({ minLength: 16, description: 'When set, /metrics needs "Authorization: Bearer <token>"' })),
}, { additionalProperties: false, default: {} });

export type AdminConfig = Static<typeof AdminSchema>;
export type MetricsConfig = Static<typeof MetricsSchema>;
