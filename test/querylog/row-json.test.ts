import t from 'tap';
import type { Test } from 'tap';
import { RowJson, rowBound } from '../../src/querylog/row-json.js';
import type { QueryEvent } from '../../src/daemon/index.js';

// What the log stored before RowJson: JSON.stringify of the tuple in FIELDS order, trailing nulls cut.
function reference(e: QueryEvent): string {
  const tuple = [e.time, e.client, e.group, e.name, e.type, e.action, e.reason, e.rcode, Math.round(e.latency * 100) / 100,
    e.category ?? null, e.upstream ?? null, e.mac ?? null, e.user ?? null, e.hostname ?? null, e.cached ? 1 : null, e.overrideId ?? null];
  while (tuple[tuple.length - 1] === null) tuple.length--;
  return JSON.stringify(tuple);
}

const base: QueryEvent = { time: 1_796_319_324_123, client: '10.10.1.9', group: 'pupils', name: 'www.example.com', type: 'A', action: 'allow', reason: 'default', rcode: 'NOERROR', latency: 0.0523, cached: false };

function check(t: Test, e: QueryEvent, json: RowJson, what: string): void {
  const bytes = Buffer.alloc(rowBound(e) + 8, 0xff);
  const end = json.write(bytes, 4, e);
  t.ok(end - 4 <= rowBound(e), `${what}: within its bound`);
  t.equal(bytes[end], 0xff, `${what}: nothing written past the end`);
  t.equal(bytes.toString('utf8', 4, end), reference(e), what);
}

t.test('a row is the same text JSON.stringify makes of its tuple', (t) => {
  const json = new RowJson();
  const cases: [string, QueryEvent][] = [
    ['bare', base],
    ['cached', { ...base, cached: true }],
    ['every field', { ...base, mac: 'aa:bb:cc:dd:ee:09', hostname: 'lab-pc-9', user: 'sam.p', category: 'games', upstream: '127.0.0.1:53', cached: true, overrideId: 'ov-1', action: 'block', reason: 'override' }],
    ['a gap before the last field', { ...base, overrideId: 'ov-2' }],
    ['only a category', { ...base, category: 'adult' }],
    ['quotes, backslash, control and non-ASCII characters', { ...base, name: 'a\\000b.example', hostname: 'pc "7B"\n\u0001', user: 'Zoë Łukasz 学生 😀' }],
    ['a lone surrogate', { ...base, user: '\ud800x' }],
    ['latency 0', { ...base, latency: 0 }],
    ['latency that rounds to a whole number', { ...base, latency: 2.999 }],
    ['latency with one decimal', { ...base, latency: 12.1 }],
    ['latency in the thousands', { ...base, latency: 12345.678 }],
    ['latency too large for the integer path', { ...base, latency: 3e9 }],
    ['negative latency (a clock step)', { ...base, latency: -0.4 }],
    ['NaN latency', { ...base, latency: Number.NaN }],
    ['a time with a fraction', { ...base, time: 1_796_319_324_123.5 }],
    ['a small time', { ...base, time: 42 }],
    ['a time whose low digits are zeros', { ...base, time: 1_796_319_000_000 }],
    ['an empty name', { ...base, name: '' }],
  ];
  for (const [what, e] of cases) check(t, e, json, what);
  t.end();
});

t.test('random rows, with the time crossing its cached high digits', (t) => {
  const json = new RowJson();
  let seed = 7;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const text = () => Array.from({ length: Math.floor(rand() * 12) }, () => String.fromCharCode(rand() < 0.8 ? 0x20 + Math.floor(rand() * 95) : Math.floor(rand() * 0x3000))).join('');
  const maybe = () => (rand() < 0.5 ? undefined : text());
  let time = 1_796_319_999_000;
  let bad = 0;
  for (let i = 0; i < 2000; i++) {
    time += Math.floor(rand() * 5000);
    const e: QueryEvent = { time, client: text(), group: text(), name: text(), type: 'AAAA', action: 'block', reason: text(), rcode: 'NXDOMAIN', latency: rand() * 200, cached: rand() < 0.5, category: maybe(), upstream: maybe(), mac: maybe(), user: maybe(), hostname: maybe(), overrideId: maybe() };
    const bytes = Buffer.alloc(rowBound(e));
    const end = json.write(bytes, 0, e);
    if (bytes.toString('utf8', 0, end) !== reference(e)) bad++;
  }
  t.equal(bad, 0, '2000 random rows as JSON.stringify writes them');
  t.end();
});
