// The API's pure parts, as tables of named cases: the viewer anonymiser, the rate limiter, the
// setup code, CSV cells, report periods, the Host header as a name.
import t from 'tap';
import { Anonymiser } from '../../src/api/anonymise.js';
import { RateLimiter } from '../../src/api/rate-limiter.js';
import { SetupGate } from '../../src/api/setup-code.js';
import { csvCell, csvDocument } from '../../src/api/report-csv.js';
import { reportPeriod } from '../../src/api/report-data.js';
import { ERRORS, statusOf } from '../../src/api/index.js';
import { loadZone } from '../../src/schema/index.js';

t.test('anonymiser', async (t) => {
  const a = new Anonymiser();
  const p = (s: string) => a.pseudonym(s);
  const cases: { name: string; in: unknown; want: unknown }[] = [
    { name: 'device keys become pseudonyms', in: { client: '10.10.1.5', mac: 'AA:BB:CC:DD:EE:FF', device: '10.10.1.6', ip: 'fd00::5' }, want: { client: p('10.10.1.5'), mac: p('aa:bb:cc:dd:ee:ff'), device: p('10.10.1.6'), ip: p('fd00::5') } },
    { name: 'personal keys are dropped', in: { user: 'sam.p', hostname: 'sams-laptop', requestedBy: 'Mr Jones', reportedBy: 'Sam', used: ['aa:bb:cc:dd:ee:01'], group: 'pupils' }, want: { group: 'pupils' } },
    { name: 'addresses inside text', in: 'casino.example for device 10.10.1.23 and fd00:10:0:1::10, mac aa:bb:cc:dd:ee:01', want: `casino.example for device ${p('10.10.1.23')} and ${p('fd00:10:0:1::10')}, mac ${p('aa:bb:cc:dd:ee:01')}` },
    { name: 'times and versions are not addresses', in: 'at 2026-11-23T10:00:00.000Z, 12:15-13:15, v1.2.3.4x, 300.1.1.1', want: 'at 2026-11-23T10:00:00.000Z, 12:15-13:15, v1.2.3.4x, 300.1.1.1' },
    { name: 'an anonymous actor\'s name (a pupil\'s free text)', in: { actor: { name: 'Sam Smith', kind: 'anonymous' }, target: 'x' }, want: { actor: { name: p('Sam Smith'), kind: 'anonymous' }, target: 'x' } },
    { name: 'a staff actor keeps the name', in: { actor: { name: 'tess', kind: 'user', role: 'technician' } }, want: { actor: { name: 'tess', kind: 'user', role: 'technician' } } },
    { name: 'a request-made reason loses the requester', in: { reason: 'access request abc-123 from Sam Smith: coursework' }, want: { reason: 'access request abc-123: coursework' } },
    { name: 'nested arrays and objects', in: [{ details: { input: { client: '10.10.1.9' } } }], want: [{ details: { input: { client: p('10.10.1.9') } } }] },
  ];
  for (const c of cases) t.same(a.scrub(c.in), c.want, c.name);
  t.equal(p('10.10.1.5'), p('10.10.1.5'), 'stable within a run');
  t.not(p('10.10.1.5'), new Anonymiser().pseudonym('10.10.1.5'), 'not the same across runs (no lasting identifier)');
  t.match(p('x'), /^device-[0-9a-f]{8}$/);
});

t.test('rate limiter', async (t) => {
  const clock = { now: 0 };
  const l = new RateLimiter(3, 60_000, () => clock.now, 2);
  t.same([1, 2, 3, 4].map(() => l.hit('a').allowed), [true, true, true, false], 'three per window');
  t.equal(l.hit('a').retryAfter, 60);
  clock.now = 30_000;
  t.equal(l.hit('a').retryAfter, 30, 'the wait shrinks');
  t.ok(l.hit('b').allowed, 'keys apart');
  clock.now = 60_000;
  t.ok(l.hit('a').allowed, 'a new window');
  l.hit('c');
  t.ok(l.hit('b').allowed, 'bounded table: the oldest key went');
});

t.test('setup code', async (t) => {
  const g = new SetupGate();
  t.notOk(g.consume('anything'), 'no code open');
  const code = g.issue();
  t.match(code, /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/, 'no 0/O, 1/I/L');
  t.notOk(g.consume(code.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), 'one character off');
  t.ok(g.open, 'a wrong code does not close it');
  t.ok(g.consume(` ${code.toLowerCase().replace(/-/g, '')} `), 'case, spaces and dashes do not matter');
  t.notOk(g.open);
  t.notOk(g.consume(code), 'once only');
  t.not(g.issue(), code, 'a new code each time');
});

t.test('CSV cells', async (t) => {
  const cases: [string | number | undefined, string][] = [
    ['plain', 'plain'], [42, '42'], [undefined, ''], ['a,b', '"a,b"'], ['say "hi"', '"say ""hi"""'], ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'], ['+1', "'+1"], ['-2', "'-2"], ['@SUM(A1)', "'@SUM(A1)"],
  ];
  for (const [v, want] of cases) t.equal(csvCell(v), want, String(v));
  t.equal(csvDocument([{ title: 't', headers: ['a', 'b'], rows: [[1, 2]] }, { title: 'u', headers: ['c'], rows: [] }]), 't\r\na,b\r\n1,2\r\n\r\nu\r\nc\r\n');
});

t.test('report periods', async (t) => {
  const z = loadZone('Europe/London');
  if (!z.ok) throw new Error('no tzdata');
  const monday = Date.parse('2026-11-23T10:00:00Z');
  t.same(reportPeriod(z.zone, monday, {}), { from: '2026-11-16', to: '2026-11-22' }, 'default: the last seven full days');
  t.same(reportPeriod(z.zone, monday, { to: '2026-11-01' }), { from: '2026-10-26', to: '2026-11-01' });
  t.same(reportPeriod(z.zone, Date.parse('2026-11-22T23:30:00Z'), {}), { from: '2026-11-15', to: '2026-11-21' }, 'local date: 23:30 UTC on Sunday is still Sunday in London (GMT)');
  t.same(reportPeriod(z.zone, Date.parse('2026-07-05T23:30:00Z'), {}), { from: '2026-06-29', to: '2026-07-05' }, 'in summer time it is already Monday');
  t.match(reportPeriod(z.zone, monday, { from: '2026-11-20', to: '2026-11-10' }), { error: /after/ });
  t.match(reportPeriod(z.zone, monday, { from: '2024-01-01', to: '2026-01-01' }), { error: /at most a year/ });
});

t.test('the error catalogue', async (t) => {
  const codes = Object.keys(ERRORS);
  t.ok(codes.every((c) => /^SG_[A-Z_]+$/.test(c)), 'SG_* codes');
  t.equal(statusOf('SG_LOCKED_CATEGORY'), 403);
  t.equal(statusOf('SG_NOT_A_CODE'), 500, 'an unknown code is a bug');
  t.ok(Object.values(ERRORS).every((e) => e.status >= 400 && e.status < 600 && e.text.length > 5));
});
