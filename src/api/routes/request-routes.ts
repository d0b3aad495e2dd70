// Access requests from the block page and "report a site" (under-blocking): anonymous, limited
// per device (here per address, and in the request service per device and hour), then the
// technician's answer. The requester's block page reads GET /requests/mine on reload.
import { ROUTES } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { actorOf, fail, failureOf } from '../route.js';
import type { Failure } from '../route.js';
import type { AccessRequest, RequestInput } from '../../overrides/index.js';
import { normalise } from '../../daemon/index.js';
import type { DaemonContext } from '../../daemon/index.js';

/** Creates a request or report for the calling device; shared with the block page server. */
export async function createForClient(ctx: DaemonContext, type: AccessRequest['type'], input: RequestInput, ip: string): Promise<AccessRequest | Failure> {
  const who = ctx.identity.identify(ip);
  const r = await ctx.core.requests.create(type, input, { ip, mac: who.mac, hostname: who.hostname, group: who.group.name });
  if (r.ok) return r.value;
  // The service refuses a device's eleventh request in the hour with SG_FORBIDDEN: a rate limit.
  return r.code === 'SG_FORBIDDEN' ? fail('SG_RATE_LIMITED', r.message, { retryAfter: 3600 }) : r.code === 'SG_BAD_OVERRIDE' ? fail('SG_BAD_INPUT', r.message) : failureOf(r);
}

export function registerRequestRoutes(mount: Mounter, deps: ApiDeps): void {
  const { ctx } = deps;
  const { requests } = ctx.core;
  const limited = (ip: string) => {
    const l = deps.limits.anonymous.hit(ip);
    return l.allowed ? undefined : fail('SG_RATE_LIMITED', 'too many requests from this device; try again later', { retryAfter: l.retryAfter });
  };

  mount('createRequest', ROUTES.createRequest, async (c) => {
    const refused = limited(c.req.clientIp);
    if (refused) return refused;
    const r = await createForClient(ctx, 'access', { domain: c.body.domain, reason: c.body.reason, name: c.body.name }, c.req.clientIp);
    return 'id' in r ? { id: r.id, status: r.status } : r;
  });

  mount('createReport', ROUTES.createReport, async (c) => {
    const refused = limited(c.req.clientIp);
    if (refused) return refused;
    const r = await createForClient(ctx, 'report', { domain: c.body.domain, reason: c.body.reason, category: c.body.category }, c.req.clientIp);
    return 'id' in r ? { id: r.id, status: r.status } : r;
  });

  mount('myRequest', ROUTES.myRequest, async (c) => {
    const domain = normalise(c.query.domain) ?? c.query.domain.toLowerCase();
    const r = await requests.latestFor(c.req.clientIp, domain);
    return r ? { found: true, status: r.status, decision: r.decision, expiresAt: r.expiresAt, createdAt: r.createdAt } : { found: false };
  });

  mount('listRequests', ROUTES.listRequests, async (c) => {
    const items = await requests.list({ status: c.query.status, type: c.query.type, limit: c.query.limit });
    // The requester's free-text name is personal: not for viewers (addresses are pseudonymised).
    return { items: c.auth?.role === 'viewer' ? items.map(({ name: _name, ...rest }) => rest) : items };
  });

  mount('approveRequest', ROUTES.approveRequest, async (c) => {
    const existing = await requests.get(c.params.id);
    if (!existing) return fail('SG_NOT_FOUND', `no request ${c.params.id}`);
    const r = existing.type === 'report'
      ? await requests.approveReport(c.params.id, actorOf(c), c.body.note)
      : await requests.approve(c.params.id, actorOf(c), { minutes: c.body.minutes, until: c.body.until, scope: c.body.scope, note: c.body.note });
    return r.ok ? r.value : failureOf(r);
  });

  mount('declineRequest', ROUTES.declineRequest, async (c) => {
    const r = await requests.decline(c.params.id, actorOf(c), c.body.reason);
    return r.ok ? r.value : failureOf(r);
  });
}
