// The config reduced to what the kernel needs: interfaces, where DNS goes, group ids and their
// source match, bypass categories, and the tc class numbering. Pure; errors are values.
import { isIP } from 'node:net';
import type { Config } from '../config.js';
import { parseDuration, parseHostPort, parseRate, parseSize, normaliseMac, parseCidr, parseIpRange } from '../schema/index.js';

/** tc handle major of every qdisc and class schoolgate owns ("SG"). */
export const TC_MAJOR = 0x5347;
/** Minor numbers: a shaped group owns [base, base + 0x400): base is the group class, base+1… its
 * fairness buckets, base+0x100… its over-quota devices (one class each). */
export const GROUP_STRIDE = 0x400;
export const OVER_QUOTA_OFFSET = 0x100;
export const OVER_QUOTA_SLOTS = GROUP_STRIDE - OVER_QUOTA_OFFSET;
/** Leaf minors stay below TC_MAJOR so a leaf qdisc handle never equals the root's. */
export const MAX_SHAPED_GROUPS = Math.floor(TC_MAJOR / GROUP_STRIDE) - 1;

export interface DnsTarget {
  /** dnat to this address (undefined: redirect to the receiving interface's address) */
  address?: string;
  port: number;
}

export interface GroupBandwidth {
  /** bits per second */
  down?: number;
  up?: number;
  /** bytes per device per day (down + up) */
  dailyQuota?: number;
  /** bits per second per device once over quota */
  overQuota?: number;
  /** tc minor of the group class */
  classBase: number;
}

export interface GroupPlan {
  name: string;
  /** 1-based config position: the low byte of the conntrack mark */
  id: number;
  v4: string[];
  v6: string[];
  macs: string[];
  isDefault: boolean;
  blockQuic: boolean;
  bandwidth?: GroupBandwidth;
}

export interface BypassPlan {
  category: string;
  /** identifier-safe part of the set names */
  key: string;
}

export interface FirewallPlan {
  lan: string[];
  wan: string;
  nat: boolean;
  dns4?: DnsTarget;
  dns6?: DnsTarget;
  groups: GroupPlan[];
  defaultGroup: GroupPlan;
  bypass: BypassPlan[];
  buckets: number;
  learnForSeconds: number;
  usageIntervalMs: number;
  timezone: string;
}

export type PlanResult = { ok: true; plan: FirewallPlan } | { ok: false; error: string };

export function buildPlan(config: Config): PlanResult {
  const net = config.network;
  const dns = dnsTargets(config.dns.listen);
  if (!dns.dns4 && !dns.dns6) {
    return { ok: false, error: `gateway mode redirects the LAN's DNS to dns.listen, but none of ${JSON.stringify(config.dns.listen)} is reachable from the LAN (loopback only)` };
  }
  if (config.groups.length > 255) return { ok: false, error: 'gateway mode supports at most 255 groups' };
  let shaped = 0;
  const groups: GroupPlan[] = [];
  for (const [i, g] of config.groups.entries()) {
    const subnets = g.match.subnets.map((s) => parseCidr(s)).filter((c) => c !== undefined);
    const ranges = g.match.ranges.map((text) => ({ text, r: parseIpRange(text) })).filter((x) => x.r !== undefined);
    const bw = g.bandwidth;
    let bandwidth: GroupBandwidth | undefined;
    if (bw && (bw.down || bw.up || (bw.dailyQuota && bw.overQuota))) {
      shaped += 1;
      if (shaped > MAX_SHAPED_GROUPS) return { ok: false, error: `at most ${MAX_SHAPED_GROUPS} groups can have bandwidth limits` };
      bandwidth = {
        down: bw.down ? parseRate(bw.down) : undefined,
        up: bw.up ? parseRate(bw.up) : undefined,
        dailyQuota: bw.dailyQuota && bw.overQuota ? parseSize(bw.dailyQuota) : undefined,
        overQuota: bw.dailyQuota && bw.overQuota ? parseRate(bw.overQuota) : undefined,
        classBase: shaped * GROUP_STRIDE,
      };
    }
    groups.push({
      name: g.name,
      id: i + 1,
      v4: [...subnets.filter((c) => c.family === 4).map((c) => c.text), ...ranges.filter((x) => x.r?.family === 4).map((x) => x.text.replace(/\s/g, ''))],
      v6: [...subnets.filter((c) => c.family === 6).map((c) => c.text), ...ranges.filter((x) => x.r?.family === 6).map((x) => x.text.replace(/\s/g, ''))],
      macs: g.match.macs.map(normaliseMac),
      isDefault: g.default,
      blockQuic: g.blockQuic,
      bandwidth,
    });
  }
  // Same fallback as the identity matcher: the default group, else the first.
  const defaultGroup = groups.find((g) => g.isDefault) ?? groups[0];
  const keys = new Set<string>();
  const bypass = [...new Set(net.bypass.categories)].map((category) => {
    let key = category.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    while (keys.has(key)) key += '_';
    keys.add(key);
    return { category, key };
  });
  return {
    ok: true,
    plan: {
      lan: [...net.lan],
      wan: net.wan,
      nat: net.nat,
      ...dns,
      groups,
      defaultGroup,
      bypass,
      buckets: net.fairBuckets,
      learnForSeconds: parseDuration(net.bypass.learnFor) ?? 3600,
      usageIntervalMs: (parseDuration(net.usageInterval) ?? 5) * 1000,
      timezone: config.timezone,
    },
  };
}

/** The first LAN-reachable listen address per family; 0.0.0.0 / :: mean "redirect". */
function dnsTargets(listen: readonly string[]): { dns4?: DnsTarget; dns6?: DnsTarget } {
  const out: { dns4?: DnsTarget; dns6?: DnsTarget } = {};
  for (const text of listen) {
    const hp = parseHostPort(text, 53);
    if (!hp || hp.port === 0) continue;
    const family = isIP(hp.host);
    const loopback = family === 4 ? hp.host.startsWith('127.') : hp.host === '::1';
    if (loopback) continue;
    const unspecified = hp.host === '0.0.0.0' || hp.host === '::';
    const target: DnsTarget = { address: unspecified ? undefined : hp.host, port: hp.port };
    if (family === 4) out.dns4 ??= target;
    else out.dns6 ??= target;
  }
  return out;
}

/** Conntrack mark low 16 bits: epoch (changes with every re-render) and group id. */
export function groupMark(epoch: number, group: GroupPlan): number {
  return ((epoch & 0xff) << 8) | group.id;
}

export function classId(minor: number): string {
  return `${TC_MAJOR.toString(16)}:${minor.toString(16)}`;
}
