import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { CidrText, IpRangeText, MacText } from '../schema/index.js';

export const GroupMatchSchema = Type.Object({
  subnets: Type.Array(CidrText(), { default: [], description: 'Client networks of this group' }),
  ranges: Type.Array(IpRangeText(), { default: [], description: 'Inclusive address ranges "first-last"' }),
  macs: Type.Array(MacText(), { default: [], description: 'Devices by MAC (nominated users: matched before subnets of later groups)' }),
}, { additionalProperties: false, default: {} });

export type GroupMatch = Static<typeof GroupMatchSchema>;

export const IdentitySchema = Type.Object({
  leases: Type.Optional(Type.String({ description: 'dnsmasq lease file: gives device hostnames' })),
  neighbours: Type.Boolean({ default: true, description: 'Read MAC addresses from the kernel neighbour table' }),
}, { additionalProperties: false, default: {} });

export type IdentityConfig = Static<typeof IdentitySchema>;

export const DevicesSchema = Type.Object({
  register: Type.Optional(Type.String({ description: 'Device register CSV (mac,user,group[,class,expires]); imported at start and whenever the file changes' })),
}, { additionalProperties: false, default: {} });

export type DevicesConfig = Static<typeof DevicesSchema>;

export const PortalSchema = Type.Object({
  groups: Type.Array(Type.String(), { default: [], description: 'Devices of these groups that are not registered sign in first (visitor code or staff account)' }),
  address: Type.Optional(Type.String({ description: 'The portal address on the LAN (default: dns.blocking.address)' })),
}, { additionalProperties: false, default: {} });

export type PortalConfig = Static<typeof PortalSchema>;
