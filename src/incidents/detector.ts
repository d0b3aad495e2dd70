// Pure incident detection: which queries and bypass attempts are safeguarding incidents.
// An attempt on a locked category is one at once; repeated blocked attempts in watched
// categories from one device (more than `burst` within `windowMs`) are one; so is a bypass.
export type IncidentType = 'locked' | 'burst' | 'bypass';

export interface Trigger {
  type: IncidentType;
  client: string;
  category?: string;
  domain: string;
  /** attempts counted into this trigger */
  count: number;
}

export interface DetectorRules {
  watched: ReadonlySet<string>;
  burst: number;
  windowMs: number;
}

export interface BlockedAttempt {
  client: string;
  domain: string;
  category?: string;
  reason: string;
}

export class IncidentDetector {
  private readonly attempts = new Map<string, number[]>();

  constructor(private rules: DetectorRules) {}

  setRules(rules: DetectorRules): void {
    this.rules = rules;
  }

  onBlocked(a: BlockedAttempt, now: number): Trigger | undefined {
    if (a.reason === 'locked') return { type: 'locked', client: a.client, category: a.category, domain: a.domain, count: 1 };
    if (!a.category || !this.rules.watched.has(a.category)) return undefined;
    const key = `${a.client}|${a.category}`;
    const times = (this.attempts.get(key) ?? []).filter((t) => now - t < this.rules.windowMs);
    times.push(now);
    if (times.length > this.rules.burst) {
      this.attempts.delete(key);
      return { type: 'burst', client: a.client, category: a.category, domain: a.domain, count: times.length };
    }
    this.attempts.set(key, times);
    // Bound memory under a flood of distinct clients.
    if (this.attempts.size > 50_000) this.prune(now);
    return undefined;
  }

  private prune(now: number): void {
    for (const [k, times] of this.attempts) if (now - times[times.length - 1] >= this.rules.windowMs) this.attempts.delete(k);
    if (this.attempts.size > 50_000) this.attempts.clear();
  }
}
