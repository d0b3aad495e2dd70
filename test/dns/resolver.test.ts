// The resolver as clients see it: the real daemon in front of a real unbound on loopback, asked
// by a DNS client from the source address of each group.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { CLIENTS, startDnsDaemon } from './daemon-fixture.js';
import { decodeAnswer, encodeQuery, query } from './dns-client.js';
import { startUnbound } from './upstream-stub.js';

const upstream = await startUnbound();
t.teardown(() => upstream.stop());
const dns = await startDnsDaemon({ upstreams: [upstream.address], dns: 'rateLimit: { qps: 50, burst: 100 }' });
t.teardown(() => dns.stop());
const { port } = dns;
const ask = (name: string, from: string, o: Parameters<typeof query>[2] = {}) => query(port, name, { edns: 1232, from, ...o });
const upstreamSaw = (name: string) => upstream.log().split('\n').filter((l) => l.includes(` ${name}. `)).length;

t.test('allowed: the upstream answer, TTL from the upstream, no EDE', async (t) => {
  const a = await ask('web.test', CLIENTS.pupil);
  t.equal(a.rcode, 'NOERROR');
  t.same(a.records.map((r) => r.data), ['192.0.2.10']);
  t.ok(a.records[0].ttl <= 300 && a.records[0].ttl >= 295);
  t.equal(a.ede, undefined);
  t.ok(a.hasOpt, 'the client sent OPT, the reply has one');
  const six = await ask('web.test', CLIENTS.pupil, { type: 'AAAA' });
  t.same(six.records.map((r) => r.data), ['2001:db8::10']);
  const plain = await query(port, 'web.test', { from: CLIENTS.pupil });
  t.notOk(plain.hasOpt, 'no OPT in the reply to a query without one (RFC 6891)');
  const chain = await ask('chain.test', CLIENTS.pupil);
  // (the stub, a local-zone, answers the CNAME alone, without chasing it)
  t.same(chain.records.map((r) => [r.type, r.data]), [['CNAME', 'web.test']], 'an allowed CNAME goes through');
});

t.test('blocked, blockpage mode: the block page address, short TTL, EDE naming the category', async (t) => {
  const a = await ask('blocked.test', CLIENTS.pupil);
  t.same(a.records.map((r) => [r.type, r.data]), [['A', '192.0.2.1']]);
  t.ok(a.records[0].ttl <= 10);
  t.equal(a.ede?.code, 17, 'EDE 17 Filtered: the group\'s filtering');
  t.match(a.ede?.text, /category adult/);
  const six = await ask('www.blocked.test', CLIENTS.pupil, { type: 'AAAA' });
  t.same(six.records.map((r) => r.data), ['2001:db8::1'], 'subdomains too; AAAA to address6');
  const plain = await query(port, 'blocked.test', { from: CLIENTS.pupil });
  t.notOk(plain.hasOpt, 'no EDE without an OPT in the query');
  t.same(plain.records.map((r) => r.data), ['192.0.2.1']);
  const staff = await ask('blocked.test', CLIENTS.staff);
  t.same(staff.records.map((r) => r.data), ['192.0.2.11'], 'staff do not block adult');
  const locked = await ask('illegal.test', CLIENTS.staff);
  t.equal(locked.ede?.code, 15, 'a locked category: EDE 15 Blocked, for every group');
  t.match(locked.ede?.text, /locked/);
  t.equal(upstreamSaw('blocked.test'), 1, 'only the staff query went upstream');
});

t.test('CNAME cloaking: an allowed name pointing at a blocked one is blocked', async (t) => {
  const a = await ask('cloak.test', CLIENTS.pupil);
  t.same(a.records.map((r) => r.data), ['192.0.2.1']);
  t.match(a.ede?.text, /category adult/);
  const again = await ask('cloak.test', CLIENTS.pupil);
  t.same(again.records.map((r) => r.data), ['192.0.2.1'], 'also from the cache');
  const staff = await ask('cloak.test', CLIENTS.staff);
  t.same(staff.records.map((r) => [r.type, r.data]), [['CNAME', 'tracker.blocked.test']], 'staff get the real answer from the same cache entry');
});

t.test('HTTPS/SVCB for blocked names: no records', async (t) => {
  const a = await ask('blocked.test', CLIENTS.pupil, { type: 'HTTPS' });
  t.equal(a.rcode, 'NOERROR');
  t.equal(a.records.length, 0);
  t.equal(a.ede?.code, 17);
  const svcb = await ask('games.test', CLIENTS.pupil, { type: 'SVCB' });
  t.equal(svcb.records.length, 0);
  const allowed = await ask('web.test', CLIENTS.pupil, { type: 'HTTPS' });
  t.equal(allowed.rcode, 'NOERROR', 'an allowed name\'s HTTPS query is forwarded');
  t.ok(upstreamSaw('web.test') >= 1);
});

