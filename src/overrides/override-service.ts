// The technician's main tool: time-limited, audited overrides. Validation is policy's pure
// checkOverride(); this shell stores records, audits every step (refusals included), enforces
// the two-person rule for "filtering off" and tells the daemon to rebuild its snapshot.
import { randomBytes } from 'node:crypto';
import type { Actor, AuditLog } from '../audit/index.js';
import { checkOverride, overrideStatus } from '../policy/index.js';
import type { Override, OverrideInput, OverrideRules, OverrideStatus } from '../policy/index.js';
import { putDurable } from '../store/index.js';
import type { Store } from '../store/index.js';

export type ServiceError = { ok: false; code: 'SG_LOCKED_CATEGORY' | 'SG_BAD_OVERRIDE' | 'SG_NOT_FOUND' | 'SG_FORBIDDEN' | 'SG_CONFLICT'; message: string };
export type ServiceResult<T> = { ok: true; value: T } | ServiceError;

export interface OverrideView extends Override {
  status: OverrideStatus;
}

export interface OverrideServiceDeps {
  store: Store;
  audit: AuditLog;
  now: () => number;
  rules: () => OverrideRules;
  normalise: (domain: string) => string | undefined;
  /** called with every current record after a change (the daemon rebuilds its snapshot) */
  onChange: (records: readonly Override[]) => void;
}

/** Expired and revoked overrides stay listed (and stored) this long for the record. */
const HISTORY_MS = 30 * 86_400_000;

