import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Duration, IpText } from '../schema/index.js';

export const HealthSchema = Type.Object({
  wanTargets: Type.Array(IpText(), { default: [], description: 'ICMP echo targets for the WAN LED (empty: DNS probes of the upstreams only)' }),
  interval: Duration({ default: '2s', description: 'Probe interval' }),
  downAfter: Type.Integer({ default: 2, minimum: 1, description: 'Consecutive failed rounds before the WAN is down (hysteresis)' }),
  upAfter: Type.Integer({ default: 1, minimum: 1, description: 'Consecutive good rounds before it is up again' }),
  diskWarnPercent: Type.Integer({ default: 90, minimum: 1, maximum: 100 }),
}, { additionalProperties: false, default: {} });

export type HealthConfig = Static<typeof HealthSchema>;
