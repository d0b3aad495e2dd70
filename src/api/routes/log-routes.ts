// The records: query log search, incidents (+ acknowledge with action and outcome), the audit
// chain (list, verify, CSV for the e-safety committee), and lookup ("why is this blocked?").
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { ROUTES } from '../schemas/index.js';
import type { LookupAnswer } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { actorOf, fail, failureOf } from '../route.js';
import type { Failure } from '../route.js';
import { lookupName } from '../../daemon/index.js';
import type { LookupAnswer as DaemonLookup } from '../../daemon/index.js';

/** epoch ms or an ISO time; undefined when absent, a Failure when unreadable */
export function parseTime(text: string | undefined, field: string): number | undefined | Failure {
  if (text === undefined || text === '') return undefined;
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(t) ? t : fail('SG_BAD_INPUT', `${field}: "${text.slice(0, 40)}" is not a time (ISO 8601 or epoch ms)`, { errors: [{ path: `/${field}`, message: 'not a time' }] });
}

export const lookupView = (a: DaemonLookup): LookupAnswer => ({
  ...a,
  decisions: a.decisions.map((d) => ({ ...d, decision: { ...d.decision, validUntil: Number.isFinite(d.decision.validUntil) ? d.decision.validUntil : null } })),
});

export function registerLogRoutes(mount: Mounter, deps: ApiDeps): void {
  const { ctx } = deps;
  const { queryLog, incidents, audit } = ctx.core;

  mount('queryLog', ROUTES.queryLog, async (c) => {
    // A viewer sees pseudonyms; searching by a real address would undo that.
    if (c.auth?.role === 'viewer' && c.query.client) return fail('SG_FORBIDDEN', 'viewers cannot search by device (the log is anonymised for them)');
    const since = parseTime(c.query.since, 'since');
    const until = parseTime(c.query.until, 'until');
    if (typeof since === 'object') return since;
    if (typeof until === 'object') return until;
    return queryLog.search({ client: c.query.client, domain: c.query.domain, action: c.query.action, since, until, limit: c.query.limit, cursor: c.query.cursor });
  });

  mount('listIncidents', ROUTES.listIncidents, async (c) => {
    const since = parseTime(c.query.since, 'since');
    if (typeof since === 'object') return since;
    return { items: await incidents.list({ status: c.query.status, since, limit: c.query.limit }), open: incidents.openCount };
  });

  mount('acknowledgeIncident', ROUTES.acknowledgeIncident, async (c) => {
    const r = await incidents.acknowledge(c.params.id, actorOf(c), c.body.action, c.body.outcome);
    return r.ok ? r.value : failureOf(r);
  });

  mount('listAudit', ROUTES.listAudit, async (c) => {
    const limit = c.query.limit ?? 100;
    const items = await audit.list({ limit, beforeSeq: c.query.before, action: c.query.action });
    const last = items[items.length - 1];
    return { items, next: items.length === limit && last && last.seq > 1 ? last.seq : undefined };
  });

  mount('verifyAudit', ROUTES.verifyAudit, async () => {
    const r = await audit.verify();
    const checkedAt = new Date(ctx.clock.now()).toISOString();
    return r.ok ? { ok: true, entries: r.entries, head: r.head, checkedAt } : { ok: false, entries: r.entries, seq: r.seq, problem: r.problem, checkedAt };
  });

  mount('exportAudit', ROUTES.exportAudit, async (c) => {
    const day = new Date(ctx.clock.now()).toISOString().slice(0, 10);
    return c.reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="schoolgate-audit-${day}.csv"`).send(Readable.from(audit.csv()));
  });

  mount('lookup', ROUTES.lookup, async (c) => {
    const at = parseTime(c.query.at, 'at') ?? ctx.clock.now();
    if (typeof at === 'object') return at;
    const state = ctx.state.current;
    const client = c.query.client;
    if (client !== undefined && isIP(client) === 0) return fail('SG_BAD_INPUT', `client: "${client}" is not an IP address`, { errors: [{ path: '/client', message: 'not an IP address' }] });
    let r;
    if (!client) {
      r = lookupName(state, c.query.domain, at);
    } else {
      const who = ctx.identity.identify(client);
      r = lookupName(state, c.query.domain, at, { ip: client, mac: who.mac, user: who.user, hostname: who.hostname, group: who.group.name });
    }
    return r.ok ? lookupView(r.answer) : fail('SG_BAD_INPUT', r.error);
  });
}