export class OverrideService {
  private readonly records = new Map<string, Override>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: OverrideServiceDeps) {}

  async load(): Promise<void> {
    for await (const v of this.deps.store.overrides.values()) {
      const o = v as Override;
      this.records.set(o.id, o);
    }
    this.changed();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  all(): readonly Override[] {
    return [...this.records.values()];
  }

  list(): OverrideView[] {
    const now = this.deps.now();
    return this.all()
      .map((o) => ({ ...o, status: overrideStatus(o, now) }))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): OverrideView | undefined {
    const o = this.records.get(id);
    return o && { ...o, status: overrideStatus(o, this.deps.now()) };
  }

  async create(input: OverrideInput, actor: Actor, extra: { requestId?: string; source?: string } = {}): Promise<ServiceResult<OverrideView>> {
    const now = this.deps.now();
    const check = checkOverride(input, this.deps.rules(), now, this.deps.normalise);
    if (!check.ok) {
      // A refused attempt on a locked category is itself part of the record.
      if (check.code === 'SG_LOCKED_CATEGORY') {
        await this.deps.audit.append({ actor, action: 'override.refused', target: input.domain ?? input.category, reason: input.reason, source: extra.source, details: { why: check.message, input: { ...input } } });
      }
      return check;
    }
    const filterOff = 'all' in check.target;
    const override: Override = {
      id: randomBytes(6).toString('hex'),
      target: check.target,
      scope: check.scope,
      action: input.action ?? 'allow',
      reason: (input.reason ?? '').trim(),
      requestedBy: input.requestedBy?.trim() || undefined,
      grantedBy: actor.name,
      createdAt: new Date(now).toISOString(),
      startsAt: new Date(check.startsAt).toISOString(),
      expiresAt: new Date(check.expiresAt).toISOString(),
      approval: filterOff ? { required: true } : undefined,
      requestId: extra.requestId,
    };
    await this.save(override);
    await this.deps.audit.append({
      actor, action: filterOff ? 'filter-off.request' : 'override.create', target: describeTarget(override), reason: override.reason, source: extra.source,
      details: { id: override.id, scope: override.scope, action: override.action, expiresAt: override.expiresAt, requestedBy: override.requestedBy, requestId: override.requestId },
    });
    this.changed();
    return { ok: true, value: { ...override, status: overrideStatus(override, now) } };
  }

  /** The second person of the two-person rule: safeguarding, and not the one who asked. */
  async approve(id: string, actor: Actor, reason?: string): Promise<ServiceResult<OverrideView>> {
    const o = this.records.get(id);
    if (!o) return { ok: false, code: 'SG_NOT_FOUND', message: `no override ${id}` };
    if (!o.approval?.required || o.approval.approvedBy) return { ok: false, code: 'SG_CONFLICT', message: 'this override needs no approval' };
    if (overrideStatus(o, this.deps.now()) !== 'pending-approval') return { ok: false, code: 'SG_CONFLICT', message: 'this request is no longer pending' };
    if (actor.role !== 'safeguarding') return { ok: false, code: 'SG_FORBIDDEN', message: 'filtering off is approved by a safeguarding user' };
    if (actor.name === o.grantedBy) return { ok: false, code: 'SG_FORBIDDEN', message: 'the person who asked cannot approve it (two-person rule)' };
    const now = new Date(this.deps.now()).toISOString();
    const next: Override = { ...o, approval: { required: true, approvedBy: actor.name, approvedAt: now } };
    await this.save(next);
    await this.deps.audit.append({ actor, action: 'filter-off.approve', target: describeTarget(o), reason, details: { id, requestedBy: o.grantedBy, expiresAt: o.expiresAt } });
    this.changed();
    return { ok: true, value: { ...next, status: overrideStatus(next, this.deps.now()) } };
  }

  async revoke(id: string, actor: Actor, reason?: string): Promise<ServiceResult<OverrideView>> {
    const o = this.records.get(id);
    if (!o) return { ok: false, code: 'SG_NOT_FOUND', message: `no override ${id}` };
    const status = overrideStatus(o, this.deps.now());
    if (status === 'revoked' || status === 'expired') return { ok: false, code: 'SG_CONFLICT', message: `override ${id} is already ${status}` };
    const next: Override = { ...o, revokedAt: new Date(this.deps.now()).toISOString(), revokedBy: actor.name };
    await this.save(next);
    await this.deps.audit.append({ actor, action: 'override.revoke', target: describeTarget(o), reason, details: { id } });
    this.changed();
    return { ok: true, value: { ...next, status: 'revoked' } };
  }

  async extend(id: string, change: { minutes?: number; until?: string }, actor: Actor, reason?: string): Promise<ServiceResult<OverrideView>> {
    const o = this.records.get(id);
    if (!o) return { ok: false, code: 'SG_NOT_FOUND', message: `no override ${id}` };
    const now = this.deps.now();
    const status = overrideStatus(o, now);
    if (status === 'revoked' || status === 'expired') return { ok: false, code: 'SG_CONFLICT', message: `override ${id} is ${status}: create a new one` };
    const expiresAt = change.minutes !== undefined ? Math.max(now, Date.parse(o.expiresAt)) + change.minutes * 60_000 : Date.parse(change.until ?? '');
    const max = this.deps.rules().maxDurationSeconds * 1000;
    if (!Number.isFinite(expiresAt) || expiresAt <= now) return { ok: false, code: 'SG_BAD_OVERRIDE', message: 'give minutes (> 0) or an until in the future' };
    if (expiresAt - now > max) return { ok: false, code: 'SG_BAD_OVERRIDE', message: `longer than the maximum override (${Math.round(max / 3_600_000)} hours)` };
    const next: Override = { ...o, expiresAt: new Date(expiresAt).toISOString() };
    await this.save(next);
    await this.deps.audit.append({ actor, action: 'override.extend', target: describeTarget(o), reason, details: { id, from: o.expiresAt, to: next.expiresAt } });
    this.changed();
    return { ok: true, value: { ...next, status: overrideStatus(next, now) } };
  }

  private async save(o: Override): Promise<void> {
    await putDurable(this.deps.store, this.deps.store.overrides, o.id, o);
    this.records.set(o.id, o);
  }

  /** Rebuild the snapshot now, and again at the next expiry (with an audit line for it). */
  private changed(): void {
    const now = this.deps.now();
    for (const [id, o] of this.records) {
      const end = Date.parse(o.revokedAt ?? o.expiresAt);
      if (now - end > HISTORY_MS) {
        this.records.delete(id);
        void this.deps.store.overrides.del(id);
      }
    }
    this.deps.onChange(this.all());
    clearTimeout(this.timer);
    const next = Math.min(...this.all().filter((o) => overrideStatus(o, now) === 'active' || overrideStatus(o, now) === 'pending-approval').map((o) => Date.parse(o.expiresAt)));
    if (Number.isFinite(next)) {
      // setTimeout caps at ~24.8 days; re-arm from there.
      this.timer = setTimeout(() => this.expired(), Math.min(Math.max(0, next - now), 2 ** 31 - 1));
      this.timer.unref();
    }
  }

  private expired(): void {
    const now = this.deps.now();
    const done = this.all().filter((o) => !o.revokedAt && Date.parse(o.expiresAt) <= now && Date.parse(o.expiresAt) > now - 60_000);
    for (const o of done) {
      void this.deps.audit.append({ actor: { name: 'schoolgate', kind: 'system' }, action: 'override.expire', target: describeTarget(o), details: { id: o.id } });
    }
    this.changed();
  }
}

export function describeTarget(o: Override): string {
  const what = 'domain' in o.target ? o.target.domain : 'category' in o.target ? `category ${o.target.category}` : 'all categories (filtering off)';
  const who = 'group' in o.scope ? `group ${o.scope.group}` : 'client' in o.scope ? `device ${o.scope.client}` : 'mac' in o.scope ? `device ${o.scope.mac}` : 'the whole school';
  return `${what} for ${who}`;
}
