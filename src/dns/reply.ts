// Replies schoolgate writes itself (errors, block answers, canaries, the portal, PTR): the
// client's header and question copied, records appended, and an OPT record only when the client
// sent one (RFC 6891 §7). Each reply is sized first and written once into its own buffer.
import { CLASS_IN, FLAG, HEADER, TYPE, EDNS_DO } from './wire.js';
import type { ParsedQuery } from './wire.js';

/** RFC 8914 Extended DNS Error: info code and text. */
export interface Ede {
  code: number;
  text: string;
}

export const EDE = { BLOCKED: 15, CENSORED: 16, FILTERED: 17, STALE_ANSWER: 3, NETWORK_ERROR: 23, NOT_READY: 14 } as const;

/** A record to append: owner is the question name (compression pointer 0xC00C) unless `owner`. */
export interface SimpleRecord {
  type: number;
  ttl: number;
  rdata: Uint8Array;
  /** wire-format owner name (uncompressed); default: the question name */
  owner?: Uint8Array;
}

export interface ReplyOptions {
  rcode: number;
  answers?: readonly SimpleRecord[];
  authority?: readonly SimpleRecord[];
  ede?: Ede;
  /** our UDP payload size, advertised in the OPT record */
  udpSize: number;
  /** EDNS extended rcode bits (BADVERS = 1) */
  extRcode?: number;
  tc?: boolean;
}

const utf8 = new TextEncoder();
/** EDE texts are few (a decision's reason and category): encoded once, not per block answer */
const edeTexts = new Map<string, Uint8Array>();
function edeBytes(text: string): Uint8Array {
  let b = edeTexts.get(text);
  if (b === undefined) {
    b = utf8.encode(text.slice(0, 300));
    if (edeTexts.size >= 1024) edeTexts.clear();
    edeTexts.set(text, b);
  }
  return b;
}

/** Size of our OPT record with an optional EDE option. */
export function optSize(ede: Ede | undefined, edeText?: Uint8Array): number {
  return 11 + (ede ? 6 + (edeText ?? edeBytes(ede.text)).length : 0);
}

/** Writes our OPT record at `p`; returns the offset after it. */
export function writeOpt(out: Uint8Array, p: number, q: ParsedQuery, udpSize: number, ede?: Ede, extRcode = 0, edeText?: Uint8Array): number {
  const text = ede ? edeText ?? edeBytes(ede.text) : undefined;
  out[p] = 0;
  out[p + 1] = 0;
  out[p + 2] = TYPE.OPT;
  out[p + 3] = udpSize >> 8;
  out[p + 4] = udpSize & 0xff;
  out[p + 5] = extRcode;
  out[p + 6] = 0;
  const flags = q.dnssecOk ? EDNS_DO : 0;
  out[p + 7] = flags >> 8;
  out[p + 8] = flags & 0xff;
  const rdlen = text ? 6 + text.length : 0;
  out[p + 9] = rdlen >> 8;
  out[p + 10] = rdlen & 0xff;
  p += 11;
  if (ede && text) {
    out[p] = 0;
    out[p + 1] = 15;
    out[p + 2] = (2 + text.length) >> 8;
    out[p + 3] = (2 + text.length) & 0xff;
    out[p + 4] = ede.code >> 8;
    out[p + 5] = ede.code & 0xff;
    out.set(text, p + 6);
    p += 6 + text.length;
  }
  return p;
}

/** Header flags of a reply to `q`: QR, RA, the client's RD and CD, our rcode. */
export function replyFlags(q: ParsedQuery, rcode: number, extra = 0): number {
  return FLAG.QR | FLAG.RA | (q.flags & (FLAG.RD | FLAG.CD)) | extra | (rcode & 0xf);
}

export function writeHeader(out: Uint8Array, id: number, flags: number, qd: number, an: number, ns: number, ar: number): void {
  out[0] = id >> 8;
  out[1] = id & 0xff;
  out[2] = flags >> 8;
  out[3] = flags & 0xff;
  out[4] = qd >> 8;
  out[5] = qd & 0xff;
  out[6] = an >> 8;
  out[7] = an & 0xff;
  out[8] = ns >> 8;
  out[9] = ns & 0xff;
  out[10] = ar >> 8;
  out[11] = ar & 0xff;
}

function recordSize(r: SimpleRecord): number {
  return (r.owner ? r.owner.length : 2) + 10 + r.rdata.length;
}

