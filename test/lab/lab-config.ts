// The daemon's config inside the lab: gateway mode on the appliance's interfaces, the fake
// internet's resolver upstream, the lab lists, and three groups (staff, pupils capped, guests).
import { join } from 'node:path';
import { stringify } from 'yaml';
import { NET, writeLabLists } from './internet.js';

/** The daemon entry the lab runs: the real CLI, with the firewall stage registered if the lead has not yet. */

export interface LabGroup {
  name: string;
  default?: boolean;
  match?: { subnets?: string[]; ranges?: string[]; macs?: string[] };
  block: string[];
  blockQuic?: boolean;
  bandwidth?: { down?: string; up?: string; dailyQuota?: string; overQuota?: string };
  [key: string]: unknown;
}

export interface LabConfig {
  mode: 'gateway' | 'dns-only';
  dataDir: string;
  timezone: string;
  log: { level: string };
  network: { wan: string; lan: string[]; nat: boolean; usageInterval?: string; fairBuckets?: number; bypass?: { categories?: string[]; learnFor?: string } };
  dns: { listen: string[]; upstreams: string[]; blocking: { answer: string; address?: string; ttl?: number } };
  lists: { name: string; format: string; category?: string; source: string }[];
  groups: LabGroup[];
  [key: string]: unknown;
}

/** Pupils' caps in the lab: small, so iperf runs are short and a 20 MB quota goes in seconds. */
export const LAB_BANDWIDTH = { down: '20mbit', up: '10mbit', dailyQuota: '20MB', overQuota: '2mbit' };

export function labConfig(dir: string): LabConfig {
  const lists = writeLabLists(dir).map((l) => ({ name: l.name, format: 'domains', category: l.category, source: l.path }));
  return {
    mode: 'gateway',
    dataDir: join(dir, 'data'),
    timezone: 'Europe/London',
    log: { level: 'info' },
    network: { wan: 'wan', lan: ['br-lan'], nat: true, usageInterval: '1s' },
    dns: {
      listen: ['10.10.0.1:53', '[fd00:10::1]:53'],
      upstreams: [`${NET.upstream}:53`],
      blocking: { answer: 'blockpage', address: '10.10.0.1', ttl: 10 },
    },
    lists,
    groups: [
      { name: 'staff', match: { subnets: ['10.10.2.0/24', 'fd00:10:0:2::/64'] }, block: ['adult'] },
      {
        name: 'pupils',
        match: { subnets: ['10.10.1.0/24', 'fd00:10:0:1::/64'] },
        block: ['adult', 'games', 'doh', 'vpn'],
        blockQuic: true,
        bandwidth: { ...LAB_BANDWIDTH },
      },
      { name: 'guests', default: true, block: ['adult', 'doh'] },
    ],
    admin: { listen: ['10.10.0.1:443', '[fd00:10::1]:443'], tls: 'auto' },
  };
}

export function toYaml(config: LabConfig): string {
  return stringify(config);
}
