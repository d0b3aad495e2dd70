// The config's policy compiled against one domain index: category names become bit masks in
// that index's numbering. Rebuilt whenever the config or the index changes (cheap).
import type { Config } from '../config.js';
import type { CategoryBits, DomainIndex } from '../lists/index.js';
import type { GroupConfig } from './config.js';
import type { Zone } from '../schema/index.js';
import { compileSchedule } from './schedule.js';
import type { CompiledSchedule } from './schedule.js';

export interface CompiledGroup {
  name: string;
  /** position in the config (first match wins) */
  order: number;
  config: GroupConfig;
  blockBits: CategoryBits;
  allowBits: CategoryBits;
  /** category id → schedules during which it is allowed */
  during: Map<number, CompiledSchedule[]>;
  safeSearch: 'off' | 'moderate' | 'strict';
}

export interface CompiledPolicy {
  timezone: Zone;
  groups: CompiledGroup[];
  byName: Map<string, CompiledGroup>;
  defaultGroup: CompiledGroup;
  lockedBits: CategoryBits;
  locked: ReadonlySet<string>;
  categoryNames: readonly string[];
  schedules: Map<string, CompiledSchedule>;
}

/** `zone` is the config's timezone, read by the caller (loadZone): policy does no I/O. */
export function compilePolicy(config: Config, index: DomainIndex, zone: Zone): CompiledPolicy {
  const schedules = new Map(Object.entries(config.schedules).map(([name, s]) => [name, compileSchedule(name, s, config.calendar)]));
  const lockedBits = index.bitsOf(config.locked);
  const groups = config.groups.map((g, order): CompiledGroup => {
    const during = new Map<number, CompiledSchedule[]>();
    for (const [category, names] of Object.entries(g.allowDuring)) {
      const id = index.categoryId(category);
      if (id === undefined) continue;
      during.set(id, names.map((n) => schedules.get(n)).filter((s): s is CompiledSchedule => s !== undefined));
    }
    return {
      name: g.name,
      order,
      config: g,
      // Locked categories are blocked for every group, listed or not.
      blockBits: index.bitsOf([...g.block, ...config.locked]),
      allowBits: index.bitsOf(g.allow.filter((c) => !config.locked.includes(c))),
      during,
      safeSearch: g.safeSearch,
    };
  });
  const defaultGroup = groups.find((g) => g.config.default) ?? groups[groups.length - 1];
  return {
    timezone: zone,
    groups,
    byName: new Map(groups.map((g) => [g.name, g])),
    defaultGroup,
    lockedBits,
    locked: new Set(config.locked),
    categoryNames: index.categories.map((c) => c.name),
    schedules,
  };
}
