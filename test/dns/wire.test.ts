// Wire parsing and writing, pure: the query parser's verdicts, the question name as text, the
// upstream response scan, and replies built from the cache (TTL decrement and caps, OPT only
// when the client sent one).
import t from 'tap';
import { decode } from 'dns-packet';
import {
  AnswerCache, PARSE, cacheKey, newEntry, newParsedQuery, parseQuery, questionName, replyFromCache, scanResponse, ttlCap, matchesQuery, upstreamQuery,
} from '../../src/dns/index.js';
import { encodeQuery } from './dns-client.js';

const parse = (buf: Buffer) => {
  const q = newParsedQuery();
  return { status: parseQuery(buf, buf.length, q), q };
};

t.test('parseQuery verdicts', async (t) => {
  const ok = encodeQuery('www.Example.com', { edns: 4096, dnssecOk: true, type: 'AAAA' });
  const cases: { name: string; buf: Buffer; want: number }[] = [
    { name: 'a plain query', buf: encodeQuery('example.com'), want: PARSE.OK },
    { name: 'with EDNS', buf: ok, want: PARSE.OK },
    { name: 'shorter than a header', buf: Buffer.alloc(11), want: PARSE.DROP },
    { name: 'a response (QR set)', buf: Buffer.from(ok).fill(0x80, 2, 3), want: PARSE.DROP },
    { name: 'qdcount 0', buf: Buffer.from(ok).fill(0, 5, 6), want: PARSE.FORMERR },
    { name: 'qdcount 50', buf: Buffer.from(ok).fill(50, 5, 6), want: PARSE.FORMERR },
    { name: 'truncated question', buf: ok.subarray(0, 20), want: PARSE.FORMERR },
    { name: 'pointer in the question', buf: Buffer.concat([ok.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]), want: PARSE.FORMERR },
    { name: 'label length 64', buf: Buffer.concat([ok.subarray(0, 12), Buffer.from([64]), Buffer.alloc(64, 0x61), Buffer.from([0, 0, 1, 0, 1])]), want: PARSE.FORMERR },
    { name: 'name over 255 bytes', buf: encodeQuery(Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')), want: PARSE.FORMERR },
    { name: 'opcode 2 (STATUS)', buf: Buffer.from(ok).fill(0x10, 2, 3), want: PARSE.NOTIMP },
    { name: 'EDNS version 1', buf: Buffer.from(ok).fill(1, ok.length - 5, ok.length - 4), want: PARSE.BADVERS },
    { name: 'OPT record cut short', buf: ok.subarray(0, ok.length - 3), want: PARSE.FORMERR },
  ];
  for (const c of cases) t.equal(parse(c.buf).status, c.want, c.name);
  const { q } = parse(ok);
  t.equal(q.qtype, 28);
  t.ok(q.edns && q.dnssecOk);
  t.equal(q.udpSize, 4096);
  t.equal(q.labelCount, 3);
  const small = parse(encodeQuery('x.test', { edns: 100 })).q;
  t.equal(small.udpSize, 512, 'EDNS sizes below 512 count as 512');
});

t.test('questionName: lower case, the root, escapes for odd bytes', async (t) => {
  t.equal(questionName(encodeQuery('WWW.Example.COM'), parse(encodeQuery('WWW.Example.COM')).q), 'www.example.com');
  const root = Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1]);
  t.equal(questionName(root, parse(root).q), '.');
  const odd = Buffer.concat([encodeQuery('x').subarray(0, 12), Buffer.from([3, 0x61, 0x2e, 0x0a, 4]), Buffer.from('test'), Buffer.from([0, 0, 1, 0, 1])]);
  t.equal(questionName(odd, parse(odd).q), 'a\\046\\010.test', 'a dot or newline inside a label cannot forge a name or a log line');
  const a = parse(encodeQuery('Mixed.Case.test'));
  const b = parse(encodeQuery('mixed.case.TEST'));
  t.equal(a.q.hash, b.q.hash, 'the cache hash ignores case');
});

