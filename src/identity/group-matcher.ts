// Client → group: the first group (in config order) whose MAC list, subnets or ranges match;
// otherwise the default group. Pure; the MAC comes from the neighbour table (see neighbours.ts).
import { cidrRange, ipToBigInt, normaliseMac, parseCidr, parseIpRange } from '../schema/index.js';
import type { GroupMatch } from './config.js';

interface Span {
  family: 4 | 6;
  first: bigint;
  last: bigint;
}

interface GroupRule {
  index: number;
  macs: Set<string>;
  spans: Span[];
}

export interface GroupMatcher {
  /** index of the matching group in the config order */
  match(ip: string, mac?: string): number;
}

export function compileGroupMatcher(groups: readonly { match: GroupMatch; default?: boolean }[]): GroupMatcher {
  const rules: GroupRule[] = groups.map((g, index) => ({
    index,
    macs: new Set(g.match.macs.map(normaliseMac)),
    spans: [
      ...g.match.subnets.map((s) => parseCidr(s)).filter((c) => c !== undefined).map(cidrRange),
      ...g.match.ranges.map((r) => parseIpRange(r)).filter((r) => r !== undefined),
    ],
  }));
  const fallback = Math.max(0, groups.findIndex((g) => g.default));
  // IP → group without a MAC is the common case: memoise it (bounded).
  const byIp = new Map<string, number>();
  return {
    match(ip: string, mac?: string): number {
      if (mac === undefined) {
        const hit = byIp.get(ip);
        if (hit !== undefined) return hit;
      }
      const addr = ipToBigInt(stripZone(ip));
      const mapped = addr && addr.family === 6 && addr.value >> 32n === 0xffffn ? { family: 4 as const, value: addr.value & 0xffffffffn } : addr;
      const m = mac === undefined ? undefined : normaliseMac(mac);
      let found = fallback;
      for (const r of rules) {
        if (m !== undefined && r.macs.has(m)) {
          found = r.index;
          break;
        }
        if (mapped && r.spans.some((s) => s.family === mapped.family && mapped.value >= s.first && mapped.value <= s.last)) {
          found = r.index;
          break;
        }
      }
      if (mac === undefined) {
        if (byIp.size > 65536) byIp.clear();
        byIp.set(ip, found);
      }
      return found;
    },
  };
}

function stripZone(ip: string): string {
  const at = ip.indexOf('%');
  return at === -1 ? ip : ip.slice(0, at);
}
