// Incidents for the safeguarding lead: what happened (device, group, time, domains, category),
// and — DfE: "action taken and outcome recorded" — how it was acknowledged. Repeats from the same
// device fold into the open incident instead of flooding the list.
import { randomBytes } from 'node:crypto';
import type { Actor, AuditLog } from '../audit/index.js';
import { putDurable } from '../store/index.js';
import type { Store } from '../store/index.js';
import type { IncidentType, Trigger } from './detector.js';

export interface Incident {
  id: string;
  type: IncidentType;
  client: string;
  mac?: string;
  hostname?: string;
  user?: string;
  group: string;
  category?: string;
  /** distinct domains involved (bounded) */
  domains: string[];
  /** bypass kind or detail */
  detail?: string;
  count: number;
  firstAt: string;
  lastAt: string;
  status: 'open' | 'acknowledged';
  ack?: { by: string; at: string; action: string; outcome: string };
}

export interface IncidentContext {
  mac?: string;
  hostname?: string;
  user?: string;
  group: string;
  detail?: string;
}

export type AckResult = { ok: true; value: Incident } | { ok: false; code: 'SG_NOT_FOUND' | 'SG_CONFLICT' | 'SG_BAD_INPUT'; message: string };

/** A repeat within this time joins the open incident. */
const FOLD_MS = 60 * 60_000;
const MAX_DOMAINS = 20;

export class IncidentService {
  private readonly open = new Map<string, Incident>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly now: () => number,
    private readonly onOpenCount: (count: number) => void,
    private readonly notify: (incident: Incident, isNew: boolean) => void,
  ) {}

  async load(): Promise<void> {
    for await (const v of this.store.incidents.values()) {
      const i = v as Incident;
      if (i.status === 'open') this.open.set(i.id, i);
    }
    this.onOpenCount(this.open.size);
  }

  get openCount(): number {
    return this.open.size;
  }

  async record(trigger: Trigger, ctx: IncidentContext): Promise<Incident> {
    const now = this.now();
    const iso = new Date(now).toISOString();
    const same = [...this.open.values()].find((i) => i.type === trigger.type && i.client === trigger.client && i.category === trigger.category && i.detail === ctx.detail && now - Date.parse(i.lastAt) < FOLD_MS);
    if (same) {
      const domains = same.domains.includes(trigger.domain) || same.domains.length >= MAX_DOMAINS ? same.domains : [...same.domains, trigger.domain];
      const next: Incident = { ...same, domains, count: same.count + trigger.count, lastAt: iso };
      await this.save(next);
      this.notify(next, false);
      return next;
    }
    const incident: Incident = {
      id: `${now.toString(36)}-${randomBytes(3).toString('hex')}`,
      type: trigger.type, client: trigger.client, mac: ctx.mac, hostname: ctx.hostname, user: ctx.user, group: ctx.group,
      category: trigger.category, domains: [trigger.domain], detail: ctx.detail, count: trigger.count,
      firstAt: iso, lastAt: iso, status: 'open',
    };
    await this.save(incident);
    await this.audit.append({ actor: { name: 'schoolgate', kind: 'system' }, action: `incident.${trigger.type}`, target: trigger.domain, details: { id: incident.id, client: trigger.client, group: ctx.group, category: trigger.category, detail: ctx.detail } });
    this.onOpenCount(this.open.size);
    this.notify(incident, true);
    return incident;
  }

  async acknowledge(id: string, actor: Actor, action: string, outcome: string): Promise<AckResult> {
    const i = (await this.store.incidents.get(id)) as Incident | undefined;
    if (!i) return { ok: false, code: 'SG_NOT_FOUND', message: `no incident ${id}` };
    if (i.status !== 'open') return { ok: false, code: 'SG_CONFLICT', message: 'already acknowledged' };
    if (action.trim().length < 3 || outcome.trim().length < 3) return { ok: false, code: 'SG_BAD_INPUT', message: 'record the action taken and the outcome' };
    const next: Incident = { ...i, status: 'acknowledged', ack: { by: actor.name, at: new Date(this.now()).toISOString(), action: action.trim(), outcome: outcome.trim() } };
    await this.save(next);
    await this.audit.append({ actor, action: 'incident.acknowledge', target: i.domains[0], details: { id, action: next.ack?.action, outcome: next.ack?.outcome } });
    this.onOpenCount(this.open.size);
    return { ok: true, value: next };
  }

  /** Newest first. */
  async list(filter: { status?: Incident['status']; limit?: number; since?: number } = {}): Promise<Incident[]> {
    const out: Incident[] = [];
    for await (const v of this.store.incidents.values({ reverse: true })) {
      const i = v as Incident;
      if (filter.since && Date.parse(i.lastAt) < filter.since) continue;
      if (filter.status && i.status !== filter.status) continue;
      out.push(i);
      if (out.length >= (filter.limit ?? 500)) break;
    }
    return out;
  }

  private async save(i: Incident): Promise<void> {
    await putDurable(this.store, this.store.incidents, i.id, i);
    if (i.status === 'open') this.open.set(i.id, i);
    else this.open.delete(i.id);
  }
}
