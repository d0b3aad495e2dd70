// Per-client token buckets: `qps` tokens a second, up to `burst`. A client over the limit gets
// REFUSED until its bucket refills. One "trip" is the span from the first refused query until the
// bucket is full again: it is reported once (a log line, the counter, a `rate-limit` event), not
// once per packet, so a flood cannot flood the log too. Pure: time is passed in.

interface Bucket {
  tokens: number;
  last: number;
  tripped: boolean;
  refused: number;
}

/** clients tracked at once; past this the table restarts (a flood of spoofed sources cannot grow it) */
const MAX_CLIENTS = 65_536;

export type RateVerdict = 0 | 1 | 2;
export const RATE = { OK: 0 as RateVerdict, REFUSED: 1 as RateVerdict, TRIPPED: 2 as RateVerdict };

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(private qps: number, private burst: number) {}

  configure(qps: number, burst: number): void {
    this.qps = qps;
    this.burst = burst;
  }

  get enabled(): boolean {
    return this.qps > 0;
  }

  /** OK, REFUSED, or TRIPPED (refused, and the first of this trip: report it). */
  check(client: string, nowMs: number): RateVerdict {
    if (this.qps <= 0) return RATE.OK;
    let b = this.buckets.get(client);
    if (b === undefined) {
      if (this.buckets.size >= MAX_CLIENTS) this.buckets = new Map();
      b = { tokens: this.burst, last: nowMs, tripped: false, refused: 0 };
      this.buckets.set(client, b);
    } else if (nowMs > b.last) {
      b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.last) / 1000) * this.qps);
      b.last = nowMs;
    }
    if (b.tripped && b.tokens >= this.burst) {
      b.tripped = false;
      b.refused = 0;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return RATE.OK;
    }
    b.refused++;
    if (b.tripped) return RATE.REFUSED;
    b.tripped = true;
    return RATE.TRIPPED;
  }

  /** queries refused in the client's current trip */
  refusedIn(client: string): number {
    return this.buckets.get(client)?.refused ?? 0;
  }

  get tracked(): number {
    return this.buckets.size;
  }
}
