// A connection's server name decided like a DNS query name for the device's group: the same
// index lookup and the same decide() as the resolver's policy step (src/dns/steps.ts), so an
// override, a schedule or a locked category means the same here as in DNS. Pure.
import { decide } from '../policy/index.js';
import type { CompiledGroup, Decision } from '../policy/index.js';
import type { PolicyState } from '../daemon/index.js';
import type { CategoryBits } from '../lists/index.js';

export class FlowPolicy {
  private bits: CategoryBits | undefined;
  private bitsFor: PolicyState['index'] | undefined;

  /** the decision for `name` (lower-case, no trailing dot) seen from `client` in `group` */
  decide(state: PolicyState, group: CompiledGroup, client: { ip: string; mac?: string }, name: string, now: number): Decision {
    // one scratch bit set per index, reused for every flow
    if (this.bitsFor !== state.index || !this.bits) {
      this.bits = state.index.newBits();
      this.bitsFor = state.index;
    }
    const bits = this.bits;
    state.index.lookupInto(name, bits);
    return decide({ policy: state.policy, group, name, categories: bits, client, overrides: state.overrides }, now);
  }
}
