// The traffic view: recent flows (optionally one device's) and top talkers, from the traffic
// stage's bounded flow table. Gateway mode with traffic.enabled only; otherwise a clear 404.
import { isIP } from 'node:net';
import { ROUTES } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { fail } from '../route.js';
import type { FlowRecord, TrafficService } from '../../daemon/index.js';

const OFF = 'traffic capture is off (gateway mode with traffic.enabled)';
const PSEUDONYM = /^device-[0-9a-f]{8}$/;

export function registerTrafficRoutes(mount: Mounter, deps: ApiDeps): void {
  const { ctx, anonymiser } = deps;
  const stage = (): TrafficService | undefined => ctx.services.traffic;

  mount('trafficFlows', ROUTES.trafficFlows, async (c) => {
    const traffic = stage();
    if (!traffic) return fail('SG_NOT_FOUND', OFF);
    const { device, limit = 100 } = c.query;
    const counters = traffic.byteCounters();
    if (device === undefined || device === '') return { items: traffic.recentFlows({ limit }).map(view(counters.available)), counters };
    if (c.auth?.role === 'viewer') {
      // A viewer sees pseudonyms; filtering by a real address would undo that, by a pseudonym not.
      if (!PSEUDONYM.test(device)) return fail('SG_FORBIDDEN', 'viewers filter by a device\'s pseudonym (device-…), not its address');
      const items = traffic.recentFlows({ limit: Number.MAX_SAFE_INTEGER }).filter((f) => anonymiser.pseudonym(f.client) === device).slice(0, limit);
      return { items: items.map(view(counters.available)), counters };
    }
    if (isIP(device) === 0) return fail('SG_BAD_INPUT', `device: "${device}" is not an IP address`, { errors: [{ path: '/device', message: 'not an IP address' }] });
    return { items: traffic.recentFlows({ client: device, limit }).map(view(counters.available)), counters };
  });

  mount('trafficTop', ROUTES.trafficTop, async (c) => {
    const traffic = stage();
    if (!traffic) return fail('SG_NOT_FOUND', OFF);
    return { items: countedTalkers(traffic, c.query.limit ?? 10), counters: traffic.byteCounters() };
  });
}

/** The devices with the most flows; bytes only when the kernel counts them (also for /stats). */
export function countedTalkers(traffic: TrafficService, limit: number): { client: string; flows: number; bytes?: number }[] {
  const counted = traffic.byteCounters().available;
  return traffic.topTalkers(limit).map((t) => (counted ? t : { client: t.client, flows: t.flows }));
}

/** Bytes only when the kernel counts them: no counters means absent, never 0. */
const view = (counted: boolean) => (f: FlowRecord): FlowRecord => (counted || f.bytes === undefined ? f : { ...f, bytes: undefined });
