// Visitors' log-in: the school office issues codes (for a day, a week, or a number of devices);
// a device in a portal group signs in with one (or with a staff account) and its MAC is bound to
// that user and group until the code expires. Every step goes into the visitors' log and the
// audit chain. Bindings are read on the query path from the snapshot (see identity-service.ts).
import { randomInt } from 'node:crypto';
import type { Actor, AuditLog } from '../audit/index.js';
import type { Store } from '../store/index.js';

// No 0/O, 1/I/L: codes are read off a printed slip.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;
const MAX_HOURS = 24 * 31;

export interface VisitorCode {
  code: string;
  issuedBy: string;
  note?: string;
  createdAt: string;
  expiresAt: string;
  /** how many devices may sign in with it */
  devices: number;
  /** MACs (or IPs) that signed in with it */
  used: string[];
  revokedAt?: string;
}

export interface Binding {
  /** MAC, or the IP when the neighbour table has no MAC for it */
  device: string;
  ip: string;
  user: string;
  group: string;
  kind: 'visitor' | 'staff';
  code?: string;
  since: string;
  expiresAt: string;
}

export interface VisitorLogEntry {
  time: string;
  event: 'code.issued' | 'signed-in' | 'sign-in.refused' | 'expired' | 'code.revoked';
  device?: string;
  ip?: string;
  code?: string;
  user?: string;
  note?: string;
  issuer?: string;
  detail?: string;
}

export type VisitorResult<T> = { ok: true; value: T } | { ok: false; code: 'SG_BAD_INPUT' | 'SG_BAD_LOGIN' | 'SG_FORBIDDEN' | 'SG_NOT_FOUND'; message: string };

export class VisitorService {
  private bindings = new Map<string, Binding>();
  private attempts = new Map<string, number[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly now: () => number,
    private readonly onChange: (bindings: ReadonlyMap<string, Binding>) => void,
  ) {}

