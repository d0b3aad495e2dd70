// Four-eyes mode (governance.fourEyes): a policy change made in the UI or API, or a changed config
// file reloaded from disk, becomes a proposal. A second person — a different user with a
// different role — approves or rejects it with a reason; only then does it apply. Unapproved
// proposals lapse. The audit chain records proposer, approver, the diff and both reasons.
// Overrides are not policy changes and keep their own rules.
import { randomBytes } from 'node:crypto';
import type { Actor, AuditLog } from '../audit/index.js';
import { parseDuration } from '../schema/index.js';
import { putDurable } from '../store/index.js';
import type { Store } from '../store/index.js';
import type { ConfigChangeResult, ConfigService } from './config-service.js';

export interface Proposal {
  id: string;
  /** a value at a config path, or a whole new config text (a reload from disk) */
  change: { kind: 'set'; path: (string | number)[]; value: unknown } | { kind: 'text'; text: string };
  summary: string;
  proposer: { name: string; role?: string };
  reason?: string;
  createdAt: string;
  expiresAt: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'failed';
  decidedBy?: { name: string; role?: string };
  decidedAt?: string;
  decisionReason?: string;
  error?: string;
}

export type ProposalResult = { ok: true; value: Proposal } | { ok: false; code: 'SG_NOT_FOUND' | 'SG_FORBIDDEN' | 'SG_CONFLICT' | 'SG_BAD_INPUT'; message: string };

export class ProposalService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly config: ConfigService,
    private readonly now: () => number,
  ) {}

  get enabled(): boolean {
    return this.config.current.governance.fourEyes;
  }

  async propose(change: Proposal['change'], summary: string, actor: Actor, reason?: string): Promise<ProposalResult> {
    // Validate now, so nobody is asked to approve a change that cannot apply.
    const check = await this.config.dryRun(change);
    if (!check.ok) return { ok: false, code: 'SG_BAD_INPUT', message: check.message };
    const now = this.now();
    const ttl = (parseDuration(this.config.current.governance.proposalExpiry) ?? 7 * 86400) * 1000;
    const p: Proposal = {
      id: `${now.toString(36)}-${randomBytes(3).toString('hex')}`,
      change, summary, proposer: { name: actor.name, role: actor.role ?? actor.kind }, reason,
      createdAt: new Date(now).toISOString(), expiresAt: new Date(now + ttl).toISOString(), status: 'pending',
    };
    await putDurable(this.store, this.store.proposals, p.id, p);
    await this.audit.append({ actor, action: 'proposal.create', target: summary, reason, details: { id: p.id, change: describeChange(change), diff: check.changed } });
    return { ok: true, value: p };
  }

  async list(status?: Proposal['status']): Promise<Proposal[]> {
    const out: Proposal[] = [];
    for await (const v of this.store.proposals.values({ reverse: true })) {
      const p = await this.lapse(v as Proposal);
      if (!status || p.status === status) out.push(p);
      if (out.length >= 500) break;
    }
    return out;
  }

  async approve(id: string, actor: Actor, reason: string): Promise<ProposalResult> {
    const p = await this.pending(id, actor, reason);
    if (!p.ok) return p;
    const applied: ConfigChangeResult = p.value.change.kind === 'set'
      ? await this.config.set(p.value.change.path, p.value.change.value, actor, `${p.value.reason ?? ''} / approved: ${reason}`, { proposal: p.value.id, proposer: p.value.proposer.name })
      : await this.config.applyText(p.value.change.text, actor, `approved: ${reason}`, { proposal: p.value.id, proposer: p.value.proposer.name });
    const decided: Proposal = {
      ...p.value, status: applied.ok ? 'approved' : 'failed', decidedBy: { name: actor.name, role: actor.role ?? actor.kind },
      decidedAt: new Date(this.now()).toISOString(), decisionReason: reason, error: applied.ok ? undefined : applied.message,
    };
    await putDurable(this.store, this.store.proposals, id, decided);
    await this.audit.append({ actor, action: applied.ok ? 'proposal.approve' : 'proposal.failed', target: p.value.summary, reason, details: { id, proposer: p.value.proposer, proposerReason: p.value.reason, error: decided.error } });
    return applied.ok ? { ok: true, value: decided } : { ok: false, code: 'SG_CONFLICT', message: `approved, but it no longer applies: ${applied.message}` };
  }

  async reject(id: string, actor: Actor, reason: string): Promise<ProposalResult> {
    const p = await this.pending(id, actor, reason);
    if (!p.ok) return p;
    const decided: Proposal = { ...p.value, status: 'rejected', decidedBy: { name: actor.name, role: actor.role ?? actor.kind }, decidedAt: new Date(this.now()).toISOString(), decisionReason: reason };
    await putDurable(this.store, this.store.proposals, id, decided);
    await this.audit.append({ actor, action: 'proposal.reject', target: p.value.summary, reason, details: { id, proposer: p.value.proposer } });
    return { ok: true, value: decided };
  }

  private async pending(id: string, actor: Actor, reason: string): Promise<ProposalResult> {
    const stored = (await this.store.proposals.get(id)) as Proposal | undefined;
    if (!stored) return { ok: false, code: 'SG_NOT_FOUND', message: `no proposal ${id}` };
    const p = await this.lapse(stored);
    if (p.status !== 'pending') return { ok: false, code: 'SG_CONFLICT', message: `proposal ${id} is ${p.status}` };
    if (!reason || reason.trim().length < 3) return { ok: false, code: 'SG_BAD_INPUT', message: 'a reason is required' };
    if (actor.name === p.proposer.name) return { ok: false, code: 'SG_FORBIDDEN', message: 'nobody approves or rejects their own proposal' };
    if ((actor.role ?? actor.kind) === p.proposer.role) return { ok: false, code: 'SG_FORBIDDEN', message: `a second person with a different role than the proposer (${p.proposer.role}) must decide` };
    return { ok: true, value: p };
  }

  /** Marks (and audits, once) a pending proposal past its expiry. */
  private async lapse(p: Proposal): Promise<Proposal> {
    if (p.status !== 'pending' || Date.parse(p.expiresAt) > this.now()) return p;
    const expired: Proposal = { ...p, status: 'expired' };
    await putDurable(this.store, this.store.proposals, p.id, expired);
    await this.audit.append({ actor: { name: 'schoolgate', kind: 'system' }, action: 'proposal.expire', target: p.summary, details: { id: p.id, proposer: p.proposer } });
    return expired;
  }
}

function describeChange(c: Proposal['change']): unknown {
  return c.kind === 'set' ? { path: c.path.join('.'), value: c.value } : { file: 'whole config (reloaded from disk)' };
}
