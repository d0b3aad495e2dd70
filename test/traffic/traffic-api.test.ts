// GET /api/v1/traffic/flows and /traffic/top through inject(): the flow table filled by the real
// inspector from real captures (test/fixtures/pcap), the roles, the anonymised viewer, input
// validation, and the clear 404 when the traffic stage is off. The live stage (tcpdump, nft,
// conntrack) is covered in the lab: test/traffic/view-lab.test.ts.
import t from 'tap';
import { FlowInspector, readPcapFile } from '../../src/traffic/index.js';
import type { TrafficService } from '../../src/daemon/index.js';
import { apiFixture, json } from '../api/fixture.js';

const FIXTURES = new URL('../fixtures/pcap/', import.meta.url).pathname;
type Flows = { items: { client: string; server: string; proto: string; group: string; action: string; reason: string; bytes?: number; time: number }[]; counters: { available: boolean; note?: string } };
type Top = { items: { client: string; flows: number; bytes?: number }[]; counters: { available: boolean } };

async function withCaptures(f: Awaited<ReturnType<typeof apiFixture>>, counted: boolean): Promise<void> {
  const inspector = new FlowInspector({ state: () => f.state.current, identify: (ip) => f.ctx.identity.identify(ip) });
  for (const file of ['tls13-curl.pcap', 'http11-curl.pcap', 'tls13-openssl-v6.pcap']) {
    const r = await readPcapFile(FIXTURES + file, (frame, ms, link) => void inspector.onPacket(frame, ms, link));
    if (!r.ok) throw new Error(r.error);
  }
  const service: TrafficService = {
    recentFlows: (filter) => inspector.table.recentFlows(filter).map((fl) => ({ ...fl, bytes: counted ? 1234 : undefined })),
    topTalkers: (limit) => inspector.table.topTalkers(limit),
    byteCounters: () => (counted ? { available: true } : { available: false, note: 'net.netfilter.nf_conntrack_acct is 0' }),
  };
  f.ctx.services.traffic = service;
}

t.test('traffic capture off (dns-only): a clear 404', async (t) => {
  const f = await apiFixture(t);
  const tech = await f.as('technician');
  for (const url of ['/api/v1/traffic/flows', '/api/v1/traffic/top']) {
    const r = await tech.get(url);
    t.equal(r.statusCode, 404, url);
    t.match(json(r), { ok: false, code: 'SG_NOT_FOUND', message: 'traffic capture is off (gateway mode with traffic.enabled)' });
  }
});

t.test('recent flows, newest first, per device; top talkers', async (t) => {
  const f = await apiFixture(t);
  await withCaptures(f, false);
  const tech = await f.as('technician');
  const all = json<Flows>(await tech.get('/api/v1/traffic/flows'));
  t.equal(all.items.length, 3, 'one flow per capture');
  t.same(all.items.map((i) => [i.client, i.proto]), [['2001:db8::10', 'tls'], ['192.0.2.10', 'http'], ['192.0.2.10', 'tls']], 'the last seen first');
  t.match(all.items.find((i) => i.proto === 'http'), { server: 'www.example.com', action: 'allow' });
  t.ok(all.items.every((i) => i.bytes === undefined), 'no kernel counters: no bytes at all (not 0)');
  t.same(all.counters, { available: false, note: 'net.netfilter.nf_conntrack_acct is 0' });

  const one = json<Flows>(await tech.get('/api/v1/traffic/flows?device=2001:db8::10'));
  t.same(one.items.map((i) => [i.client, i.server, i.proto]), [['2001:db8::10', 'blocked.example', 'tls']], 'one device');
  t.equal(json<Flows>(await tech.get('/api/v1/traffic/flows?limit=1')).items.length, 1, 'limit');

  const top = json<Top>(await tech.get('/api/v1/traffic/top?limit=5'));
  t.equal(top.items.length, 2, 'two devices');
  t.match(top.items[0], { client: '192.0.2.10', flows: 2 }, 'the device with the most flows first');
  t.notOk('bytes' in top.items[0], 'no byte figure when the kernel does not count');
});

t.test('bytes when the kernel counts them', async (t) => {
  const f = await apiFixture(t);
  await withCaptures(f, true);
  const tech = await f.as('technician');
  t.ok(json<Flows>(await tech.get('/api/v1/traffic/flows')).items.every((i) => i.bytes === 1234));
  t.match(json<Top>(await tech.get('/api/v1/traffic/top')).items[0], { bytes: Number });
});

t.test('bad input is a 400 with the field named', async (t) => {
  const f = await apiFixture(t);
  await withCaptures(f, false);
  const tech = await f.as('technician');
  const cases = [
    { name: 'not an IP', url: '/api/v1/traffic/flows?device=pupil-laptop', path: '/device' },
    { name: 'half an IP', url: '/api/v1/traffic/flows?device=10.10.1', path: '/device' },
    { name: 'limit 0', url: '/api/v1/traffic/flows?limit=0' },
    { name: 'limit too large', url: '/api/v1/traffic/flows?limit=5000' },
    { name: 'limit not a number', url: '/api/v1/traffic/top?limit=ten' },
    { name: 'unknown parameter', url: '/api/v1/traffic/flows?client=10.10.1.10' },
  ];
  for (const c of cases) {
    const r = await tech.get(c.url);
    t.equal(r.statusCode, 400, `${c.name}: ${r.body}`);
    t.match(json(r), { ok: false, code: 'SG_BAD_INPUT' }, c.name);
    if (c.path) t.match(json<{ errors: { path: string }[] }>(r).errors, [{ path: c.path }], c.name);
  }
});

t.test('roles: viewers read pseudonyms and filter by them, never by an address', async (t) => {
  const f = await apiFixture(t);
  await withCaptures(f, false);
  t.equal((await f.agent().get('/api/v1/traffic/flows')).statusCode, 401, 'no login: 401');
  const viewer = await f.as('viewer');
  const seen = json<Flows>(await viewer.get('/api/v1/traffic/flows'));
  t.equal(seen.items.length, 3);
  t.ok(seen.items.every((i) => /^device-[0-9a-f]{8}$/.test(i.client)), 'devices as pseudonyms');
  t.notMatch(JSON.stringify(seen), /192\.0\.2\.10|2001:db8::10/, 'no device address anywhere');
  const pseudonym = seen.items.find((i) => i.proto === 'http')?.client ?? '';
  const mine = json<Flows>(await viewer.get(`/api/v1/traffic/flows?device=${pseudonym}`));
  t.equal(mine.items.length, 2, 'filtered by the pseudonym');
  t.ok(mine.items.every((i) => i.client === pseudonym));
  const byIp = await viewer.get('/api/v1/traffic/flows?device=192.0.2.10');
  t.equal(byIp.statusCode, 403, 'by address: refused');
  t.match(json<{ code: string }>(byIp), { code: 'SG_FORBIDDEN' });
  const top = json<Top>(await viewer.get('/api/v1/traffic/top'));
  t.ok(top.items.every((i) => i.client.startsWith('device-')), 'top talkers anonymised too');
  const safeguarding = await f.as('safeguarding');
  t.equal((await safeguarding.get('/api/v1/traffic/flows?device=192.0.2.10')).statusCode, 200, 'safeguarding: by address');
});
