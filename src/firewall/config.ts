import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { CategoryName, Duration, Rate, Size, restart } from '../schema/index.js';

export const DEFAULT_BYPASS_CATEGORIES = ['doh', 'vpn', 'redirector', 'residential-proxies'];

export const BypassSchema = Type.Object({
  categories: Type.Array(CategoryName(), {
    default: DEFAULT_BYPASS_CATEGORIES,
    description: 'Gateway mode: addresses of names in these categories (listed IPs, and IPs learned from DNS answers) are rejected for groups that block the category',
  }),
  learnFor: Duration({ default: '1h', description: 'A learned address stays blocked at least this long (or its DNS TTL, if longer)' }),
}, { additionalProperties: false, default: {} });

export const NetworkSchema = restart(Type.Object({
  wan: Type.String({ default: 'eth0', description: 'WAN (internet-side) interface' }),
  lan: Type.Array(Type.String(), { default: ['eth1'], description: 'LAN interfaces (ports or VLAN interfaces)' }),
  nat: Type.Boolean({ default: true, description: 'Masquerade LAN traffic leaving the WAN' }),
  bypass: BypassSchema,
  usageInterval: Duration({ default: '5s', description: 'Gateway mode: how often per-device byte counters are read from the kernel (quota switch delay, usage in the store, bypass events)' }),
  fairBuckets: Type.Integer({ default: 64, minimum: 1, maximum: 255, description: 'Gateway mode: per-device fairness inside a capped group: devices are hashed into this many HTB classes' }),
}, { additionalProperties: false, default: {} }));

export type NetworkConfig = Static<typeof NetworkSchema>;

export const BandwidthSchema = Type.Object({
  down: Type.Optional(Rate({ description: 'Group download cap (shared by the group, fair per device)' })),
  up: Type.Optional(Rate({ description: 'Group upload cap' })),
  dailyQuota: Type.Optional(Size({ description: 'Per-device daily volume (down + up) before the overQuota rate applies' })),
  overQuota: Type.Optional(Rate({ description: 'Per-device rate (down and up) once the daily quota is used, until midnight or a reset' })),
}, { additionalProperties: false });

export type BandwidthConfig = Static<typeof BandwidthSchema>;
