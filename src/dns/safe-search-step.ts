// Safe search for groups that have it: the provider's names are answered with a CNAME to the
// enforced host plus that host's own records (from the cache, or asked upstream like any name),
// so browsers land on the locked-down service whatever the user sets.
import type { Decision } from '../policy/index.js';
import { entryBody } from './answer-cache.js';
import type { CacheEntry } from './answer-cache.js';
import type { AnswerDeps } from './answer-steps.js';
import type { DnsQuery } from './dns-query.js';
import { errorReply } from './local-answers.js';
import { encodeName, replyFlags, writeHeader, writeOpt, optSize } from './reply.js';
import { readName } from './response-scan.js';
import { safeSearchTarget } from './safe-search.js';
import type { Step } from './steps.js';
import { CLASS_IN, FLAG, HEADER, PARSE, RCODE, TYPE, newParsedQuery, parseQuery, skipName } from './wire.js';
import type { ParsedQuery } from './wire.js';

const REWRITE: Decision = { action: 'allow', reason: 'safe-search', validUntil: Infinity };

/** A query for `target` with the client's type and DO/CD bits, parsed like a client's. */
function targetQuery(target: string, client: ParsedQuery): { buf: Buffer; q: ParsedQuery } | undefined {
  const name = encodeName(target);
  const buf = Buffer.alloc(HEADER + name.length + 4);
  buf.writeUInt16BE(client.flags & (FLAG.RD | FLAG.CD), 2);
  buf.writeUInt16BE(1, 4);
  buf.set(name, HEADER);
  buf.writeUInt16BE(client.qtype, HEADER + name.length);
  buf.writeUInt16BE(CLASS_IN, HEADER + name.length + 2);
  const q = newParsedQuery();
  if (parseQuery(buf, buf.length, q) !== PARSE.OK) return undefined;
  q.dnssecOk = client.dnssecOk;
  return { buf, q };
}

interface Rec { owner: Uint8Array; type: number; ttl: number; rdata: Uint8Array }

/** The answer section of a cached message, names decompressed (A, AAAA and CNAME records only). */
function answerRecords(e: CacheEntry, now: number, stale: boolean): Rec[] | undefined {
  const b = entryBody(e);
  const an = (b[6] << 8) | b[7];
  let p = skipName(b, b.length, HEADER);
  if (p < 0) return undefined;
  p += 4;
  const age = Math.max(0, Math.floor((now - e.storedAt) / 1000));
  const out: Rec[] = [];
  for (let i = 0; i < an; i++) {
    const owner = readName(b, b.length, p);
    if (!owner || owner.end + 10 > b.length) return undefined;
    p = owner.end;
    const type = (b[p] << 8) | b[p + 1];
    const ttl = b.readUInt32BE(p + 4);
    const rdlen = (b[p + 8] << 8) | b[p + 9];
    const rdata = p + 10;
    p = rdata + rdlen;
    if (p > b.length) return undefined;
    const liveTtl = stale ? 30 : Math.max(0, ttl - age);
    if (type === TYPE.A || type === TYPE.AAAA) out.push({ owner: encodeName(owner.name), type, ttl: liveTtl, rdata: b.subarray(rdata, p) });
    else if (type === TYPE.CNAME) {
      const t = readName(b, p, rdata);
      if (!t) return undefined;
      out.push({ owner: encodeName(owner.name), type, ttl: liveTtl, rdata: encodeName(t.name) });
    }
  }
  return out;
}

export function composeRewrite(query: DnsQuery, target: string, e: CacheEntry, now: number, udpSize: number, stale: boolean): Buffer | undefined {
  const records = answerRecords(e, now, stale);
  if (!records) return undefined;
  const { q, buf } = query;
  const cname = encodeName(target);
  const ttl = records.reduce((m, r) => Math.min(m, r.ttl), stale ? 30 : 300);
  let size = q.questionEnd + 12 + cname.length + (q.edns ? optSize(undefined) : 0);
  for (const r of records) size += r.owner.length + 10 + r.rdata.length;
  const out = Buffer.allocUnsafe(size);
  writeHeader(out, q.id, replyFlags(q, e.rcode), 1, 1 + records.length, 0, q.edns ? 1 : 0);
  out.set(buf.subarray(HEADER, q.questionEnd), HEADER);
  let p = q.questionEnd;
  const put = (owner: Uint8Array | undefined, type: number, t: number, rdata: Uint8Array) => {
    if (owner) {
      out.set(owner, p);
      p += owner.length;
    } else {
      out[p++] = 0xc0;
      out[p++] = HEADER;
    }
    out.writeUInt16BE(type, p);
    out.writeUInt16BE(CLASS_IN, p + 2);
    out.writeUInt32BE(t, p + 4);
    out.writeUInt16BE(rdata.length, p + 8);
    out.set(rdata, p + 10);
    p += 10 + rdata.length;
  };
  put(undefined, TYPE.CNAME, ttl, cname);
  for (const r of records) put(r.owner, r.type, r.ttl, r.rdata);
  if (q.edns) writeOpt(out, p, q, udpSize);
  return out;
}

export function safeSearchStep(d: AnswerDeps): Step {
  return {
    name: 'safe-search',
    run(query) {
      const mode = query.group.safeSearch;
      if (mode === 'off') return undefined;
      const target = safeSearchTarget(query.name, mode);
      if (!target) return undefined;
      const t = targetQuery(target, query.q);
      if (!t) return undefined;
      query.action = 'rewrite';
      query.note(REWRITE);
      const udpSize = d.dns().udpSize;
      const fail = () => {
        d.counters.servfail++;
        query.action = 'error';
        return errorReply(query.buf, query.q, RCODE.SERVFAIL, udpSize);
      };
      const hit = d.cache.get(t.buf, t.q, query.now);
      if (hit && query.now < hit.expiresAt) {
        query.cached = true;
        return composeRewrite(query, target, hit, query.now, udpSize, false) ?? fail();
      }
      query.detach();
      return d.filler.fill(t.buf, t.q).then((r) => {
        const now = d.ctx.clock.now();
        query.upstream = r.upstream;
        if (r.ok) return composeRewrite(query, target, r.entry, now, udpSize, false) ?? fail();
        const stale = hit && now < hit.staleUntil ? hit : undefined;
        return (stale && composeRewrite(query, target, stale, now, udpSize, true)) || fail();
      });
    },
  };
}
