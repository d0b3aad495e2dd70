// `schoolgate lookup` and GET /lookup: a name's categories and, per group (or for one client),
// the decision and why. Runs the same decide() as the resolver.
import { decide, describeDecision } from '../policy/index.js';
import type { Decision } from '../policy/index.js';
import { normaliseName } from '../lists/index.js';
import type { SuffixMatch } from '../lists/index.js';
import type { PolicyState } from './state.js';

export interface LookupAnswer {
  name: string;
  at: string;
  categories: string[];
  listed: SuffixMatch[];
  decisions: { group: string; client?: string; mac?: string; user?: string; hostname?: string; decision: Decision; why: string }[];
}

export type LookupResult = { ok: true; answer: LookupAnswer } | { ok: false; error: string };

export function lookupName(state: PolicyState, domain: string, now: number, client?: { ip: string; mac?: string; user?: string; hostname?: string; group?: string }): LookupResult {
  const n = normaliseName(domain);
  if (!n.ok) return { ok: false, error: `"${domain}" is not a domain name (${n.reason})` };
  const name = n.name;
  const bits = state.index.newBits();
  state.index.lookupInto(name, bits);
  const named = client?.group ? state.policy.byName.get(client.group) : undefined;
  const groups = client ? [named ?? state.policy.groups[state.matcher.match(client.ip, client.mac)]] : state.policy.groups;
  const decisions = groups.map((group) => {
    const decision = decide({
      policy: state.policy,
      group,
      name,
      categories: bits,
      client: client ?? { ip: '' },
      overrides: state.overrides,
    }, now);
    return { group: group.name, client: client?.ip, mac: client?.mac, user: client?.user, hostname: client?.hostname, decision, why: describeDecision(decision) };
  });
  return {
    ok: true,
    answer: { name, at: new Date(now).toISOString(), categories: state.index.namesOf(bits), listed: state.index.explain(name), decisions },
  };
}

export function formatLookup(a: LookupAnswer): string {
  const lines = [`${a.name}  (at ${a.at})`];
  if (a.listed.length === 0) lines.push('  listed: in no category');
  for (const m of a.listed) lines.push(`  listed: ${m.suffix} → ${m.categories.join(', ')}`);
  const width = Math.max(...a.decisions.map((d) => d.group.length), 5);
  for (const d of a.decisions) {
    const device = [d.client, d.hostname, d.mac].filter(Boolean).join(' ');
    const who = d.client ? `${d.group} (client ${device}${d.user ? `, user ${d.user}` : ''})` : d.group;
    lines.push(`  ${who.padEnd(width)}  ${d.decision.action.padEnd(5)}  ${d.why}`);
  }
  return lines.join('\n');
}