/** An upstream-style answer for `name`: one A (TTL `ttl`) and an OPT record. */
function upstreamAnswer(name: string, ttl: number, extra: { cname?: string } = {}): Buffer {
  const labels = (n: string) => Buffer.concat([...n.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const q = Buffer.concat([labels(name), Buffer.from([0, 1, 0, 1])]);
  const rrs: Buffer[] = [];
  if (extra.cname) {
    const target = labels(extra.cname);
    rrs.push(Buffer.concat([Buffer.from([0xc0, 12, 0, 5, 0, 1]), u32(ttl), u16(target.length), target]));
  }
  rrs.push(Buffer.concat([Buffer.from([0xc0, 12, 0, 1, 0, 1]), u32(ttl), u16(4), Buffer.from([192, 0, 2, 9])]));
  const opt = Buffer.from([0, 0, 41, 4, 208, 0, 0, 0x80, 0, 0, 0]);
  const header = Buffer.from([0, 7, 0x81, 0x80, 0, 1, 0, rrs.length, 0, 0, 0, 1]);
  return Buffer.concat([header, q, ...rrs, opt]);
}
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);

t.test('scanResponse: TTLs, CNAME targets, addresses, OPT; malformed is undefined', async (t) => {
  const m = upstreamAnswer('cloak.test', 120, { cname: 'Tracker.Blocked.test' });
  const s = scanResponse(m);
  t.ok(s);
  t.same(s?.targets, ['tracker.blocked.test']);
  t.same(s?.addresses, ['192.0.2.9']);
  t.equal(s?.answerTtl, 120);
  t.equal(s?.ttlOffsets.length, 2, 'OPT has no TTL to decrement');
  t.ok((s?.optStart ?? -1) > 0);
  t.equal(scanResponse(m.subarray(0, m.length - 5)), undefined, 'truncated');
  t.equal(scanResponse(Buffer.concat([upstreamAnswer('a.test', 1).subarray(0, 12).fill(0, 6, 8).fill(1, 7, 8), Buffer.from([0xc0, 12, 0, 1, 0, 1])])), undefined, 'a pointer to itself');
});

t.test('upstream matching: ID, QR and question, case-insensitive', async (t) => {
  const question = Buffer.concat([Buffer.from([3]), Buffer.from('web'), Buffer.from([4]), Buffer.from('test'), Buffer.from([0, 0, 1, 0, 1])]);
  const sent = upstreamQuery(question, 0x1234, true, false, 1232);
  const d = decode(sent);
  t.equal((d.additionals?.[0] as { flags?: number }).flags, 0x8000, 'DO passed upstream');
  const reply = Buffer.from(sent);
  reply[2] |= 0x80;
  t.ok(matchesQuery(reply, 0x1234, question));
  t.notOk(matchesQuery(reply, 0x1235, question), 'wrong ID');
  t.notOk(matchesQuery(sent, 0x1234, question), 'not a response');
  const upper = Buffer.from(reply);
  upper[13] = 0x57;
  t.ok(matchesQuery(upper, 0x1234, question), 'letter case does not matter');
  const other = Buffer.from(reply);
  other[14] = 0x61;
  t.notOk(matchesQuery(other, 0x1234, question), 'another name');
});

t.test('replies from the cache: client ID and question, TTL decremented and capped, OPT per client', async (t) => {
  const cache = new AnswerCache(1e6);
  const m = upstreamAnswer('web.test', 300);
  const s = scanResponse(m);
  if (!s) throw new Error('scan');
  const clientQuery = encodeQuery('WEB.test', { edns: 1232, id: 0xbeef });
  const { q } = parse(clientQuery);
  const body = Buffer.concat([m.subarray(0, s.optStart), m.subarray(s.optEnd)]);
  body.writeUInt16BE(0, 10);
  const e = cache.set(newEntry({
    key: cacheKey(clientQuery, q), body, ttlOffsets: s.ttlOffsets, rcode: 0, storedAt: 1_000_000, expiresAt: 1_300_000, staleUntil: 5_000_000,
    targets: [], hasAddresses: true, upstream: 'u',
  }), q.hash);
  const at = (ms: number, cap: number, stale = false) => decode(replyFromCache(e, clientQuery, q, ms, cap, 1232, stale));
  const ttl = (p: ReturnType<typeof decode>) => (p.answers?.[0] as { ttl?: number } | undefined)?.ttl;
  const r = at(1_100_000, 1e9);
  t.equal(r.id, 0xbeef);
  t.equal(r.questions?.[0].name, 'WEB.test', 'the client\'s letter case');
  t.equal(ttl(r), 200, '100 s old: 300 → 200');
  t.equal(ttl(at(1_100_000, 42)), 42, 'capped by the decision window');
  t.equal(ttl(at(9_000_000, 1e9, true)), 30, 'stale: 30 s (RFC 8767)');
  t.ok(r.additionals?.some((a) => a.type === 'OPT'));
  const plain = encodeQuery('web.test');
  const pq = parse(plain).q;
  t.notOk(decode(replyFromCache(e, plain, pq, 1_100_000, 1e9, 1232, false)).additionals?.length, 'no OPT for a client that sent none');
  t.equal(cache.get(clientQuery, q, 1_100_000), e, 'hit by key bytes');
  t.equal(cache.get(encodeQuery('web.test', { type: 'AAAA' }), parse(encodeQuery('web.test', { type: 'AAAA' })).q, 1_100_000), undefined, 'another type misses');
  t.equal(cache.get(clientQuery, q, 6_000_000), undefined, 'past its stale window it is gone');
});

t.test('ttlCap: the decision window caps the TTL', async (t) => {
  const now = 1_000_000;
  t.equal(ttlCap(undefined, now, 300), 300);
  t.equal(ttlCap({ action: 'allow', reason: 'default', validUntil: Infinity }, now, 300), 300);
  t.equal(ttlCap({ action: 'allow', reason: 'schedule', validUntil: now + 90_500 }, now, 300), 90, 'a lunch window closing in 90.5 s');
  t.equal(ttlCap({ action: 'allow', reason: 'override', validUntil: now - 1 }, now, 300), 0, 'already over');
  t.equal(ttlCap({ action: 'block', reason: 'group-block', validUntil: now + 3_600_000 }, now, 10), 10, 'blocking.ttl is the ceiling');
});
