// Which upstream to ask, from what the answers so far said (passive health: no probe traffic of
// our own while all is well). The healthy ones are tried fastest first (smoothed RTT); two
// failures in a row mark one down, and it is left alone for a back-off that doubles up to a
// minute. A down upstream due for a retry gets a copy of a real query (a probe): its answer
// brings it back. When every upstream is down, queries fail at once instead of each waiting out
// a timeout (the resolver then serves stale answers, RFC 8767) while the probes go on.
import { parseHostPort } from '../schema/index.js';
import type { UpstreamHealth } from '../daemon/index.js';

export const DOWN_AFTER = 2;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

export interface Upstream {
  /** as configured ("9.9.9.9:53") */
  address: string;
  host: string;
  port: number;
  family: 'udp4' | 'udp6';
  srtt: number | undefined;
  failures: number;
  down: boolean;
  retryAt: number;
  backoffMs: number;
  answered: number;
  order: number;
}

export interface UpstreamPlan {
  /** in order: each is asked once the previous one failed */
  readonly tries: readonly Upstream[];
  /** down upstreams due for a retry: they get a copy of the query, only their health counts */
  readonly probes: readonly Upstream[];
}

const fastestFirst = (a: Upstream, b: Upstream) => (a.srtt ?? 0) - (b.srtt ?? 0) || a.order - b.order;

export class UpstreamPool {
  readonly upstreams: Upstream[];
  /** the plan while the only upstream is up */
  private readonly single: UpstreamPlan | undefined;

  constructor(addresses: readonly string[]) {
    this.upstreams = addresses.map((address, order) => {
      const hp = parseHostPort(address, 53) ?? { host: '127.0.0.1', port: 53 };
      return {
        address, host: hp.host, port: hp.port, family: hp.host.includes(':') ? 'udp6' : 'udp4',
        srtt: undefined, failures: 0, down: false, retryAt: 0, backoffMs: FIRST_BACKOFF_MS, answered: 0, order,
      };
    });
    this.single = this.upstreams.length === 1 ? { tries: [this.upstreams[0]], probes: [] } : undefined;
  }

  plan(now: number): UpstreamPlan {
    // One healthy upstream (a common setup): the same plan every time, nothing allocated per miss.
    if (this.single && !this.single.tries[0].down) return this.single;
    const healthy: Upstream[] = [];
    const due: Upstream[] = [];
    for (const u of this.upstreams) {
      if (!u.down) healthy.push(u);
      else if (now >= u.retryAt) due.push(u);
    }
    for (const u of due) u.retryAt = now + u.backoffMs;
    // Every upstream down: nobody waits a timeout; the due ones are probed in the background.
    if (healthy.length === 0) return { tries: [], probes: due };
    // Unknown RTT sorts first: a new upstream gets measured.
    healthy.sort(fastestFirst);
    return { tries: healthy, probes: due };
  }

  allDown(now: number): boolean {
    return this.upstreams.every((u) => u.down && now < u.retryAt);
  }

  success(u: Upstream, rttMs: number): void {
    u.failures = 0;
    u.down = false;
    u.backoffMs = FIRST_BACKOFF_MS;
    u.answered++;
    u.srtt = u.srtt === undefined ? rttMs : u.srtt * 0.7 + rttMs * 0.3;
  }

  failure(u: Upstream, now: number): boolean {
    u.failures++;
    if (u.down) {
      u.backoffMs = Math.min(MAX_BACKOFF_MS, u.backoffMs * 2);
      u.retryAt = now + u.backoffMs;
      return false;
    }
    if (u.failures >= DOWN_AFTER) {
      u.down = true;
      u.retryAt = now + u.backoffMs;
      return true;
    }
    return false;
  }

  health(): UpstreamHealth[] {
    return this.upstreams.map((u) => ({ address: u.address, healthy: !u.down, rttMs: u.srtt === undefined ? undefined : Math.round(u.srtt * 100) / 100, failures: u.failures }));
  }
}
