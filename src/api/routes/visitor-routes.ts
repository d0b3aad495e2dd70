// Visitor codes (the office issues them; printable as a slip in the UI) and the visitors' log.
import { ROUTES } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { actorOf, failureOf } from '../route.js';

export function registerVisitorRoutes(mount: Mounter, deps: ApiDeps): void {
  const { visitors } = deps.ctx.core;

  mount('createVisitorCode', ROUTES.createVisitorCode, async (c) => {
    const r = await visitors.issue(c.body, actorOf(c));
    return r.ok ? r.value : failureOf(r);
  });

  mount('listVisitorCodes', ROUTES.listVisitorCodes, async () => ({ items: await visitors.codes() }));

  mount('revokeVisitorCode', ROUTES.revokeVisitorCode, async (c) => {
    const r = await visitors.revokeCode(c.params.code.toUpperCase(), actorOf(c));
    return r.ok ? r.value : failureOf(r);
  });

  mount('visitors', ROUTES.visitors, async () => ({ active: visitors.active(), log: await visitors.logEntries(500) }));
}
