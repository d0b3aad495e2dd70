// The append-only audit log: every change (config, policy, lists, overrides, approvals, logins,
// users, filtering off) with who, when, what and why. Each entry hashes the one before it, so an
// edited, removed or truncated entry breaks the chain at a place verify() names. The chain head
// is written in the same atomic batch as the entry, so truncating the tail is detected too.
import { createHash } from 'node:crypto';
import type { Store } from '../store/index.js';
import { canonicalJson } from './canonical-json.js';

export type Role = 'technician' | 'safeguarding' | 'viewer';

/** Who did it: a user with a role, a script's token, the daemon itself, or root on the CLI. */
export interface Actor {
  name: string;
  kind: 'user' | 'token' | 'system' | 'cli' | 'anonymous';
  role?: Role;
}

export const SYSTEM: Actor = { name: 'schoolgate', kind: 'system' };

export interface AuditInput {
  actor: Actor;
  /** dotted verb: override.create, override.refused, login.failed, lists.update, … */
  action: string;
  target?: string;
  reason?: string;
  details?: Record<string, unknown>;
  /** e.g. the client IP of an API call */
  source?: string;
}

export interface AuditEntry extends AuditInput {
  seq: number;
  time: string;
  prev: string;
  hash: string;
}

export type VerifyResult =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; seq: number; problem: string };

const GENESIS = '0'.repeat(64);
const HEAD_KEY = 'audit.head';
const keyOf = (seq: number) => seq.toString().padStart(12, '0');

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const { seq, time, prev, actor, action, target, reason, details, source } = e;
  return createHash('sha256').update(canonicalJson({ seq, time, prev, actor, action, target, reason, details, source })).digest('hex');
}

export class AuditLog {
  private head: { seq: number; hash: string } = { seq: 0, hash: GENESIS };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly onAppend: (entry: AuditEntry) => void = () => undefined,
  ) {}

  /** Reads the chain head. A tail shorter than the recorded head stays visible to verify(). */
  async open(): Promise<void> {
    const recorded = (await this.store.settings.get(HEAD_KEY)) as { seq: number; hash: string } | undefined;
    let last: AuditEntry | undefined;
    for await (const v of this.store.audit.values({ reverse: true, limit: 1 })) last = v as AuditEntry;
    const fromEntries = last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS };
    this.head = recorded && recorded.seq > fromEntries.seq ? recorded : fromEntries;
  }

  append(input: AuditInput): Promise<AuditEntry> {
    const run = this.queue.then(async () => {
      const seq = this.head.seq + 1;
      const base = { ...input, seq, time: new Date(this.now()).toISOString(), prev: this.head.hash };
      const entry: AuditEntry = { ...base, hash: entryHash(base) };
      await this.store.db.batch<string, unknown>([
        { type: 'put', sublevel: this.store.audit, key: keyOf(seq), value: entry },
        { type: 'put', sublevel: this.store.settings, key: HEAD_KEY, value: { seq, hash: entry.hash } },
      ], { sync: true });
      this.head = { seq, hash: entry.hash };
      this.onAppend(entry);
      return entry;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Newest first. */
  async list(opts: { limit?: number; beforeSeq?: number; action?: string } = {}): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    const limit = Math.min(opts.limit ?? 100, 1000);
    const range = opts.beforeSeq ? { lt: keyOf(opts.beforeSeq) } : {};
    for await (const v of this.store.audit.values({ ...range, reverse: true })) {
      const e = v as AuditEntry;
      if (opts.action && !e.action.startsWith(opts.action)) continue;
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  async verify(): Promise<VerifyResult> {
    await this.queue;
    const recorded = (await this.store.settings.get(HEAD_KEY)) as { seq: number; hash: string } | undefined;
    return verifyChain(this.store.audit.iterator(), recorded);
  }

  /** CSV for the e-safety committee: one row per entry, oldest first. */
  async *csv(): AsyncGenerator<string> {
    yield 'seq,time,actor,actor_kind,role,action,target,reason,source,details,hash\n';
    for await (const v of this.store.audit.values()) {
      const e = v as AuditEntry;
      yield `${[e.seq, e.time, e.actor.name, e.actor.kind, e.actor.role ?? '', e.action, e.target ?? '', e.reason ?? '', e.source ?? '', e.details ? JSON.stringify(e.details) : '', e.hash].map(csvCell).join(',')}\n`;
    }
  }
}

function csvCell(v: string | number): string {
  const s = String(v);
  // Neutralise spreadsheet formulas as well as quoting separators.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Checks a chain given as [key, entry] pairs in key order (the store's iterator, or a backup's
 * records), against the recorded head if there is one.
 */
export async function verifyChain(entries: AsyncIterable<[string, unknown]> | Iterable<[string, unknown]>, recorded?: { seq: number; hash: string }): Promise<VerifyResult> {
  let expected = 1;
  let prev = GENESIS;
  let count = 0;
  for await (const [key, v] of entries) {
    const e = v as AuditEntry;
    if (key !== keyOf(e.seq)) return { ok: false, entries: count, seq: e.seq, problem: `entry stored under key ${key} claims to be entry ${e.seq}` };
    if (e.seq !== expected) return { ok: false, entries: count, seq: expected, problem: `entry ${expected}${e.seq > expected + 1 ? `–${e.seq - 1}` : ''} missing (next is ${e.seq})` };
    if (e.prev !== prev) return { ok: false, entries: count, seq: e.seq, problem: `entry ${e.seq} does not follow entry ${e.seq - 1} (chain broken)` };
    const { hash, ...rest } = e;
    if (entryHash(rest) !== hash) return { ok: false, entries: count, seq: e.seq, problem: `entry ${e.seq} was altered (hash mismatch)` };
    prev = hash;
    expected++;
    count++;
  }
  if (recorded && (recorded.seq !== count || recorded.hash !== prev)) {
    return { ok: false, entries: count, seq: recorded.seq, problem: `the log ends at entry ${count} but entry ${recorded.seq} was written (entries removed from the end)` };
  }
  return { ok: true, entries: count, head: prev };
}

export const AUDIT_HEAD_KEY = HEAD_KEY;
