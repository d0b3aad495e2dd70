// DNS wire format on the hot path: the question of a client query parsed in place (no string,
// no object per query: one reusable struct), and the constants every other file shares.
// Everything a client sends is untrusted: every read is bounds-checked, the question may not use
// compression pointers, labels are at most 63 bytes, names at most 255 (RFC 1035 §2.3.4).

export const HEADER = 12;
export const MAX_LABELS = 128;

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, DS: 43, RRSIG: 46, DNSKEY: 48, SVCB: 64, HTTPS: 65, IXFR: 251, AXFR: 252, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
/** header flag bits (second 16-bit word) */
export const FLAG = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, AD: 0x0020, CD: 0x0010 } as const;
/** EDNS0 DO bit in the OPT record's TTL field (RFC 3225) */
export const EDNS_DO = 0x8000;

const TYPE_NAMES = new Map<number, string>(Object.entries(TYPE).map(([k, v]) => [v, k]));
const typeNameCache: string[] = [];
/** "A", "HTTPS", or "TYPE1234" (RFC 3597); strings are interned so the query log allocates none. */
export function typeName(t: number): string {
  let s = typeNameCache[t];
  if (s === undefined) s = typeNameCache[t] = TYPE_NAMES.get(t) ?? `TYPE${t}`;
  return s;
}

export function rcodeName(r: number): string {
  return RCODE_NAMES[r] ?? `RCODE${r}`;
}

/** What parseQuery concluded. */
export const PARSE = {
  OK: 0,
  /** not worth an answer: shorter than a header, or a response (QR set: never answer those, no loops) */
  DROP: 1,
  FORMERR: 2,
  NOTIMP: 3,
  /** EDNS version other than 0 (RFC 6891 §6.1.3) */
  BADVERS: 4,
} as const;

export interface ParsedQuery {
  id: number;
  /** the header's flag word as received */
  flags: number;
  qtype: number;
  qclass: number;
  /** offset just past the question's name / past qtype+qclass */
  nameEnd: number;
  questionEnd: number;
  /** offsets of each label's length byte, left to right (for DomainIndex.lookupWireInto) */
  labelOffsets: Uint16Array;
  labelCount: number;
  /** case-insensitive hash of name, type and class (the cache and coalescing key) */
  hash: number;
  /** the client sent an OPT record (only then may the reply carry one, RFC 6891 §7) */
  edns: boolean;
  /** the client's UDP payload size (512 without EDNS) */
  udpSize: number;
  dnssecOk: boolean;
}

export function newParsedQuery(): ParsedQuery {
  return { id: 0, flags: 0, qtype: 0, qclass: 0, nameEnd: 0, questionEnd: 0, labelOffsets: new Uint16Array(MAX_LABELS), labelCount: 0, hash: 0, edns: false, udpSize: 512, dnssecOk: false };
}

/** questionName's scratch: a question's wire name is at most 255 bytes, so its text fits */
const NAME_TEXT = Buffer.allocUnsafeSlow(256);
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Parses the header, the one question and the OPT record of a client query into `q`. On FORMERR,
 * NOTIMP and BADVERS, `q.id`, `q.flags` and (when it parsed) the question are still usable for the
 * error reply.
 */
export function parseQuery(buf: Uint8Array, len: number, q: ParsedQuery): number {
  if (len < HEADER) return PARSE.DROP;
  q.id = (buf[0] << 8) | buf[1];
  q.flags = (buf[2] << 8) | buf[3];
  q.edns = false;
  q.udpSize = 512;
  q.dnssecOk = false;
  q.labelCount = 0;
  q.questionEnd = 0;
  if (q.flags & FLAG.QR) return PARSE.DROP;
  const qd = (buf[4] << 8) | buf[5];
  // RFC 9619: a query carries exactly one question. 0 or 50 questions is a malformed query.
  if (qd !== 1) return PARSE.FORMERR;
  if ((q.flags >> 11) & 0xf) {
    // Only QUERY (opcode 0) is served; the question is parsed for the echo if it can be.
    parseQuestion(buf, len, q);
    return PARSE.NOTIMP;
  }
  if (!parseQuestion(buf, len, q)) return PARSE.FORMERR;
  const an = (buf[6] << 8) | buf[7];
  const ns = (buf[8] << 8) | buf[9];
  const ar = (buf[10] << 8) | buf[11];
  if (ar === 0) return PARSE.OK;
  // Skip any answer/authority records (queries normally have none) to reach the OPT record.
  let p = q.questionEnd;
  for (let i = 0; i < an + ns; i++) {
    p = skipRecord(buf, len, p);
    if (p < 0) return PARSE.FORMERR;
  }
  for (let i = 0; i < ar; i++) {
    const nameAt = p;
    p = skipName(buf, len, p);
    if (p < 0 || p + 10 > len) return PARSE.FORMERR;
    const type = (buf[p] << 8) | buf[p + 1];
    const rdlen = (buf[p + 8] << 8) | buf[p + 9];
    if (p + 10 + rdlen > len) return PARSE.FORMERR;
    if (type === TYPE.OPT) {
      // One OPT, owned by the root name (RFC 6891 §6.1.1).
      if (q.edns || buf[nameAt] !== 0) return PARSE.FORMERR;
      q.edns = true;
      q.udpSize = Math.max(512, (buf[p + 2] << 8) | buf[p + 3]);
      const version = buf[p + 5];
      q.dnssecOk = (((buf[p + 6] << 8) | buf[p + 7]) & EDNS_DO) !== 0;
      if (version !== 0) return PARSE.BADVERS;
    }
    p += 10 + rdlen;
  }
  return PARSE.OK;
}