t.test('safe search: CNAME to the enforced host plus its addresses, per group mode', async (t) => {
  const cases: [string, string, string, string][] = [
    ['www.google.com', CLIENTS.pupil, 'forcesafesearch.google.com', '192.0.2.77'],
    ['www.google.co.uk', CLIENTS.pupil, 'forcesafesearch.google.com', '192.0.2.77'],
    ['google.de', CLIENTS.pupil, 'forcesafesearch.google.com', '192.0.2.77'],
    ['www.youtube.com', CLIENTS.pupil, 'restrict.youtube.com', '192.0.2.78'],
    ['www.youtube.com', CLIENTS.moderate, 'restrictmoderate.youtube.com', '192.0.2.79'],
    ['www.bing.com', CLIENTS.pupil, 'strict.bing.com', '192.0.2.80'],
    ['duckduckgo.com', CLIENTS.moderate, 'safe.duckduckgo.com', '192.0.2.81'],
  ];
  for (const [name, from, target, address] of cases) {
    const a = await ask(name, from);
    t.same(a.records.map((r) => [r.type, r.data]), [['CNAME', target], ['A', address]], `${name} from ${from}`);
  }
  const staff = await ask('www.google.com', CLIENTS.staff);
  t.notOk(staff.records.some((r) => r.type === 'CNAME'), 'staff: no rewrite');
});

t.test('canaries, exactly as DESIGN.md says, for every group', async (t) => {
  for (const from of [CLIENTS.pupil, CLIENTS.staff]) {
    t.equal((await ask('use-application-dns.net', from)).rcode, 'NXDOMAIN');
    t.equal((await ask('mask.icloud.com', from)).rcode, 'NXDOMAIN');
    t.equal((await ask('mask-h2.icloud.com', from, { type: 'AAAA' })).rcode, 'NXDOMAIN');
    const ddr = await ask('_dns.resolver.arpa', from, { type: 'SVCB' });
    t.equal(ddr.rcode, 'NOERROR');
    t.equal(ddr.records.length, 0, 'no DDR upgrade offered');
  }
  t.equal(upstreamSaw('use-application-dns.net'), 0);
});

t.test('PTR for private ranges: answered here, never forwarded', async (t) => {
  const known = await ask('9.9.10.10.in-addr.arpa', CLIENTS.pupil, { type: 'PTR' });
  t.same(known.records.map((r) => [r.type, r.data]), [['PTR', 'laptop-7']], 'a hostname the device directory knows (DHCP lease)');
  t.equal((await ask('5.1.168.192.in-addr.arpa', CLIENTS.pupil, { type: 'PTR' })).rcode, 'NXDOMAIN');
  t.equal((await ask('1.0.0.10.in-addr.arpa', CLIENTS.pupil, { type: 'PTR' })).rcode, 'NXDOMAIN');
  t.equal((await ask('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', CLIENTS.pupil, { type: 'PTR' })).rcode, 'NXDOMAIN');
  t.notMatch(upstream.log(), /in-addr\.arpa|ip6\.arpa/);
});

t.test('TCP: framing and pipelining; dig +tcp', async (t) => {
  const tcp = await query(port, 'web.test', { tcp: true, from: CLIENTS.pupil });
  t.same(tcp.records.map((r) => r.data), ['192.0.2.10']);
  const dig = spawnSync('dig', ['+tcp', '+short', '+time=2', '+tries=1', '-p', String(port), '@127.0.0.1', '-b', CLIENTS.pupil, 'blocked.test'], { encoding: 'utf8' });
  t.equal(dig.stdout.trim(), '192.0.2.1');
  // 100 queries in one write (over tcp.maxPipelined: the rest wait their turn); every answer comes
  // back, in any order. From the guest address: they would drain the pupil's rate-limit bucket
  // (burst 100), and the tests after this one ask as the pupil.
  const names = Array.from({ length: 100 }, (_, i) => (i < 3 ? ['web.test', 'blocked.test', 'games.test'][i] : `pipe${i}.test`));
  const frames = names.map((n, i) => {
    const m = encodeQuery(n, { id: 100 + i });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(m.length);
    return Buffer.concat([len, m]);
  });
  const ids = await new Promise<number[]>((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: CLIENTS.guest });
    let buf = Buffer.alloc(0);
    const got: number[] = [];
    const timer = setTimeout(() => reject(new Error(`pipelined answers did not all come (${got.length})`)), 8000);
    s.on('connect', () => s.write(Buffer.concat(frames)));
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        got.push(decodeAnswer(buf.subarray(2, 2 + buf.readUInt16BE(0))).raw.readUInt16BE(0));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (got.length === names.length) {
        clearTimeout(timer);
        s.destroy();
        resolve(got);
      }
    });
  });
  t.same(ids.sort((a, b) => a - b), names.map((_, i) => 100 + i));
});

