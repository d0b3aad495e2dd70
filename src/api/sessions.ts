// Admin sessions, kept in the store so a restart (an update, a power cut) does not sign the
// technician out mid-lesson. The cookie carries a random id; the store keeps only its SHA-256,
// so a copied store or backup holds no usable session. Each session has its own CSRF token.
// Sessions end after `idle` without use and `max` after sign-in; lastSeen is written at most
// every few minutes (SD-card care).
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../audit/index.js';
import type { Sublevel } from '../store/index.js';

export interface SessionRecord {
  user: string;
  role: Role;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  /** the address it signed in from (for the record) */
  ip: string;
}

export interface Session extends SessionRecord {
  id: string;
  expiresAt: number;
}

const TOUCH_EVERY_MS = 5 * 60_000;

export const newSecret = (): string => randomBytes(32).toString('base64url');
const keyOf = (id: string) => createHash('sha256').update(id).digest('hex');

export class SessionStore {
  constructor(
    private readonly db: Sublevel,
    private readonly now: () => number,
    private readonly limits: () => { idleMs: number; maxMs: number },
  ) {}

  async create(user: string, role: Role, ip: string): Promise<Session> {
    const id = newSecret();
    const now = this.now();
    const record: SessionRecord = { user, role, csrf: newSecret(), createdAt: now, lastSeenAt: now, ip };
    await this.db.put(keyOf(id), record);
    return { ...record, id, expiresAt: this.expiry(record) };
  }

  /** The live session for a cookie value, or undefined (unknown, idle too long, too old). */
  async get(id: string): Promise<Session | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const key = keyOf(id);
    const record = (await this.db.get(key)) as SessionRecord | undefined;
    if (!record) return undefined;
    const now = this.now();
    if (now >= this.expiry(record)) {
      await this.db.del(key);
      return undefined;
    }
    if (now - record.lastSeenAt >= TOUCH_EVERY_MS) {
      record.lastSeenAt = now;
      await this.db.put(key, record);
    }
    return { ...record, id, expiresAt: this.expiry(record) };
  }

  async destroy(id: string): Promise<void> {
    await this.db.del(keyOf(id));
  }

  /** Ends every session of a user (removed, password changed); `keep` survives (the caller's). */
  async destroyUser(user: string, keep?: string): Promise<number> {
    const keepKey = keep ? keyOf(keep) : undefined;
    const dead: string[] = [];
    for await (const [key, v] of this.db.iterator()) {
      if ((v as SessionRecord).user === user && key !== keepKey) dead.push(key);
    }
    await this.db.batch(dead.map((key) => ({ type: 'del' as const, key })));
    return dead.length;
  }

  /** Drops expired sessions (at start and hourly). */
  async sweep(): Promise<number> {
    const now = this.now();
    const dead: string[] = [];
    for await (const [key, v] of this.db.iterator()) {
      if (now >= this.expiry(v as SessionRecord)) dead.push(key);
    }
    await this.db.batch(dead.map((key) => ({ type: 'del' as const, key })));
    return dead.length;
  }

  private expiry(r: SessionRecord): number {
    const { idleMs, maxMs } = this.limits();
    return Math.min(r.lastSeenAt + idleMs, r.createdAt + maxMs);
  }
}
