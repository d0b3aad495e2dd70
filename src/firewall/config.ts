import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Rate, Size, restart } from '../schema/index.js';

export const NetworkSchema = restart(Type.Object({
  wan: Type.String({ default: 'eth0', description: 'WAN (internet-side) interface' }),
  lan: Type.Array(Type.String(), { default: ['eth1'], description: 'LAN interfaces (ports or VLAN interfaces)' }),
  nat: Type.Boolean({ default: true, description: 'Masquerade LAN traffic leaving the WAN' }),
}, { additionalProperties: false, default: {} }));

export type NetworkConfig = Static<typeof NetworkSchema>;

export const BandwidthSchema = Type.Object({
  down: Type.Optional(Rate({ description: 'Group download cap (shared by the group, fair per device)' })),
  up: Type.Optional(Rate({ description: 'Group upload cap' })),
  dailyQuota: Type.Optional(Size({ description: 'Per-device daily volume before the overQuota rate applies' })),
  overQuota: Type.Optional(Rate({ description: 'Per-device rate once the daily quota is used' })),
}, { additionalProperties: false });

export type BandwidthConfig = Static<typeof BandwidthSchema>;
