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
