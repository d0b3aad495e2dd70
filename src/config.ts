// The one config schema: each stage contributes its fragment. It yields the TypeScript types,
// the check-config errors (with file:line:col) and the API validation.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Duration, OneOf, Timezone, restart } from './schema/index.js';
import { AdminSchema, MetricsSchema } from './api/index.js';
import { DnsSchema } from './dns/index.js';
import { NetworkSchema } from './firewall/index.js';
import { HealthSchema } from './health/index.js';
import { DevicesSchema, IdentitySchema, PortalSchema } from './identity/index.js';
import { LedsSchema } from './leds/index.js';
import { ListSourceSchema } from './lists/index.js';
import { PolicySchemas } from './policy/index.js';
import { QueryLogSchema } from './store/index.js';
import { TrafficSchema } from './traffic/index.js';
import { SyslogSchema } from './syslog/index.js';

export const ConfigSchema = Type.Object({
  mode: restart(OneOf(['gateway', 'dns-only'] as const, { default: 'dns-only', description: 'gateway: schoolgate programs the kernel (nftables, tc); dns-only: it only answers DNS' })),
  dataDir: restart(Type.String({ default: '/var/lib/schoolgate', description: 'Store, compiled index and list downloads' })),
  timezone: Timezone({ default: 'Europe/London', description: 'Schedules, quotas and reports use this time zone' }),
  log: Type.Object({
    level: OneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, { default: 'info', description: 'Least severe log level written (JSON lines on stdout, the journal on the appliance)' }),
  }, { additionalProperties: false, default: {} }),
  network: NetworkSchema,
  dns: DnsSchema,
  lists: Type.Array(ListSourceSchema, { default: [], description: 'Category list sources' }),
  ...PolicySchemas,
  identity: IdentitySchema,
  devices: DevicesSchema,
  portal: PortalSchema,
  governance: Type.Object({
    fourEyes: Type.Boolean({ default: false, description: 'Policy changes need a second person (a different user with another role) to approve' }),
    proposalExpiry: Duration({ default: '7d', description: 'An unapproved proposal lapses after this' }),
  }, { additionalProperties: false, default: {} }),
  queryLog: QueryLogSchema,
  admin: AdminSchema,
  metrics: MetricsSchema,
  leds: LedsSchema,
  health: HealthSchema,
  traffic: TrafficSchema,
  syslog: SyslogSchema,
}, { additionalProperties: false });

export type Config = Static<typeof ConfigSchema>;
