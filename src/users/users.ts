// Admin accounts and API tokens. Passwords are scrypt hashes; tokens are random secrets of which
// only a SHA-256 is stored. Ten failed logins lock an account for a while (the API rate-limits
// before that). Every change is audited.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Store } from '../store/index.js';
import type { Actor, AuditLog, Role } from '../audit/index.js';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

export const ROLES: readonly Role[] = ['technician', 'safeguarding', 'viewer'];
export const MIN_PASSWORD = 10;
export const LOCKOUT_AFTER = 10;
export const LOCKOUT_MS = 15 * 60_000;
// N = 2^14 (16 MiB, ~50 ms on a Pi 4): slow for an attacker, fine for a login.
const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export interface User {
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
  failedLogins: number;
  lockedUntil?: string;
  lastLoginAt?: string;
}

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  hash: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt?: string;
}

export type UserResult<T = User> = { ok: true; value: T } | { ok: false; code: 'SG_BAD_INPUT' | 'SG_EXISTS' | 'SG_NOT_FOUND'; message: string };

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; code: 'SG_BAD_LOGIN' | 'SG_LOCKED'; message: string; lockedUntil?: string };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const userKey = (name: string) => `user:${name}`;
const tokenKey = (id: string) => `token:${id}`;

export class Users {
  constructor(private readonly store: Store, private readonly audit: AuditLog, private readonly now: () => number) {}

  async add(name: string, role: string, password: string, actor: Actor): Promise<UserResult> {
    if (!/^[a-z0-9][a-z0-9._-]{1,31}$/i.test(name)) return { ok: false, code: 'SG_BAD_INPUT', message: 'a user name is 2–32 letters, digits, ".", "_" or "-"' };
    if (!ROLES.includes(role as Role)) return { ok: false, code: 'SG_BAD_INPUT', message: `role must be one of ${ROLES.join(', ')}` };
    if (password.length < MIN_PASSWORD) return { ok: false, code: 'SG_BAD_INPUT', message: `a password needs at least ${MIN_PASSWORD} characters` };
    if (await this.get(name)) return { ok: false, code: 'SG_EXISTS', message: `user "${name}" already exists` };
    const user: User = { name, role: role as Role, passwordHash: await hashPassword(password), createdAt: new Date(this.now()).toISOString(), failedLogins: 0 };
    await this.store.users.put(userKey(name), user);
    await this.audit.append({ actor, action: 'user.add', target: name, details: { role } });
    return { ok: true, value: user };
  }

  async get(name: string): Promise<User | undefined> {
    return (await this.store.users.get(userKey(name))) as User | undefined;
  }

  async list(): Promise<Omit<User, 'passwordHash'>[]> {
    const out: Omit<User, 'passwordHash'>[] = [];
    for await (const v of this.store.users.values({ gte: 'user:', lt: 'user;' })) {
      const { passwordHash: _hidden, ...rest } = v as User;
      out.push(rest);
    }
    return out;
  }

  async count(): Promise<number> {
    let n = 0;
    for await (const _ of this.store.users.keys({ gte: 'user:', lt: 'user;' })) n++;
    return n;
  }

  async remove(name: string, actor: Actor): Promise<UserResult<true>> {
    if (!(await this.get(name))) return { ok: false, code: 'SG_NOT_FOUND', message: `no user "${name}"` };
    await this.store.users.del(userKey(name));
    await this.audit.append({ actor, action: 'user.remove', target: name });
    return { ok: true, value: true };
  }

  async setPassword(name: string, password: string, actor: Actor): Promise<UserResult> {
    const user = await this.get(name);
    if (!user) return { ok: false, code: 'SG_NOT_FOUND', message: `no user "${name}"` };
    if (password.length < MIN_PASSWORD) return { ok: false, code: 'SG_BAD_INPUT', message: `a password needs at least ${MIN_PASSWORD} characters` };
    const next: User = { ...user, passwordHash: await hashPassword(password), failedLogins: 0, lockedUntil: undefined };
    await this.store.users.put(userKey(name), next);
    await this.audit.append({ actor, action: 'user.password', target: name });
    return { ok: true, value: next };
  }

