// The dashboard's figures from the API's snapshot (GET /stats) and the live events (SSE
// "stats"), pure so they are unit-tested.
import type { SseEvents, Stats } from './api-types.js';

/** queries per second over the last full minute */
export function perSecond(stats: Stats): number {
  const full = stats.perMinute.filter(([t]) => t + 60_000 <= Date.parse(stats.at));
  const last = full[full.length - 1] ?? stats.perMinute[stats.perMinute.length - 1];
  return last ? last[1] / 60 : 0;
}

/** The live event's current minute folded into the last hour's series. */
export function withMinute(s: Stats, e: SseEvents['stats']): Stats {
  const m = e.minute;
  if (!m) return s;
  const perMinute = s.perMinute.filter(([t]) => t !== m[0] && t > m[0] - 60 * 60_000);
  perMinute.push(m);
  perMinute.sort((a, b) => a[0] - b[0]);
  return { ...s, at: e.at, perMinute, dns: e.dns ?? s.dns };
}

