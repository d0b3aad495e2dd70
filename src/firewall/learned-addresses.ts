// Which bypass endpoints the kernel holds, per category: listed ones (from the lists, forever)
// and learned ones (from DNS answers, until they expire). Pure: time is passed in.

export interface LearnPlan {
  /** not in the kernel yet */
  fresh: { address: string; seconds: number }[];
  /** in the kernel, but expiring too soon */
  refresh: { address: string; seconds: number }[];
}

export class LearnedAddresses {
  private readonly learned = new Map<string, Map<string, number>>();
  private readonly listed = new Map<string, Set<string>>();

  /** Replaces the listed addresses; returns what changed per category. */
  setListed(byCategory: ReadonlyMap<string, readonly string[]>): Map<string, { added: string[]; removed: string[] }> {
    const changes = new Map<string, { added: string[]; removed: string[] }>();
    const categories = new Set([...byCategory.keys(), ...this.listed.keys()]);
    for (const c of categories) {
      const before = this.listed.get(c) ?? new Set<string>();
      const after = new Set(byCategory.get(c) ?? []);
      const added = [...after].filter((a) => !before.has(a));
      const removed = [...before].filter((a) => !after.has(a));
      if (added.length > 0 || removed.length > 0) changes.set(c, { added, removed });
      this.listed.set(c, after);
    }
    return changes;
  }

  listedOf(category: string): readonly string[] {
    return [...(this.listed.get(category) ?? [])];
  }

  /**
   * The kernel must hold `addresses` for `seconds` from `now`. Refreshing costs a transaction, so
   * an address that still has more than `slack` of the wanted time left is left alone.
   */
  learn(category: string, addresses: readonly string[], seconds: number, now: number, slack = 0.25): LearnPlan {
    const plan: LearnPlan = { fresh: [], refresh: [] };
    const listed = this.listed.get(category);
    let known = this.learned.get(category);
    if (!known) this.learned.set(category, (known = new Map()));
    const until = now + seconds * 1000;
    for (const address of new Set(addresses)) {
      if (listed?.has(address)) continue;
      const current = known.get(address);
      if (current === undefined || current <= now) {
        plan.fresh.push({ address, seconds });
        known.set(address, until);
      } else if (current < until - seconds * 1000 * slack) {
        plan.refresh.push({ address, seconds });
        known.set(address, until);
      }
    }
    return plan;
  }

  /** Seeds from the kernel (after a restart): address → seconds left. */
  seed(category: string, entries: readonly { address: string; expires?: number }[], now: number): void {
    let known = this.learned.get(category);
    if (!known) this.learned.set(category, (known = new Map()));
    for (const e of entries) if (e.expires !== undefined && e.expires > 0) known.set(e.address, now + e.expires * 1000);
  }

  /** Learned addresses still alive, with their seconds left. */
  snapshot(now: number): Map<string, { address: string; seconds: number }[]> {
    const out = new Map<string, { address: string; seconds: number }[]>();
    for (const [c, known] of this.learned) {
      const list: { address: string; seconds: number }[] = [];
      for (const [address, until] of known) {
        if (until <= now) known.delete(address);
        else list.push({ address, seconds: (until - now) / 1000 });
      }
      out.set(c, list);
    }
    return out;
  }

  /** The categories an address is known in (listed or learned and alive). */
  categoriesOf(address: string, now: number): string[] {
    const out: string[] = [];
    for (const [c, set] of this.listed) if (set.has(address)) out.push(c);
    for (const [c, known] of this.learned) if ((known.get(address) ?? 0) > now && !out.includes(c)) out.push(c);
    return out;
  }
}
