import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Duration, IpText } from '../schema/index.js';

export const HealthSchema = Type.Object({
  wanTargets: Type.Array(IpText(), { default: [], description: 'ICMP echo targets for the WAN LED (empty: DNS probes of the upstreams only)' }),
  // 1 s rounds with downAfter 2 flag a dead link in under 3 s (the card promises 5 s).
  interval: Duration({ default: '1s', description: 'Probe interval: one round of ICMP echoes and upstream DNS queries' }),
  timeoutMs: Type.Integer({ default: 800, minimum: 50, maximum: 10_000, description: 'A probe without an answer after this many milliseconds is lost' }),
  downAfter: Type.Integer({ default: 2, minimum: 1, description: 'Consecutive failed rounds before the WAN is down (hysteresis)' }),
  upAfter: Type.Integer({ default: 1, minimum: 1, description: 'Consecutive good rounds before it is up again' }),
  diskWarnPercent: Type.Integer({ default: 90, minimum: 1, maximum: 100, description: 'The alert LED lights when the data folder\'s disk is this full' }),
}, { additionalProperties: false, default: {} });

export type HealthConfig = Static<typeof HealthSchema>;
