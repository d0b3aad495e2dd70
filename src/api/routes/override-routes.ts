// Overrides: create (locked categories refused with 403, and the attempt audited by the
// service), list with live status, revoke, extend, and the safeguarding approval that starts a
// "filtering off". Changes take effect on the next query: the service swaps the snapshot.
import { ROUTES } from '../schemas/index.js';
import type { Override } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { actorOf, fail, failureOf } from '../route.js';
import { describeTarget } from '../../overrides/index.js';
import type { OverrideView } from '../../overrides/index.js';

export const overrideView = (o: OverrideView): Override => ({ ...o, description: describeTarget(o) });

export function registerOverrideRoutes(mount: Mounter, deps: ApiDeps): void {
  const { overrides } = deps.ctx.core;

  mount('listOverrides', ROUTES.listOverrides, async (c) => ({
    items: overrides.list().filter((o) => !c.query.status || o.status === c.query.status).map(overrideView),
    serverTime: new Date(deps.ctx.clock.now()).toISOString(),
  }));

  mount('createOverride', ROUTES.createOverride, async (c) => {
    const r = await overrides.create({ ...c.body }, actorOf(c), { source: c.req.clientIp });
    return r.ok ? overrideView(r.value) : failureOf(r);
  });

  mount('revokeOverride', ROUTES.revokeOverride, async (c) => {
    const r = await overrides.revoke(c.params.id, actorOf(c), c.query.reason);
    return r.ok ? overrideView(r.value) : failureOf(r);
  });

  mount('extendOverride', ROUTES.extendOverride, async (c) => {
    if ((c.body.minutes === undefined) === (c.body.until === undefined)) return fail('SG_BAD_OVERRIDE', 'give minutes or until');
    const r = await overrides.extend(c.params.id, { minutes: c.body.minutes, until: c.body.until }, actorOf(c), c.body.reason);
    return r.ok ? overrideView(r.value) : failureOf(r);
  });

  mount('approveOverride', ROUTES.approveOverride, async (c) => {
    const r = await overrides.approve(c.params.id, actorOf(c), c.body.reason);
    return r.ok ? overrideView(r.value) : failureOf(r);
  });
}