function parseQuestion(buf: Uint8Array, len: number, q: ParsedQuery): boolean {
  let p = HEADER;
  let h = FNV_OFFSET;
  let count = 0;
  for (;;) {
    if (p >= len) return false;
    const l = buf[p];
    if (l === 0) break;
    // 0xC0 pointers and the obsolete 0x40/0x80 label types have no place in a client's question.
    if (l > 63 || count >= MAX_LABELS - 1) return false;
    if (p + 1 + l > len || p + 1 + l - HEADER > 254) return false;
    q.labelOffsets[count++] = p;
    h = Math.imul(h ^ l, FNV_PRIME);
    for (let i = p + 1, end = p + 1 + l; i < end; i++) {
      let c = buf[i];
      if (c >= 65 && c <= 90) c |= 0x20;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    p += 1 + l;
  }
  q.nameEnd = p + 1;
  if (q.nameEnd + 4 > len) return false;
  q.labelCount = count;
  q.qtype = (buf[q.nameEnd] << 8) | buf[q.nameEnd + 1];
  q.qclass = (buf[q.nameEnd + 2] << 8) | buf[q.nameEnd + 3];
  q.questionEnd = q.nameEnd + 4;
  h = Math.imul(h ^ q.qtype, FNV_PRIME);
  h = Math.imul(h ^ q.qclass, FNV_PRIME);
  q.hash = h >>> 0;
  return true;
}

/** Offset after a (possibly compressed) name at `p`, or -1. Never follows pointers: no loops. */
export function skipName(buf: Uint8Array, len: number, p: number): number {
  for (let guard = 0; guard < 128; guard++) {
    if (p >= len) return -1;
    const l = buf[p];
    if (l === 0) return p + 1;
    if ((l & 0xc0) === 0xc0) return p + 2 <= len ? p + 2 : -1;
    if (l > 63) return -1;
    p += 1 + l;
  }
  return -1;
}

/** Offset after a whole resource record at `p`, or -1. */
export function skipRecord(buf: Uint8Array, len: number, p: number): number {
  p = skipName(buf, len, p);
  if (p < 0 || p + 10 > len) return -1;
  const end = p + 10 + ((buf[p + 8] << 8) | buf[p + 9]);
  return end <= len ? end : -1;
}

/**
 * The question name as lower-case text without the trailing dot ("." for the root). Bytes that
 * are not letters, digits, "-", "_" or "*" are escaped as \DDD (presentation format), so a
 * hostile name cannot inject anything into logs or the UI.
 */
export function questionName(buf: Uint8Array, q: ParsedQuery): string {
  if (q.labelCount === 0) return '.';
  // One pass into a scratch buffer, then one string: a string per label joined with dots made
  // 2n-1 strings (and a lower-cased copy) per query.
  const out = NAME_TEXT;
  let n = 0;
  for (let l = 0; l < q.labelCount; l++) {
    const at = q.labelOffsets[l];
    if (l > 0) out[n++] = 0x2e;
    for (let i = at + 1, end = at + 1 + buf[at]; i < end; i++) {
      let c = buf[i];
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2a)) return escapedName(buf, q);
      out[n++] = c;
    }
  }
  return Buffer.prototype.latin1Slice.call(out, 0, n) as string;
}

/** questionName for a name with bytes beyond letters, digits, '-', '_' and '*': those as \DDD. */
function escapedName(b: Uint8Array, q: ParsedQuery): string {
  const parts: string[] = [];
  for (let l = 0; l < q.labelCount; l++) {
    const at = q.labelOffsets[l];
    let label = '';
    for (let i = at + 1, end = at + 1 + b[at]; i < end; i++) {
      let c = b[i];
      if (c >= 65 && c <= 90) c |= 0x20;
      const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2a;
      label += ok ? String.fromCharCode(c) : `\\${String(c).padStart(3, '0')}`;
    }
    parts.push(label);
  }
  return parts.join('.');
}

/** Case-insensitive equality of the question (name, type, class) in two messages. */
export function sameQuestion(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) {
    let x = a[aStart + i];
    let y = b[bStart + i];
    if (x !== y) {
      if (x >= 65 && x <= 90) x |= 0x20;
      if (y >= 65 && y <= 90) y |= 0x20;
      if (x !== y) return false;
    }
  }
  return true;
}
