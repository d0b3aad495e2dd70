// GET /api/v1/events (server-sent events for the dashboard) and GET /metrics (Prometheus).
import { timingSafeEqual } from 'node:crypto';
import { ROUTES } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { fail } from '../route.js';
import type { EventHub } from '../event-hub.js';
import { MAX_STREAMS } from '../event-hub.js';

export function registerLiveRoutes(mount: Mounter, deps: ApiDeps, hub: EventHub): void {
  const { ctx } = deps;

  mount('events', ROUTES.events, async (c) => {
    if (hub.size >= MAX_STREAMS) return fail('SG_RATE_LIMITED', `at most ${MAX_STREAMS} live dashboards at once`, { retryAfter: 30 });
    const role = c.auth?.role ?? 'viewer';
    // The stream outlives this handler: fastify steps aside; the security headers set so far go with it.
    c.reply.hijack();
    const res = c.reply.raw;
    for (const [k, v] of Object.entries(c.reply.getHeaders())) if (v !== undefined) res.setHeader(k, typeof v === 'number' ? String(v) : v);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    c.req.raw.socket.setTimeout(0);
    hub.add(res, role, { serverTime: new Date(ctx.clock.now()).toISOString(), role, leds: ctx.services.health?.leds() });
    return c.reply;
  });

  mount('metrics', ROUTES.metrics, async (c) => {
    const token = ctx.state.current.config.metrics.token;
    if (token) {
      const sent = Buffer.from((c.req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
      const want = Buffer.from(token);
      if (sent.length !== want.length || !timingSafeEqual(sent, want)) {
        return c.reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').type('text/plain; charset=utf-8').send('metrics.token required\n');
      }
    }
    return c.reply.type('text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store').send(ctx.metrics.render());
  });
}
