import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Duration, restart } from '../schema/index.js';

// the stage (and its tcpdump) is created at start: turning it on or off needs a restart
export const TrafficSchema = restart(Type.Object({
  enabled: Type.Boolean({ default: false, description: 'Read TLS SNI / HTTP Host / QUIC from a tcpdump stream on the LAN (gateway mode)' }),
  blockTimeout: Duration({ default: '10m', description: 'How long a device→address block from a blocked SNI lasts' }),
}, { additionalProperties: false, default: {} }));

export type TrafficConfig = Static<typeof TrafficSchema>;