function writeRecord(out: Uint8Array, p: number, r: SimpleRecord): number {
  if (r.owner) {
    out.set(r.owner, p);
    p += r.owner.length;
  } else {
    out[p++] = 0xc0;
    out[p++] = HEADER;
  }
  out[p] = r.type >> 8;
  out[p + 1] = r.type & 0xff;
  out[p + 2] = 0;
  out[p + 3] = CLASS_IN;
  const ttl = Math.max(0, Math.min(0x7fffffff, Math.floor(r.ttl)));
  out[p + 4] = ttl >>> 24;
  out[p + 5] = (ttl >>> 16) & 0xff;
  out[p + 6] = (ttl >>> 8) & 0xff;
  out[p + 7] = ttl & 0xff;
  out[p + 8] = r.rdata.length >> 8;
  out[p + 9] = r.rdata.length & 0xff;
  out.set(r.rdata, p + 10);
  return p + 10 + r.rdata.length;
}

/** A reply to `req` written by us. The question is echoed when it parsed. */
export function buildReply(req: Uint8Array, q: ParsedQuery, o: ReplyOptions): Buffer {
  const question = q.questionEnd > HEADER ? q.questionEnd - HEADER : 0;
  const answers = o.tc ? [] : o.answers ?? [];
  const authority = o.tc ? [] : o.authority ?? [];
  const edeText = o.ede ? edeBytes(o.ede.text) : undefined;
  let size = HEADER + question + (q.edns ? optSize(o.ede, edeText) : 0);
  for (const r of answers) size += recordSize(r);
  for (const r of authority) size += recordSize(r);
  const out = Buffer.allocUnsafe(size);
  writeHeader(out, q.id, replyFlags(q, o.rcode, o.tc ? FLAG.TC : 0), question > 0 ? 1 : 0, answers.length, authority.length, q.edns ? 1 : 0);
  let p = HEADER;
  if (question > 0) {
    out.set(req.subarray(HEADER, HEADER + question), p);
    p += question;
  }
  for (const r of answers) p = writeRecord(out, p, r);
  for (const r of authority) p = writeRecord(out, p, r);
  if (q.edns) p = writeOpt(out, p, q, o.udpSize, o.ede, o.extRcode ?? 0, edeText);
  return out;
}

// ---- record data ---------------------------------------------------------------------------------

/** Wire form of a dotted name ("" or "." is the root). */
export function encodeName(name: string): Uint8Array {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  const out = new Uint8Array(labels.reduce((n, l) => n + 1 + Buffer.byteLength(l, 'latin1'), 1));
  let p = 0;
  for (const l of labels) {
    const bytes = Buffer.from(l, 'latin1');
    out[p++] = Math.min(63, bytes.length);
    out.set(bytes.subarray(0, 63), p);
    p += Math.min(63, bytes.length);
  }
  out[p] = 0;
  return out;
}

/** 4 or 16 bytes of an IP address text. */
export function addressBytes(ip: string): Uint8Array {
  if (!ip.includes(':')) return Uint8Array.from(ip.split('.').map(Number));
  const [head, tail] = ip.split('::');
  const words = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const t = tail === undefined ? [] : words(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

const soaMemo = new Map<number, Uint8Array>();

/** A synthetic SOA for negative answers we make (RFC 2308 §3: its MINIMUM caps negative caching). */
export function soaRecord(ttl: number, owner?: Uint8Array): SimpleRecord {
  const t = Math.max(0, Math.floor(ttl));
  let rdata = soaMemo.get(t);
  if (rdata === undefined) {
    const mname = encodeName('schoolgate.invalid');
    const rname = encodeName('hostmaster.schoolgate.invalid');
    rdata = new Uint8Array(mname.length + rname.length + 20);
    rdata.set(mname, 0);
    rdata.set(rname, mname.length);
    const view = new DataView(rdata.buffer);
    const at = mname.length + rname.length;
    view.setUint32(at, 1);
    view.setUint32(at + 4, 3600);
    view.setUint32(at + 8, 600);
    view.setUint32(at + 12, 86400);
    view.setUint32(at + 16, t);
    // Block TTLs are few (blocking.ttl, window caps): a small memo; cleared if it ever grows.
    if (soaMemo.size > 1024) soaMemo.clear();
    soaMemo.set(t, rdata);
  }
  return { type: TYPE.SOA, ttl: t, rdata, owner };
}