  async load(): Promise<void> {
    for await (const v of this.store.visitors.values({ gte: 'binding:', lt: 'binding;' })) {
      const b = v as Binding;
      this.bindings.set(b.device, b);
    }
    await this.sweep();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  active(): Binding[] {
    return [...this.bindings.values()];
  }

  async issue(input: { minutes?: number; hours?: number; until?: string; devices?: number; note?: string }, actor: Actor): Promise<VisitorResult<VisitorCode>> {
    const now = this.now();
    const set = [input.minutes, input.hours, input.until].filter((v) => v !== undefined).length;
    if (set !== 1) return { ok: false, code: 'SG_BAD_INPUT', message: 'give one of minutes, hours or until' };
    const expiresAt = input.until !== undefined ? Date.parse(input.until) : now + ((input.minutes ?? 0) + (input.hours ?? 0) * 60) * 60_000;
    if (!Number.isFinite(expiresAt) || expiresAt <= now) return { ok: false, code: 'SG_BAD_INPUT', message: 'the code must expire in the future' };
    if (expiresAt - now > MAX_HOURS * 3_600_000) return { ok: false, code: 'SG_BAD_INPUT', message: `a code lasts at most ${MAX_HOURS / 24} days` };
    const devices = input.devices ?? 1;
    if (!Number.isInteger(devices) || devices < 1 || devices > 500) return { ok: false, code: 'SG_BAD_INPUT', message: 'devices must be 1 to 500' };
    const note = input.note?.trim().slice(0, 200) || undefined;
    let code = '';
    for (let tries = 0; tries < 10; tries++) {
      code = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
      if (!(await this.store.visitors.get(`code:${code}`))) break;
    }
    const record: VisitorCode = { code, issuedBy: actor.name, note, createdAt: new Date(now).toISOString(), expiresAt: new Date(expiresAt).toISOString(), devices, used: [] };
    await this.store.visitors.put(`code:${code}`, record);
    await this.log({ event: 'code.issued', code, note, issuer: actor.name, detail: `until ${record.expiresAt}, ${devices} device(s)` });
    await this.audit.append({ actor, action: 'visitor.code', target: note ?? code.slice(0, 2) + '…', details: { expiresAt: record.expiresAt, devices } });
    return { ok: true, value: record };
  }

  /** A device signs in with a code. `device` is its MAC (or IP without one). */
  async signIn(codeText: string, who: { device: string; ip: string; group: string }): Promise<VisitorResult<Binding>> {
    const now = this.now();
    const recent = (this.attempts.get(who.device) ?? []).filter((t) => now - t < 15 * 60_000);
    if (recent.length >= 10) return { ok: false, code: 'SG_FORBIDDEN', message: 'too many attempts from this device; wait a few minutes' };
    recent.push(now);
    this.attempts.set(who.device, recent);
    if (this.attempts.size > 10_000) this.attempts.clear();
    const code = codeText.trim().toUpperCase().replace(/[\s-]/g, '');
    const record = /^[A-Z0-9]{4,16}$/.test(code) ? ((await this.store.visitors.get(`code:${code}`)) as VisitorCode | undefined) : undefined;
    const refuse = async (why: string): Promise<VisitorResult<Binding>> => {
      await this.log({ event: 'sign-in.refused', device: who.device, ip: who.ip, detail: why });
      return { ok: false, code: 'SG_BAD_LOGIN', message: 'that code is not valid (check it, or ask the office for a new one)' };
    };
    if (!record) return refuse('unknown code');
    if (record.revokedAt || Date.parse(record.expiresAt) <= now) return refuse(`code ${code} expired`);
    if (!record.used.includes(who.device) && record.used.length >= record.devices) return refuse(`code ${code} used by ${record.devices} device(s) already`);
    const next: VisitorCode = record.used.includes(who.device) ? record : { ...record, used: [...record.used, who.device] };
    await this.store.visitors.put(`code:${code}`, next);
    return this.bind({ device: who.device, ip: who.ip, user: `visitor ${code}${record.note ? ` (${record.note})` : ''}`, group: who.group, kind: 'visitor', code, since: new Date(now).toISOString(), expiresAt: record.expiresAt }, record);
  }

  /** A staff member signs a device in with their appliance account (checked by the caller). */
  async signInStaff(user: string, group: string, who: { device: string; ip: string }, hours = 12): Promise<VisitorResult<Binding>> {
    const now = this.now();
    return this.bind({ device: who.device, ip: who.ip, user, group, kind: 'staff', since: new Date(now).toISOString(), expiresAt: new Date(now + hours * 3_600_000).toISOString() });
  }

  async revokeCode(code: string, actor: Actor): Promise<VisitorResult<VisitorCode>> {
    const record = (await this.store.visitors.get(`code:${code}`)) as VisitorCode | undefined;
    if (!record) return { ok: false, code: 'SG_NOT_FOUND', message: `no code ${code}` };
    const next = { ...record, revokedAt: new Date(this.now()).toISOString() };
    await this.store.visitors.put(`code:${code}`, next);
    for (const b of this.bindings.values()) if (b.code === code) await this.unbind(b, 'code revoked');
    await this.log({ event: 'code.revoked', code, issuer: actor.name });
    await this.audit.append({ actor, action: 'visitor.revoke', target: record.note ?? code });
    this.onChange(this.bindings);
    return { ok: true, value: next };
  }

  /** The visitors' log, newest first. */
  async logEntries(limit = 500): Promise<VisitorLogEntry[]> {
    const out: VisitorLogEntry[] = [];
    for await (const v of this.store.visitors.values({ gte: 'log:', lt: 'log;', reverse: true, limit })) out.push(v as VisitorLogEntry);
    return out;
  }

  async codes(): Promise<VisitorCode[]> {
    const out: VisitorCode[] = [];
    for await (const v of this.store.visitors.values({ gte: 'code:', lt: 'code;' })) out.push(v as VisitorCode);
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  private async bind(b: Binding, code?: VisitorCode): Promise<VisitorResult<Binding>> {
    await this.store.visitors.put(`binding:${b.device}`, b);
    this.bindings.set(b.device, b);
    await this.log({ event: 'signed-in', device: b.device, ip: b.ip, code: b.code, user: b.user, note: code?.note, issuer: code?.issuedBy, detail: `until ${b.expiresAt}` });
    await this.sweep();
    return { ok: true, value: b };
  }

  private async unbind(b: Binding, why: string): Promise<void> {
    this.bindings.delete(b.device);
    await this.store.visitors.del(`binding:${b.device}`);
    await this.log({ event: 'expired', device: b.device, ip: b.ip, code: b.code, user: b.user, detail: why });
  }

  /** Drops expired bindings (logged), publishes the rest, and wakes at the next expiry. */
  private async sweep(): Promise<void> {
    const now = this.now();
    for (const b of [...this.bindings.values()]) if (Date.parse(b.expiresAt) <= now) await this.unbind(b, 'expired');
    this.onChange(this.bindings);
    clearTimeout(this.timer);
    const next = Math.min(...[...this.bindings.values()].map((b) => Date.parse(b.expiresAt)));
    if (Number.isFinite(next)) {
      this.timer = setTimeout(() => void this.sweep(), Math.min(Math.max(0, next - now) + 50, 2 ** 31 - 1));
      this.timer.unref();
    }
  }

  private seq = 0;
  private async log(e: Omit<VisitorLogEntry, 'time'>): Promise<void> {
    const now = this.now();
    await this.store.visitors.put(`log:${now.toString(16).padStart(12, '0')}:${(this.seq++).toString(36)}`, { time: new Date(now).toISOString(), ...e });
  }
}
