// The pure parts around the decision: the safe-search table, RFC 6303 reverse zones, the rate
// limiter's trips, the cache's memory accounting and eviction, the latency histogram.
import t from 'tap';
import { AnswerCache, ENTRY_OVERHEAD, newEntry, LatencyHistogram, RATE, RateLimiter, SAFE_SEARCH, UpstreamPool, cacheKey, classifyPtr, newParsedQuery, parseQuery, safeSearchTarget } from '../../src/dns/index.js';
import { encodeQuery } from './dns-client.js';

t.test('safe search table', async (t) => {
  const cases: [string, 'off' | 'moderate' | 'strict', string | undefined][] = [
    ['www.google.com', 'strict', 'forcesafesearch.google.com'],
    ['google.com', 'moderate', 'forcesafesearch.google.com'],
    ['www.google.co.uk', 'strict', 'forcesafesearch.google.com'],
    ['www.google.com.au', 'strict', 'forcesafesearch.google.com'],
    ['google.fr', 'strict', 'forcesafesearch.google.com'],
    ['mail.google.com', 'strict', undefined],
    ['www.google.com', 'off', undefined],
    ['www.youtube.com', 'strict', 'restrict.youtube.com'],
    ['m.youtube.com', 'moderate', 'restrictmoderate.youtube.com'],
    ['youtubei.googleapis.com', 'strict', 'restrict.youtube.com'],
    ['www.youtube-nocookie.com', 'strict', 'restrict.youtube.com'],
    ['www.bing.com', 'moderate', 'strict.bing.com'],
    ['duckduckgo.com', 'strict', 'safe.duckduckgo.com'],
    ['start.duckduckgo.com', 'strict', 'safe.duckduckgo.com'],
    ['forcesafesearch.google.com', 'strict', undefined],
    ['example.com', 'strict', undefined],
  ];
  for (const [name, mode, want] of cases) t.equal(safeSearchTarget(name, mode), want, `${name} (${mode})`);
  t.ok(SAFE_SEARCH.size > 350, `Google's country domains are in the table (${SAFE_SEARCH.size} names)`);
});

/** The ip6.arpa name of 32 hex nibbles. */
const rev6 = (hex: string) => `${hex.split('').reverse().join('.')}.ip6.arpa`;

t.test('PTR: RFC 6303 zones are local, their parents and public ranges are not', async (t) => {
  const cases: [string, boolean, string | undefined][] = [
    ['1.0.0.10.in-addr.arpa', true, '10.0.0.1'],
    ['5.1.168.192.in-addr.arpa', true, '192.168.1.5'],
    ['1.0.16.172.in-addr.arpa', true, '172.16.0.1'],
    ['1.0.31.172.in-addr.arpa', true, '172.31.0.1'],
    ['1.0.32.172.in-addr.arpa', false, undefined],
    ['9.0.64.100.in-addr.arpa', true, '100.64.0.9'],
    ['1.0.0.127.in-addr.arpa', true, '127.0.0.1'],
    ['1.2.0.192.in-addr.arpa', true, '192.0.2.1'],
    ['168.192.in-addr.arpa', true, undefined],
    ['192.in-addr.arpa', false, undefined],
    ['8.8.8.8.in-addr.arpa', false, undefined],
    ['x.10.in-addr.arpa', true, undefined],
    [`${'1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f'}.ip6.arpa`, true, 'fd00::1'],
    [rev6('fe80000000000000000000000000abcd'), true, 'fe80::abcd'],
    ['8.b.d.0.1.0.0.2.ip6.arpa', true, undefined],
    [rev6('20014860000000000000000000008888'), false, undefined],
    [rev6('00000000000000000000000000000001'), true, '::1'],
    ['example.com', false, undefined],
  ];
  for (const [name, local, ip] of cases) {
    const r = classifyPtr(name);
    t.equal(r.local, local, `${name} local`);
    t.equal(r.ip, ip, `${name} address`);
  }
});

t.test('rate limiter: a trip is reported once, ends when the bucket refills', async (t) => {
  const r = new RateLimiter(10, 20);
  let now = 0;
  const verdicts: number[] = [];
  for (let i = 0; i < 30; i++) verdicts.push(r.check('a', now));
  t.equal(verdicts.filter((v) => v === RATE.OK).length, 20, 'the burst');
  t.equal(verdicts.filter((v) => v === RATE.TRIPPED).length, 1, 'one trip');
  t.equal(verdicts.filter((v) => v === RATE.REFUSED).length, 9);
  t.equal(r.check('b', now), RATE.OK, 'other clients unaffected');
  now += 500;
  t.equal(r.check('a', now), RATE.OK, '5 tokens back after 0.5 s');
  now += 3000;
  r.check('a', now);
  for (let i = 0; i < 25; i++) r.check('a', now);
  t.equal(r.refusedIn('a'), 6, 'after a full refill, a new trip starts counting');
  const off = new RateLimiter(0, 1);
  t.ok(Array.from({ length: 1000 }, () => off.check('x', 0)).every((v) => v === RATE.OK), 'qps 0: off');
});

