// WAN state with hysteresis, pure: one probe round in, the level out. A worse level needs
// `downAfter` rounds in a row, a better one `upAfter`, so a single lost probe never flaps the LED.
import type { ProbeOutcome, WanLevel, WanStatus } from './facts.js';

const RANK: Record<Exclude<WanLevel, 'unknown'>, number> = { down: 0, 'no-dns': 1, up: 2 };

/** One round's level: any answer from an upstream resolver is "up"; ICMP alone is "no-dns". */
export function roundLevel(probes: readonly ProbeOutcome[]): Exclude<WanLevel, 'unknown'> | undefined {
  if (probes.length === 0) return undefined;
  const dns = probes.filter((p) => p.kind === 'dns');
  const icmpOk = probes.some((p) => p.kind === 'icmp' && p.ok);
  if (dns.some((p) => p.ok)) return 'up';
  if (icmpOk) return dns.length === 0 ? 'up' : 'no-dns';
  return 'down';
}

export class WanTracker {
  private status: WanStatus = { level: 'unknown', since: 0, streak: 0, last: [], evidence: [] };

  constructor(private rules: { downAfter: number; upAfter: number }) {}

  setRules(rules: { downAfter: number; upAfter: number }): void {
    this.rules = rules;
  }

  get current(): WanStatus {
    return this.status;
  }

  /** Feeds one round; returns true when the level changed. */
  round(probes: readonly ProbeOutcome[], now: number, unavailable?: string): boolean {
    const level = roundLevel(probes);
    const s = this.status;
    if (level === undefined) {
      const changed = s.level !== 'unknown';
      this.status = { level: 'unknown', since: changed ? now : s.since, streak: 0, last: [], evidence: [], unavailable };
      return changed;
    }
    if (level === s.level) {
      this.status = { ...s, streak: 0, last: probes, unavailable };
      return false;
    }
    // From "unknown" a good round counts as better, a bad one as worse.
    const better = s.level === 'unknown' ? level === 'up' : RANK[level] > RANK[s.level];
    // A streak counts rounds that disagree in the same direction; a round the other way resets it.
    const streak = s.streak > 0 && this.direction === (better ? 'up' : 'down') ? s.streak + 1 : 1;
    this.direction = better ? 'up' : 'down';
    if (streak >= (better ? this.rules.upAfter : this.rules.downAfter)) {
      this.status = { level, since: now, streak: 0, last: probes, evidence: probes, unavailable };
      return true;
    }
    this.status = { ...s, streak, last: probes, unavailable };
    return false;
  }

  private direction: 'up' | 'down' = 'down';
}