t.test('truncation and EDNS sizes', async (t) => {
  const noEdns = await query(port, 'mid.test', { type: 'TXT', from: CLIENTS.staff });
  t.ok(noEdns.tc, '~800 bytes to a client without EDNS (512): TC=1');
  t.equal(noEdns.records.length, 0);
  const small = await ask('mid.test', CLIENTS.staff, { type: 'TXT', edns: 512 });
  t.ok(small.tc, 'EDNS 512: still truncated');
  const fits = await ask('mid.test', CLIENTS.staff, { type: 'TXT', edns: 1232 });
  t.notOk(fits.tc);
  t.equal(fits.records.length, 7, 'EDNS 1232: the whole answer');
  const big = await ask('big.test', CLIENTS.staff, { type: 'TXT', edns: 4096 });
  t.ok(big.tc, 'over dns.udpSize (1232) even if the client offers 4096');
  const overTcp = await query(port, 'big.test', { type: 'TXT', tcp: true, from: CLIENTS.staff });
  t.notOk(overTcp.tc);
  t.equal(overTcp.records.length, 20, 'TCP: all of it (schoolgate asked its upstream over TCP after TC)');
});

t.test('negative answers are cached (RFC 2308) and identical queries coalesce', async (t) => {
  const a = await ask('nothing-here.test', CLIENTS.staff);
  t.equal(a.rcode, 'NXDOMAIN');
  const b = await ask('nothing-here.test', CLIENTS.staff);
  t.equal(b.rcode, 'NXDOMAIN');
  t.equal(upstreamSaw('nothing-here.test'), 1, 'asked upstream once');
  const burst = await Promise.all(Array.from({ length: 20 }, () => ask('coalesce.test', CLIENTS.staff)));
  t.ok(burst.every((r) => r.rcode === 'NXDOMAIN'));
  t.equal(upstreamSaw('coalesce.test'), 1, '20 identical queries, one upstream query');
});

t.test('an override applies on the very next query, with its window capping the TTL', async (t) => {
  const before = await ask('games.test', CLIENTS.pupil);
  t.same(before.records.map((r) => r.data), ['192.0.2.1'], `blocked before (${before.rcode})`);
  const r = dns.cli(['override', 'add', '--domain', 'games.test', '--group', 'pupils', '--minutes', '1', '--reason', 'geography lesson project']);
  t.equal(r.code, 0, r.out);
  const after = await ask('games.test', CLIENTS.pupil);
  t.same(after.records.map((r) => r.data), ['192.0.2.12'], 'allowed now, no cache flush');
  t.ok(after.records[0].ttl <= 60, `TTL ${after.records[0].ttl} within the one-minute window`);
});

t.test('rate limit: REFUSED over the limit, one log line per trip, others unaffected', async (t) => {
  const flooder = '127.0.0.99';
  const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => ask(`flood${i % 5}.test`, flooder, { timeoutMs: 3000 }).catch(() => undefined)));
  const refused = answers.filter((a) => a?.rcode === 'REFUSED').length;
  t.ok(refused >= 100, `${refused} of 300 refused`);
  t.equal((await ask('web.test', CLIENTS.pupil)).rcode, 'NOERROR', 'another client is served');
  await dns.daemon.waitForLog((l) => l.client === flooder && l.reason === 'rate-limit');
  t.equal(dns.daemon.logs.filter((l) => l.client === flooder && l.reason === 'rate-limit').length, 1, 'one line for the trip');
});

t.test('malformed and refused queries', async (t) => {
  const axfr = await ask('web.test', CLIENTS.staff, { type: 'AXFR' });
  t.equal(axfr.rcode, 'REFUSED');
  const chaos = await ask('version.bind', CLIENTS.staff, { type: 'TXT', qclass: 3 });
  t.equal(chaos.rcode, 'REFUSED');
});