t.test('cache: memory accounting, LRU eviction, replacement', async (t) => {
  const entry = (name: string, bodyLen: number) => {
    const buf = encodeQuery(name);
    const q = newParsedQuery();
    parseQuery(buf, buf.length, q);
    return { e: newEntry({ key: cacheKey(buf, q), body: Buffer.alloc(bodyLen), ttlOffsets: [12, 30], rcode: 0, storedAt: 0, expiresAt: 60_000, staleUntil: 120_000, targets: ['t.test'], hasAddresses: true, upstream: 'u' }), buf, q };
  };
  const one = entry('a.test', 100);
  const size = 100 + cacheKey(one.buf, one.q).length + 4 + ENTRY_OVERHEAD + 't.test'.length + 32;
  const cache = new AnswerCache(size * 3 + 10);
  cache.set(one.e, one.q.hash);
  t.equal(cache.stats.bytes, size, 'bytes charged: message, key, offsets, overhead, CNAME targets');
  const b = entry('b.test', 100);
  const c = entry('c.test', 100);
  cache.set(b.e, b.q.hash);
  cache.set(c.e, c.q.hash);
  t.equal(cache.stats.entries, 3);
  cache.get(one.buf, one.q, 1000);
  const d = entry('d.test', 100);
  cache.set(d.e, d.q.hash);
  t.equal(cache.stats.entries, 3, 'over the cap: one out');
  t.equal(cache.get(b.buf, b.q, 1000), undefined, 'the least recently used went (b)');
  t.ok(cache.get(one.buf, one.q, 1000), 'a, used recently, stays');
  cache.set(entry('a.test', 100).e, one.q.hash);
  t.equal(cache.stats.entries, 3, 'the same key replaces');
  t.ok(cache.stats.bytes <= size * 3 + 10, 'never over the cap');
  t.equal(cache.sweep(200_000), 3, 'sweep drops entries past their stale window');
  t.equal(cache.stats.bytes, 0);
  const huge = entry('huge.test', 10_000);
  cache.set(huge.e, huge.q.hash);
  t.equal(cache.stats.entries, 0, 'an entry bigger than the whole cache is not kept');
});

t.test('upstream pool: fastest healthy first, down after two failures, probes when due', async (t) => {
  const pool = new UpstreamPool(['127.0.0.1:1', '127.0.0.1:2']);
  const [a, b] = pool.upstreams;
  pool.success(a, 30);
  pool.success(b, 5);
  t.same(pool.plan(0).tries.map((u) => u.address), ['127.0.0.1:2', '127.0.0.1:1']);
  pool.failure(b, 0);
  t.notOk(b.down, 'one failure is not down');
  pool.failure(b, 0);
  t.ok(b.down);
  t.same(pool.plan(10).tries.map((u) => u.address), ['127.0.0.1:1']);
  t.same(pool.plan(2000).probes.map((u) => u.address), ['127.0.0.1:2'], 'due after the back-off: probed');
  t.same(pool.plan(2001).probes, [], 'one probe per back-off');
  pool.failure(a, 3000);
  pool.failure(a, 3000);
  const all = pool.plan(3001);
  t.same(all.tries, [], 'all down: nothing to wait for');
  pool.success(b, 7);
  t.same(pool.plan(3002).tries.map((u) => u.address), ['127.0.0.1:2'], 'a probe answer brings it back');
});

t.test('latency histogram quantiles and exposition', async (t) => {
  const h = new LatencyHistogram();
  for (let i = 0; i < 990; i++) h.observe(0.08);
  for (let i = 0; i < 10; i++) h.observe(30);
  t.equal(h.quantile(0.5), 0.1);
  t.equal(h.quantile(0.99), 0.1);
  t.equal(h.quantile(0.999), 50);
  const s = h.samples({ path: 'cached' });
  t.equal(s.find((x) => x.labels?.le === '+Inf')?.value, 1000);
  t.equal(s.find((x) => x.suffix === '_count')?.value, 1000);
});
