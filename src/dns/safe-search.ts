// Safe search by DNS: the names a provider documents are answered with a CNAME to its enforced
// host (Google's forcesafesearch, YouTube's restricted mode, Bing strict, DuckDuckGo safe). The
// table is data (safe-search.json); this file only indexes it.
import table from './safe-search.json' with { type: 'json' };

export type SafeSearchMode = 'moderate' | 'strict';

export interface SafeSearchRule {
  provider: string;
  strict: string;
  moderate: string;
}

interface ProviderRow {
  name: string;
  strict: string;
  moderate: string;
  prefixes: string[];
  domains: string[];
}

export function compileSafeSearch(rows: readonly ProviderRow[] = table.providers): Map<string, SafeSearchRule> {
  const out = new Map<string, SafeSearchRule>();
  for (const p of rows) {
    const rule = { provider: p.name, strict: p.strict, moderate: p.moderate };
    for (const d of p.domains) for (const prefix of p.prefixes) out.set(`${prefix}${d}`, rule);
  }
  return out;
}

export const SAFE_SEARCH: ReadonlyMap<string, SafeSearchRule> = compileSafeSearch();

/** The enforced host for `name` under `mode`, or undefined when the name is not rewritten. */
export function safeSearchTarget(name: string, mode: 'off' | SafeSearchMode, rules: ReadonlyMap<string, SafeSearchRule> = SAFE_SEARCH): string | undefined {
  if (mode === 'off') return undefined;
  const rule = rules.get(name);
  if (!rule) return undefined;
  const target = rule[mode];
  // The enforced host itself (and its own name) is never rewritten: no CNAME loop.
  return target === name ? undefined : target;
}
