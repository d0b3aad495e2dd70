// A fixed-window counter per key (client address): the login, setup and block-page routes are
// limited per device before any password check or store write happens. Bounded memory: the
// oldest keys go first when the table is full. The clock is injected (tests, the daemon's).

export interface LimitCheck {
  allowed: boolean;
  /** seconds until the window resets (when refused) */
  retryAfter: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  hit(key: string): LimitCheck {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (w) this.windows.delete(key);
      w = { start: now, count: 0 };
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
      this.windows.set(key, w);
    }
    w.count++;
    const allowed = w.count <= this.max;
    return { allowed, retryAfter: allowed ? 0 : Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)) };
  }
}
