// Answer latency, by path (cached, local, upstream): fixed buckets in milliseconds, so observing
// is one comparison loop and no allocation. Exported to /metrics as a Prometheus histogram (the
// registry's only histogram, kept small on purpose: 15 buckets x 3 paths) and read by the bench
// for p99.
import type { Sample } from '../daemon/index.js';

export const BUCKETS_MS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500] as const;
export const PATHS = ['cached', 'local', 'upstream'] as const;
export type LatencyPath = (typeof PATHS)[number];

export class LatencyHistogram {
  readonly counts = new Float64Array(BUCKETS_MS.length + 1);
  sum = 0;
  count = 0;

  observe(ms: number): void {
    let i = 0;
    while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i]) i++;
    this.counts[i]++;
    this.sum += ms;
    this.count++;
  }

  /** Upper bound of the bucket holding quantile `q` (0..1): a conservative estimate. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = q * this.count;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i < BUCKETS_MS.length ? BUCKETS_MS[i] : Infinity;
    }
    return Infinity;
  }

  /** Prometheus samples (seconds, cumulative buckets) with `labels`. */
  samples(labels: Record<string, string>): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    for (let i = 0; i < BUCKETS_MS.length; i++) {
      cumulative += this.counts[i];
      out.push({ suffix: '_bucket', labels: { ...labels, le: String(BUCKETS_MS[i] / 1000) }, value: cumulative });
    }
    out.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: this.count });
    out.push({ suffix: '_sum', labels, value: this.sum / 1000 });
    out.push({ suffix: '_count', labels, value: this.count });
    return out;
  }
}
