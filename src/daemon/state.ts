// Everything a query needs, as one immutable snapshot. A new config, index or override set
// builds a new snapshot and swaps one reference: no query ever sees half of a change.
import type { Config } from '../config.js';
import type { DomainIndex } from '../lists/index.js';
import { compilePolicy, compileOverrides } from '../policy/index.js';
import type { ActiveOverride, CompiledGroup, CompiledPolicy, Override } from '../policy/index.js';
import { compileGroupMatcher } from '../identity/index.js';
import { loadZone } from '../schema/index.js';
import type { Binding, GroupMatcher, RegisteredDevice } from '../identity/index.js';

export interface PolicyState {
  readonly config: Config;
  /** config groups compiled (same order as matcher results) */
  readonly groups: readonly CompiledGroup[];
  readonly index: DomainIndex;
  readonly policy: CompiledPolicy;
  readonly matcher: GroupMatcher;
  readonly overrides: readonly ActiveOverride[];
  /** the stored records behind `overrides` (active, scheduled and pending ones) */
  readonly overrideRecords: readonly Override[];
  /** the device register: mac → user and group */
  readonly register: ReadonlyMap<string, RegisteredDevice>;
  /** visitor and staff sign-ins on the portal, by MAC (or IP) */
  readonly bindings: ReadonlyMap<string, Binding>;
  readonly portalGroups: ReadonlySet<string>;
}

export function buildState(
  config: Config, index: DomainIndex, overrideRecords: readonly Override[], now: number,
  register: ReadonlyMap<string, RegisteredDevice> = new Map(), bindings: ReadonlyMap<string, Binding> = new Map(),
): PolicyState {
  const zone = loadZone(config.timezone);
  // check-config validated the zone; if tzdata vanished since, fall back to UTC and say so in the name.
  const policy = compilePolicy(config, index, zone.ok ? zone.zone : { name: `UTC (${config.timezone} unreadable)`, times: [], offsets: [], initial: 0 });
  return {
    config,
    groups: policy.groups,
    index,
    policy,
    matcher: compileGroupMatcher(config.groups),
    overrides: compileOverrides(overrideRecords, now, (n) => index.categoryId(n)),
    overrideRecords,
    register,
    bindings,
    portalGroups: new Set(config.portal.groups),
  };
}

export function withOverrides(state: PolicyState, overrideRecords: readonly Override[], now: number): PolicyState {
  return { ...state, overrideRecords, overrides: compileOverrides(overrideRecords, now, (n) => state.index.categoryId(n)) };
}

export function withIndex(state: PolicyState, index: DomainIndex, now: number): PolicyState {
  return buildState(state.config, index, state.overrideRecords, now, state.register, state.bindings);
}

export function withConfig(state: PolicyState, config: Config, now: number): PolicyState {
  return buildState(config, state.index, state.overrideRecords, now, state.register, state.bindings);
}

export function withBindings(state: PolicyState, bindings: ReadonlyMap<string, Binding>): PolicyState {
  return { ...state, bindings: new Map(bindings) };
}

export function withRegister(state: PolicyState, register: ReadonlyMap<string, RegisteredDevice>): PolicyState {
  return { ...state, register };
}

/** Swappable holder of the current snapshot. */
export class StateHolder {
  constructor(private state: PolicyState) {}
  get current(): PolicyState {
    return this.state;
  }
  swap(next: PolicyState): void {
    this.state = next;
  }
}
