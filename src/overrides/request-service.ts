// Access requests from the block page ("I need this site for my coursework") and the
// technician's answer: approve (an override carrying the request's reason) or decline with a
// reason. The requester's block page shows the outcome on reload.
import { randomBytes } from 'node:crypto';
import type { Actor, AuditLog } from '../audit/index.js';
import type { Store } from '../store/index.js';
import type { OverrideService, ServiceResult } from './override-service.js';

export interface AccessRequest {
  id: string;
  type: 'access' | 'report';
  domain: string;
  reason: string;
  /** who asked (free text from the form) */
  name?: string;
  /** suggested category (reports) */
  category?: string;
  client: string;
  mac?: string;
  hostname?: string;
  group: string;
  createdAt: string;
  status: 'open' | 'approved' | 'declined';
  decidedBy?: string;
  decidedAt?: string;
  decision?: string;
  overrideId?: string;
  expiresAt?: string;
}

export interface RequestInput {
  domain: string;
  reason: string;
  name?: string;
  category?: string;
}

export interface Requester {
  ip: string;
  mac?: string;
  hostname?: string;
  group: string;
}

/** Per device: at most this many new requests per hour (the API also rate-limits per IP). */
const PER_HOUR = 10;
const MAX_REASON = 500;

/** Adds an approved reported site to the school's deny list (see daemon/deny-list.ts). */
export interface DenyListWriter {
  add(domain: string): Promise<{ ok: true; category: string; list: string } | { ok: false; message: string }>;
}

