// The policy matrix's cells, pure (unit-tested): the API's cell state (GET /policy) as the value
// of a cell's <select>, the choices it offers, and the change it sends (PATCH /policy/cells).
import type { CellChange, PolicyMatrix } from './api-types.js';

export type Cell = PolicyMatrix['groups'][number]['cells'][string];

/** 'block' | 'allow' | 'during:lunch+afterschool' | 'locked' */
export function cellValue(cell: Cell | undefined, isAllowList: boolean): string {
  if (!cell) return isAllowList ? 'block' : 'allow';
  switch (cell.state) {
    case 'locked': return 'locked';
    case 'blocked': case 'ignored': return 'block';
    case 'allowed': case 'honoured': return 'allow';
    case 'allowed-during': return `during:${(cell.schedules ?? []).join('+')}`;
    default: return 'allow';
  }
}

export function cellOptions(schedules: readonly string[], current: string, isAllowList: boolean): [value: string, label: string][] {
  if (isAllowList) return [['allow', 'honoured'], ['block', 'ignored']];
  const opts: [string, string][] = [['allow', 'allowed'], ['block', 'blocked'], ...schedules.map((s): [string, string] => [`during:${s}`, `allowed during ${s}`])];
  if (current.startsWith('during:') && !opts.some(([v]) => v === current)) opts.push([current, `allowed during ${current.slice(7).split('+').join(', ')}`]);
  return opts;
}

/** What a cell shows as its colour (CSS data-state). */
export function cellTone(value: string): 'block' | 'allow' | 'during' | 'locked' {
  return value.startsWith('during:') ? 'during' : (value as 'block' | 'allow' | 'locked');
}

export function cellLabel(value: string, isAllowList: boolean): string {
  if (value === 'locked') return 'locked';
  if (isAllowList) return value === 'allow' ? 'honoured' : 'ignored';
  if (value.startsWith('during:')) return `allowed during ${value.slice(7).split('+').join(', ')}`;
  return value === 'block' ? 'blocked' : 'allowed';
}

export function cellChange(group: string, category: string, value: string, reason?: string): CellChange {
  if (value.startsWith('during:')) return { group, category, state: 'allow-during', schedules: value.slice(7).split('+').filter(Boolean), reason };
  return { group, category, state: value === 'block' ? 'block' : 'allow', reason };
}

/** Problems the server would refuse anyway, said before the round trip. */
export function checkCell(value: string, schedules: readonly string[]): string | undefined {
  if (value === 'locked') return 'a locked category is blocked for every group';
  if (value.startsWith('during:')) {
    const names = value.slice(7).split('+').filter(Boolean);
    if (names.length === 0) return 'choose a schedule';
    const missing = names.filter((s) => !schedules.includes(s));
    if (missing.length) return `no schedule named ${missing.join(', ')}`;
  }
  return undefined;
}
