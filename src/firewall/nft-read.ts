// Reading our table back from `nft -j list set|map …` and `nft -t list table …`. Pure parsers:
// bad or unexpected output gives empty results, never a throw.

export interface SetElement {
  /** the key: a string, a number, or the fields of a concatenation */
  key: unknown;
  /** map value, if a map */
  value?: unknown;
  /** seconds left (elements with a timeout) */
  expires?: number;
  bytes?: number;
}

/** Elements of the first set or map in `nft -j list set|map` output. */
export function parseSetElements(json: string): SetElement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return [];
  }
  const items = (doc as { nftables?: unknown[] })?.nftables;
  if (!Array.isArray(items)) return [];
  for (const item of items) {
    const set = (item as { set?: { elem?: unknown[] }; map?: { elem?: unknown[] } })?.set ?? (item as { map?: { elem?: unknown[] } })?.map;
    if (!set) continue;
    return (Array.isArray(set.elem) ? set.elem : []).map(toElement);
  }
  return [];
}

function toElement(e: unknown): SetElement {
  if (Array.isArray(e)) {
    const inner = toElement(e[0]);
    return { ...inner, value: e[1] };
  }
  const wrapped = (e as { elem?: { val?: unknown; expires?: number; counter?: { bytes?: number } } })?.elem;
  if (wrapped && typeof wrapped === 'object') {
    return { key: unconcat(wrapped.val), expires: wrapped.expires, bytes: wrapped.counter?.bytes };
  }
  return { key: unconcat(e) };
}

function unconcat(v: unknown): unknown {
  const c = (v as { concat?: unknown[] })?.concat;
  return Array.isArray(c) ? c : v;
}

export interface UsageCounter {
  groupId: number;
  direction: 'up' | 'down';
  address: string;
  bytes: number;
}

/** usage4/usage6 elements: group id . ct direction . device address, with a byte counter. */
export function parseUsage(json: string): UsageCounter[] {
  const out: UsageCounter[] = [];
  for (const e of parseSetElements(json)) {
    if (!Array.isArray(e.key) || e.key.length !== 3) continue;
    const [groupId, dir, address] = e.key as [unknown, unknown, unknown];
    if (typeof groupId !== 'number' || typeof address !== 'string' || (dir !== 'original' && dir !== 'reply')) continue;
    out.push({ groupId, direction: dir === 'original' ? 'up' : 'down', address, bytes: e.bytes ?? 0 });
  }
  return out;
}

export interface SeenAttempt {
  client: string;
  target: string;
  protocol: string;
  port: number;
  /** seconds the record has left */
  expires: number;
}

/** seen4/seen6 elements: client . target . protocol . port. */
export function parseSeen(json: string): SeenAttempt[] {
  const out: SeenAttempt[] = [];
  for (const e of parseSetElements(json)) {
    if (!Array.isArray(e.key) || e.key.length !== 4) continue;
    const [client, target, protocol, port] = e.key as unknown[];
    if (typeof client !== 'string' || typeof target !== 'string' || typeof port !== 'number') continue;
    out.push({ client, target, protocol: String(protocol), port, expires: e.expires ?? 0 });
  }
  return out;
}

/** Addresses with their seconds left (undefined: no timeout, a listed address). */
export function parseAddresses(json: string): { address: string; expires?: number }[] {
  return parseSetElements(json)
    .filter((e) => typeof e.key === 'string')
    .map((e) => ({ address: e.key as string, expires: e.expires }));
}

export interface FlowBlock {
  client: string;
  server: string;
  /** seconds the block has left */
  seconds: number;
}

/** flowblock4/flowblock6 elements: client . server with the seconds they have left. */
export function parseFlowBlocks(json: string): FlowBlock[] {
  const out: FlowBlock[] = [];
  for (const e of parseSetElements(json)) {
    if (!Array.isArray(e.key) || e.key.length !== 2 || e.expires === undefined || e.expires <= 0) continue;
    const [client, server] = e.key as unknown[];
    if (typeof client === 'string' && typeof server === 'string') out.push({ client, server, seconds: e.expires });
  }
  return out;
}

/** overquota map elements: address → class minor. */
export function parseOverQuota(json: string): { address: string; minor: number }[] {
  const out: { address: string; minor: number }[] = [];
  for (const e of parseSetElements(json)) {
    const m = typeof e.value === 'string' ? /^[0-9a-f]+:([0-9a-f]+)$/i.exec(e.value) : null;
    if (typeof e.key === 'string' && m) out.push({ address: e.key, minor: parseInt(m[1], 16) });
  }
  return out;
}

export interface TableIdentity {
  gen: string;
  epoch: number;
}

/** The comment line our renderer writes: `comment "schoolgate gen=… epoch=…"`. */
export function parseTableIdentity(terse: string): TableIdentity | undefined {
  const m = /comment "schoolgate gen=([0-9a-f]+) epoch=(\d+)"/.exec(terse);
  return m ? { gen: m[1], epoch: Number(m[2]) } : undefined;
}