  /** Checks a login and keeps the failure count; the lockout and each failure are audited. */
  async login(name: string, password: string, source: string): Promise<LoginResult> {
    const user = await this.get(name);
    const now = this.now();
    const bad = { ok: false as const, code: 'SG_BAD_LOGIN' as const, message: 'wrong user name or password' };
    if (!user) {
      await checkPassword(password, DUMMY_HASH); // same time as a real check: no user enumeration
      await this.audit.append({ actor: { name, kind: 'anonymous' }, action: 'login.failed', target: name, source, details: { why: 'unknown user' } });
      return bad;
    }
    if (user.lockedUntil && Date.parse(user.lockedUntil) > now) {
      await this.audit.append({ actor: { name, kind: 'anonymous' }, action: 'login.refused', target: name, source, details: { why: 'locked', lockedUntil: user.lockedUntil } });
      return { ok: false, code: 'SG_LOCKED', message: `account locked until ${user.lockedUntil} after too many failed logins`, lockedUntil: user.lockedUntil };
    }
    if (!(await checkPassword(password, user.passwordHash))) {
      const failedLogins = user.failedLogins + 1;
      const lockedUntil = failedLogins >= LOCKOUT_AFTER ? new Date(now + LOCKOUT_MS).toISOString() : undefined;
      await this.store.users.put(userKey(name), { ...user, failedLogins: lockedUntil ? 0 : failedLogins, lockedUntil });
      await this.audit.append({ actor: { name, kind: 'anonymous' }, action: lockedUntil ? 'login.locked' : 'login.failed', target: name, source, details: { failedLogins, lockedUntil } });
      return lockedUntil ? { ok: false, code: 'SG_LOCKED', message: `account locked until ${lockedUntil} after too many failed logins`, lockedUntil } : bad;
    }
    const next: User = { ...user, failedLogins: 0, lockedUntil: undefined, lastLoginAt: new Date(now).toISOString() };
    await this.store.users.put(userKey(name), next);
    await this.audit.append({ actor: { name, kind: 'user', role: user.role }, action: 'login', target: name, source });
    return { ok: true, user: next };
  }

  /** A new API token for scripts; the secret is returned once and never stored. */
  async addToken(name: string, role: string, actor: Actor): Promise<UserResult<{ token: string; record: TokenRecord }>> {
    if (!/^[a-z0-9][a-z0-9._-]{1,63}$/i.test(name)) return { ok: false, code: 'SG_BAD_INPUT', message: 'a token name is 2–64 letters, digits, ".", "_" or "-"' };
    if (!ROLES.includes(role as Role)) return { ok: false, code: 'SG_BAD_INPUT', message: `role must be one of ${ROLES.join(', ')}` };
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(24).toString('base64url');
    const record: TokenRecord = { id, name, role: role as Role, hash: sha256(secret), createdAt: new Date(this.now()).toISOString(), createdBy: actor.name };
    await this.store.users.put(tokenKey(id), record);
    await this.audit.append({ actor, action: 'token.add', target: name, details: { id, role } });
    return { ok: true, value: { token: `sg_${id}_${secret}`, record } };
  }

  async checkToken(token: string): Promise<TokenRecord | undefined> {
    const m = /^sg_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(token);
    if (!m) return undefined;
    const record = (await this.store.users.get(tokenKey(m[1]))) as TokenRecord | undefined;
    if (!record) return undefined;
    const a = Buffer.from(record.hash, 'hex');
    const b = Buffer.from(sha256(m[2]), 'hex');
    return a.length === b.length && timingSafeEqual(a, b) ? record : undefined;
  }

  async listTokens(): Promise<Omit<TokenRecord, 'hash'>[]> {
    const out: Omit<TokenRecord, 'hash'>[] = [];
    for await (const v of this.store.users.values({ gte: 'token:', lt: 'token;' })) {
      const { hash: _hidden, ...rest } = v as TokenRecord;
      out.push(rest);
    }
    return out;
  }

  async revokeToken(id: string, actor: Actor): Promise<UserResult<true>> {
    const record = (await this.store.users.get(tokenKey(id))) as TokenRecord | undefined;
    if (!record) return { ok: false, code: 'SG_NOT_FOUND', message: `no token ${id}` };
    await this.store.users.del(tokenKey(id));
    await this.audit.append({ actor, action: 'token.revoke', target: record.name, details: { id } });
    return { ok: true, value: true };
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

const DUMMY_HASH = `scrypt$${SCRYPT.N}$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
