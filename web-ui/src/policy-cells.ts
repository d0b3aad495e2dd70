// The policy matrix's cell model, pure (unit-tested): what a group does with a category — blocked,
// allowed, or blocked but allowed during schedules — read from and written back into the
// group's config object exactly as the YAML holds it (block, allow, allowDuring).

export interface GroupRules {
  name: string;
  block: string[];
  allow?: string[];
  allowDuring?: Record<string, string[]>;
  [key: string]: unknown;
}

/** 'block' | 'allow' | 'during:lunch+afterschool' (allow lists: 'honoured' | 'ignored') */
export type CellState = string;

export function cellState(g: GroupRules, category: string, isAllowList: boolean): CellState {
  if (isAllowList) return (g.allow ?? []).includes(category) ? 'honoured' : 'ignored';
  if (!g.block.includes(category)) return 'allow';
  const during = g.allowDuring?.[category];
  return during && during.length > 0 ? `during:${during.join('+')}` : 'block';
}

export function cellOptions(schedules: readonly string[], current: CellState, isAllowList: boolean): [value: string, label: string][] {
  if (isAllowList) return [['honoured', 'honoured (allows)'], ['ignored', 'ignored']];
  const opts: [string, string][] = [['allow', 'allowed'], ['block', 'blocked'], ...schedules.map((s): [string, string] => [`during:${s}`, `allowed during ${s}`])];
  if (current.startsWith('during:') && !opts.some(([v]) => v === current)) opts.push([current, `allowed during ${current.slice(7).split('+').join(', ')}`]);
  return opts;
}

/** The group with one category set to `state`; other keys (match, bandwidth, …) kept as they are. */
export function withCell(g: GroupRules, category: string, state: CellState): GroupRules {
  const block = g.block.filter((c) => c !== category);
  const allow = (g.allow ?? []).filter((c) => c !== category);
  const allowDuring = { ...(g.allowDuring ?? {}) };
  delete allowDuring[category];
  if (state === 'honoured') allow.push(category);
  if (state === 'block' || state.startsWith('during:')) block.push(category);
  if (state.startsWith('during:')) allowDuring[category] = state.slice(7).split('+').filter(Boolean);
  const next: GroupRules = { ...g, block };
  if (g.allow !== undefined || allow.length > 0) next.allow = allow;
  if (g.allowDuring !== undefined || Object.keys(allowDuring).length > 0) next.allowDuring = allowDuring;
  return next;
}

/** Problems the server would refuse anyway, said before the round trip. */
export function checkCell(state: CellState, schedules: readonly string[], locked: boolean): string | undefined {
  if (locked && state !== 'block') return 'a locked category is blocked for every group';
  if (state.startsWith('during:')) {
    const missing = state.slice(7).split('+').filter((s) => !schedules.includes(s));
    if (missing.length) return `no schedule named ${missing.join(', ')}`;
  }
  return undefined;
}
