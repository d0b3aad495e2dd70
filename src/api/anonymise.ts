// What a viewer (a governor, an observer) gets: no client addresses, MACs, device users or
// requesters' names. Devices become stable pseudonyms ("device-3fa2c1d0": the same device
// reads the same within this daemon's run, so "one device made most of these" stays visible),
// personal fields are dropped, and addresses inside free text are replaced too. Applied to
// every JSON answer for the viewer role (route.ts) and to viewer SSE payloads.
import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

/** keys whose value identifies a device: replaced by a pseudonym */
const DEVICE_KEYS = new Set(['client', 'ip', 'mac', 'device']);
/** keys whose value names a person or a device's owner: dropped */
const PERSONAL_KEYS = new Set(['user', 'hostname', 'requestedBy', 'reportedBy', 'used']);
const MAC = /\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/gi;
const IPV6_CANDIDATE = /[0-9a-f]*:[0-9a-f:.]*[0-9a-f]/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
// Reasons the request service composes: "access request <id> from <name>: <why>".
const REQUEST_NAME = /^(access request \S+) from [^:]{1,100}:/;

export class Anonymiser {
  private readonly secret = randomBytes(32);

  pseudonym(value: string): string {
    return `device-${createHmac('sha256', this.secret).update(value.toLowerCase()).digest('hex').slice(0, 8)}`;
  }

  text(s: string): string {
    if (s.length > 10_000) return '[long text hidden]';
    return s
      .replace(REQUEST_NAME, '$1:')
      .replace(MAC, (m) => this.pseudonym(m))
      .replace(IPV6_CANDIDATE, (m) => (isIP(m) === 6 ? this.pseudonym(m) : m))
      .replace(IPV4, (m) => (isIP(m) === 4 ? this.pseudonym(m) : m));
  }

  scrub<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  private walk(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (v === null || typeof v !== 'object' || depth > 20) return v;
    if (Array.isArray(v)) return v.map((x) => this.walk(x, depth + 1));
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const anonymousActor = o.kind === 'anonymous';
    for (const [k, x] of Object.entries(o)) {
      if (PERSONAL_KEYS.has(k)) continue;
      if (DEVICE_KEYS.has(k) && typeof x === 'string') out[k] = this.pseudonym(x);
      else if (k === 'name' && anonymousActor && typeof x === 'string') out[k] = this.pseudonym(x);
      else out[k] = this.walk(x, depth + 1);
    }
    return out;
  }
}
