// Answers schoolgate gives without asking anyone: block answers in each mode, canaries, the
// portal's "every name is the appliance", local PTR, and plain errors. Block answers carry an
// Extended DNS Error (RFC 8914) whose text is describeDecision(): the reason enum, never a
// string of our own.
import { describeDecision } from '../policy/index.js';
import type { Decision } from '../policy/index.js';
import type { DnsConfig } from './config.js';
import { EDE, addressBytes, buildReply, encodeName, soaRecord } from './reply.js';
import type { Ede, SimpleRecord } from './reply.js';
import { RCODE, TYPE } from './wire.js';
import type { ParsedQuery } from './wire.js';

export type BlockingConfig = DnsConfig['blocking'];

/**
 * 15 Blocked: the appliance's own policy for everyone (locked categories, canaries). 17 Filtered:
 * the filtering chosen for the client's group (its block list, an override, sign-in first).
 */
export function edeFor(d: Decision): Ede {
  // Most block answers are a reason and a category: one Ede each, so its text is built (and its
  // wire bytes encoded, in reply.ts) once, not per answer.
  const plain = d.schedule === undefined && d.overrideId === undefined;
  let byCategory = plain ? edeMemo.get(d.reason) : undefined;
  const memo = byCategory?.get(d.category ?? '');
  if (memo) return memo;
  const code = d.reason === 'locked' || d.reason === 'canary' ? EDE.BLOCKED : EDE.FILTERED;
  const ede = { code, text: describeDecision(d) };
  if (plain) {
    if (!byCategory) edeMemo.set(d.reason, (byCategory = new Map()));
    if (byCategory.size >= 1024) byCategory.clear();
    byCategory.set(d.category ?? '', ede);
  }
  return ede;
}
const edeMemo = new Map<Decision['reason'], Map<string, Ede>>();

const V4_NULL = new Uint8Array(4);
const V6_NULL = new Uint8Array(16);
const addressCache = new Map<string, Uint8Array>();
function bytesOf(ip: string): Uint8Array {
  let b = addressCache.get(ip);
  if (!b) {
    b = addressBytes(ip);
    if (addressCache.size > 64) addressCache.clear();
    addressCache.set(ip, b);
  }
  return b;
}

/** The records a blocked name gets for `qtype` in `mode` (none: NODATA). */
function blockRecords(qtype: number, cfg: BlockingConfig, ttl: number): SimpleRecord[] {
  const a = cfg.answer === 'null' ? V4_NULL : cfg.address && !cfg.address.includes(':') ? bytesOf(cfg.address) : undefined;
  const aaaa = cfg.answer === 'null' ? V6_NULL : cfg.address6 ? bytesOf(cfg.address6) : undefined;
  const out: SimpleRecord[] = [];
  // HTTPS/SVCB (and everything but addresses) get no records: NODATA.
  if ((qtype === TYPE.A || qtype === TYPE.ANY) && a) out.push({ type: TYPE.A, ttl, rdata: a });
  if ((qtype === TYPE.AAAA || qtype === TYPE.ANY) && aaaa) out.push({ type: TYPE.AAAA, ttl, rdata: aaaa });
  return out;
}

export function blockReply(req: Uint8Array, q: ParsedQuery, d: Decision, cfg: BlockingConfig, ttl: number, udpSize: number): Buffer {
  const ede = edeFor(d);
  if (cfg.answer === 'nxdomain') return buildReply(req, q, { rcode: RCODE.NXDOMAIN, authority: [soaRecord(ttl)], ede, udpSize });
  const answers = blockRecords(q.qtype, cfg, ttl);
  return buildReply(req, q, { rcode: RCODE.NOERROR, answers, authority: answers.length === 0 ? [soaRecord(ttl)] : undefined, ede, udpSize });
}

/** Firefox's DoH canary and iCloud Private Relay: NXDOMAIN. DDR (RFC 9462): no records. */
export const CANARIES: ReadonlyMap<string, number> = new Map([
  ['use-application-dns.net', RCODE.NXDOMAIN],
  ['mask.icloud.com', RCODE.NXDOMAIN],
  ['mask-h2.icloud.com', RCODE.NXDOMAIN],
  ['_dns.resolver.arpa', RCODE.NOERROR],
]);

const CANARY_DECISION: Decision = { action: 'block', reason: 'canary', validUntil: Infinity };

export function canaryReply(req: Uint8Array, q: ParsedQuery, rcode: number, udpSize: number): Buffer {
  return buildReply(req, q, { rcode, authority: [soaRecord(300)], ede: edeFor(CANARY_DECISION), udpSize });
}

/** A device that must sign in: every name is the portal, with TTL 0 so nothing outlives sign-in. */
export function portalReply(req: Uint8Array, q: ParsedQuery, portal: string | undefined, udpSize: number, d: Decision): Buffer {
  const v6 = portal?.includes(':') ?? false;
  const want = v6 ? TYPE.AAAA : TYPE.A;
  const answers: SimpleRecord[] = portal && (q.qtype === want || q.qtype === TYPE.ANY) ? [{ type: want, ttl: 0, rdata: bytesOf(portal) }] : [];
  return buildReply(req, q, { rcode: RCODE.NOERROR, answers, authority: answers.length ? undefined : [soaRecord(0)], ede: edeFor(d), udpSize });
}

export function ptrReply(req: Uint8Array, q: ParsedQuery, hostname: string | undefined, wholeAddress: boolean, udpSize: number): Buffer {
  if (hostname && q.qtype === TYPE.PTR) {
    return buildReply(req, q, { rcode: RCODE.NOERROR, answers: [{ type: TYPE.PTR, ttl: 60, rdata: encodeName(hostname) }], udpSize });
  }
  // A whole address nobody knows: NXDOMAIN. A zone's inner name, or another type: no records.
  const rcode = wholeAddress && !hostname ? RCODE.NXDOMAIN : RCODE.NOERROR;
  return buildReply(req, q, { rcode, authority: [soaRecord(60)], udpSize });
}

export function errorReply(req: Uint8Array, q: ParsedQuery, rcode: number, udpSize: number, ede?: Ede, extRcode?: number): Buffer {
  return buildReply(req, q, { rcode, udpSize, ede, extRcode });
}

/** The TC=1 form of a reply that does not fit: header, question, OPT. The client retries over TCP. */
export function truncatedReply(req: Uint8Array, q: ParsedQuery, rcode: number, udpSize: number): Buffer {
  return buildReply(req, q, { rcode, udpSize, tc: true });
}