export class RequestService {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly overrides: OverrideService,
    private readonly now: () => number,
    private readonly normalise: (d: string) => string | undefined,
    private readonly denyList?: DenyListWriter,
    private readonly perHour: () => number = () => PER_HOUR,
  ) {}

  async create(type: AccessRequest['type'], input: RequestInput, who: Requester): Promise<ServiceResult<AccessRequest>> {
    const domain = this.normalise(String(input.domain ?? ''));
    if (!domain) return { ok: false, code: 'SG_BAD_OVERRIDE', message: 'that is not a domain name' };
    const reason = String(input.reason ?? '').trim().slice(0, MAX_REASON);
    if (reason.length < 3) return { ok: false, code: 'SG_BAD_OVERRIDE', message: 'please say why' };
    const now = this.now();
    const stamps = (this.recent.get(who.ip) ?? []).filter((t) => now - t < 3_600_000);
    if (stamps.length >= this.perHour()) return { ok: false, code: 'SG_FORBIDDEN', message: 'too many requests from this device; try again later' };
    const existing = (await this.list({ status: 'open' })).find((r) => r.type === type && r.client === who.ip && r.domain === domain);
    if (existing) return { ok: true, value: existing };
    stamps.push(now);
    this.recent.set(who.ip, stamps);
    if (this.recent.size > 10_000) this.recent.clear();
    const request: AccessRequest = {
      id: `${now.toString(36)}-${randomBytes(3).toString('hex')}`,
      type, domain, reason, name: input.name?.trim().slice(0, 100) || undefined,
      category: input.category?.trim().slice(0, 64) || undefined,
      client: who.ip, mac: who.mac, hostname: who.hostname, group: who.group,
      createdAt: new Date(now).toISOString(), status: 'open',
    };
    await this.store.requests.put(request.id, request);
    await this.audit.append({ actor: { name: request.name ?? who.ip, kind: 'anonymous' }, action: `request.${type}`, target: domain, reason, source: who.ip, details: { id: request.id, group: who.group } });
    return { ok: true, value: request };
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    return (await this.store.requests.get(id)) as AccessRequest | undefined;
  }

  /** Newest first. */
  async list(filter: { status?: AccessRequest['status']; type?: AccessRequest['type']; limit?: number } = {}): Promise<AccessRequest[]> {
    const out: AccessRequest[] = [];
    for await (const v of this.store.requests.values({ reverse: true })) {
      const r = v as AccessRequest;
      if (filter.status && r.status !== filter.status) continue;
      if (filter.type && r.type !== filter.type) continue;
      out.push(r);
      if (out.length >= (filter.limit ?? 500)) break;
    }
    return out;
  }

  /** The latest request of this device for this name: what its block page shows. */
  async latestFor(client: string, domain: string): Promise<AccessRequest | undefined> {
    return (await this.list({ limit: 2000 })).find((r) => r.client === client && r.domain === domain);
  }

  async approve(id: string, actor: Actor, answer: { minutes?: number; until?: string; scope?: 'group' | 'device'; note?: string }): Promise<ServiceResult<AccessRequest>> {
    const r = await this.get(id);
    if (!r) return { ok: false, code: 'SG_NOT_FOUND', message: `no request ${id}` };
    if (r.status !== 'open') return { ok: false, code: 'SG_CONFLICT', message: `request ${id} is already ${r.status}` };
    if (r.type !== 'access') return { ok: false, code: 'SG_CONFLICT', message: 'reports are handled by adding the site to the deny list' };
    const scope = answer.scope === 'device' ? { client: r.client } : { group: r.group };
    const reason = `access request ${r.id}${r.name ? ` from ${r.name}` : ''}: ${r.reason}${answer.note ? ` — ${answer.note}` : ''}`;
    const created = await this.overrides.create({ domain: r.domain, ...scope, minutes: answer.until ? undefined : answer.minutes ?? 60, until: answer.until, reason, requestedBy: r.name ?? r.client }, actor, { requestId: r.id });
    if (!created.ok) return created;
    const next: AccessRequest = { ...r, status: 'approved', decidedBy: actor.name, decidedAt: new Date(this.now()).toISOString(), decision: answer.note, overrideId: created.value.id, expiresAt: created.value.expiresAt };
    await this.store.requests.put(id, next);
    await this.audit.append({ actor, action: 'request.approve', target: r.domain, reason: answer.note, details: { id, overrideId: created.value.id } });
    return { ok: true, value: next };
  }

  /** A report of under-blocking, approved: the site goes on the school's deny list at once. */
  async approveReport(id: string, actor: Actor, note?: string): Promise<ServiceResult<AccessRequest>> {
    const r = await this.get(id);
    if (!r) return { ok: false, code: 'SG_NOT_FOUND', message: `no request ${id}` };
    if (r.type !== 'report') return { ok: false, code: 'SG_CONFLICT', message: 'this is an access request, not a report' };
    if (r.status !== 'open') return { ok: false, code: 'SG_CONFLICT', message: `report ${id} is already ${r.status}` };
    if (!this.denyList) return { ok: false, code: 'SG_CONFLICT', message: 'no deny list is configured (reports.list)' };
    const added = await this.denyList.add(r.domain);
    if (!added.ok) return { ok: false, code: 'SG_CONFLICT', message: added.message };
    const next: AccessRequest = { ...r, status: 'approved', decidedBy: actor.name, decidedAt: new Date(this.now()).toISOString(), decision: note ?? `added to ${added.list}` };
    await this.store.requests.put(id, next);
    await this.audit.append({ actor, action: 'report.approve', target: r.domain, reason: note, details: { id, list: added.list, category: added.category, reportedBy: r.name ?? r.client, suggested: r.category } });
    return { ok: true, value: next };
  }

  async decline(id: string, actor: Actor, reason: string): Promise<ServiceResult<AccessRequest>> {
    const r = await this.get(id);
    if (!r) return { ok: false, code: 'SG_NOT_FOUND', message: `no request ${id}` };
    if (r.status !== 'open') return { ok: false, code: 'SG_CONFLICT', message: `request ${id} is already ${r.status}` };
    if (!reason || reason.trim().length < 3) return { ok: false, code: 'SG_BAD_OVERRIDE', message: 'a reason is required to decline' };
    const next: AccessRequest = { ...r, status: 'declined', decidedBy: actor.name, decidedAt: new Date(this.now()).toISOString(), decision: reason.trim() };
    await this.store.requests.put(id, next);
    await this.audit.append({ actor, action: 'request.decline', target: r.domain, reason: reason.trim(), details: { id } });
    return { ok: true, value: next };
  }
}
