// Bypass attempts the kernel recorded (the seen4/seen6 sets: client . target . protocol . port,
// added by the reject and DNS-redirect rules) turned into `bypass-attempt` events. A record lives
// five minutes in the kernel, so one client trying one endpoint gives one event per five minutes.
// Pure: the classification of a target comes in as a function.
import type { BypassEvent } from '../daemon/index.js';
import type { SeenAttempt } from './nft-read.js';

/** The bypass kinds of the event map, by the category whose addresses were hit. */
const KIND_OF_CATEGORY: Record<string, BypassEvent['kind']> = { doh: 'doh', vpn: 'vpn' };

export function attemptKind(a: SeenAttempt, categories: readonly string[]): { kind: BypassEvent['kind']; category?: string } {
  if (a.port === 53) return { kind: 'foreign-dns' };
  if (a.port === 853) return { kind: 'dot' };
  const category = categories[0];
  if (category !== undefined) return { kind: KIND_OF_CATEGORY[category] ?? 'proxy', category };
  if (a.port === 443 && a.protocol === 'udp') return { kind: 'quic' };
  return { kind: 'proxy' };
}

export class AttemptTracker {
  private known = new Set<string>();

  /** The attempts not reported before; forgets records the kernel has expired. */
  fresh(seen: readonly SeenAttempt[]): SeenAttempt[] {
    const now = new Set<string>();
    const out: SeenAttempt[] = [];
    for (const a of seen) {
      const key = `${a.client}|${a.target}|${a.protocol}|${a.port}`;
      now.add(key);
      if (!this.known.has(key)) out.push(a);
    }
    this.known = now;
    return out;
  }
}

export function toEvent(a: SeenAttempt, kind: { kind: BypassEvent['kind']; category?: string }, time: number, mac?: string): BypassEvent {
  const target = a.target.includes(':') ? `[${a.target}]` : a.target;
  return { time, client: a.client, mac, kind: kind.kind, detail: `${target}:${a.port}/${a.protocol}`, category: kind.category };
}
