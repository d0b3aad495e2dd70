// The stage's contract with the rest of the daemon: DnsService.answer() (as the listeners would,
// or as a named group), counters(), and /metrics text that promtool accepts, histogram included.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createDnsStage } from '../../src/dns/index.js';
import { MetricsRegistry } from '../../src/daemon/index.js';
import type { QueryEvent } from '../../src/daemon/index.js';
import { IdentityService } from '../../src/identity/index.js';
import { coreFixture, dnsContext } from '../fixtures/core.js';
import { decodeAnswer, encodeQuery } from './dns-client.js';

t.test('answer(), counters() and the metrics exposition', async (t) => {
  const f = await coreFixture(t, `
timezone: Europe/London
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"], blocking: { answer: nxdomain } }
locked: [illegal]
groups:
  - { name: pupils, match: { subnets: ["10.10.1.0/24"] }, block: [illegal, adult] }
  - { name: staff, match: { subnets: ["10.10.2.0/24"] }, block: [illegal] }
  - { name: guests, default: true, block: [illegal] }
`);
  const metrics = new MetricsRegistry();
  const ctx = dnsContext(f, metrics);
  const stage = createDnsStage(ctx);
  await stage.start();
  t.teardown(() => stage.stop());
  const events: QueryEvent[] = [];
  f.events.on('query', (e) => events.push(e));

  const blocked = decodeAnswer(Buffer.from(await stage.answer(encodeQuery('www.adult.example', { edns: 1232 }), { ip: '10.10.1.5' })));
  t.equal(blocked.rcode, 'NXDOMAIN', 'a pupil: blocked');
  const asStaff = decodeAnswer(Buffer.from(await stage.answer(encodeQuery('www.adult.example'), { ip: '10.10.1.5', group: 'staff' })));
  t.equal(asStaff.rcode, 'SERVFAIL', 'as staff: allowed, so forwarded (and the only upstream refuses)');
  t.same(events.map((e) => [e.group, e.action, e.reason, e.category ?? '', e.rcode]), [
    ['pupils', 'block', 'group-block', 'adult', 'NXDOMAIN'],
    ['staff', 'error', 'default', '', 'SERVFAIL'],
  ], 'each query is an event for the recorder');
  t.match(stage.counters(), { queries: 2, blocked: 1, servfail: 1, upstreams: [{ address: '127.0.0.1:9', failures: 1 }] });
  t.match(stage.addresses[0], /^127\.0\.0\.1:\d+$/, 'port 0: the bound port is reported');
  const text = metrics.render();
  t.match(text, /schoolgate_dns_queries_total\{action="block"\} 1/);
  t.match(text, /schoolgate_dns_answer_duration_seconds_bucket\{path="local",le="\+Inf"\} 1/);
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

t.test('a device that must sign in gets the portal for every name (canaries still hold)', async (t) => {
  const f = await coreFixture(t, `
timezone: Europe/London
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"], blocking: { answer: blockpage, address: 10.10.0.1 } }
portal: { groups: [guests] }
groups:
  - { name: staff, match: { subnets: ["10.10.2.0/24"] } }
  - { name: guests, default: true }
`);
  const ctx = dnsContext(f);
  const stage = createDnsStage(ctx);
  await stage.start();
  t.teardown(() => stage.stop());
  const ask = async (name: string, ip: string, type = 'A') => decodeAnswer(Buffer.from(await stage.answer(encodeQuery(name, { edns: 1232, type }), { ip })));
  const a = await ask('www.example.org', '10.10.3.7');
  t.same(a.records.map((r) => [r.data, r.ttl]), [['10.10.0.1', 0]], 'the portal address, TTL 0');
  t.equal(a.ede?.code, 17);
  t.match(a.ede?.text, /not signed in/);
  t.equal((await ask('captive.apple.com', '10.10.3.7')).records[0]?.data, '10.10.0.1', 'OS probe names too: the HTTP side redirects them');
  t.equal((await ask('www.example.org', '10.10.3.7', 'AAAA')).records.length, 0, 'no AAAA: the portal is IPv4');
  t.equal((await ask('use-application-dns.net', '10.10.3.7')).rcode, 'NXDOMAIN', 'the DoH canary holds for portal devices');
  t.equal((await ask('www.example.org', '10.10.2.5')).rcode, 'SERVFAIL', 'staff are not sent to the portal (forwarded; no upstream here)');
});

t.test('query events carry the device as the resolver identified it, canaries and refusals too; forced-group probes none', async (t) => {
  const f = await coreFixture(t, `
timezone: Europe/London
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"], blocking: { answer: nxdomain } }
groups:
  - { name: pupils, match: { subnets: ["10.10.1.0/24"] }, block: [adult] }
  - { name: guests, default: true }
`);
  const macs: Record<string, string> = { '10.10.1.5': 'aa:bb:cc:dd:ee:05' };
  const ctx = { ...dnsContext(f), identity: new IdentityService(() => f.state.current, { macOf: (ip) => macs[ip], hostnameOf: (mac) => (mac ? 'lab-pc-5' : undefined), generation: 0 }, () => f.clock.now) };
  const stage = createDnsStage(ctx);
  await stage.start();
  t.teardown(() => stage.stop());
  const events: QueryEvent[] = [];
  f.events.on('query', (e) => events.push(e));
  const ask = async (name: string, client: { ip: string; group?: string }, type = 'A') => decodeAnswer(Buffer.from(await stage.answer(encodeQuery(name, { edns: 1232, type }), client)));
  t.equal((await ask('www.adult.example', { ip: '10.10.1.5' })).rcode, 'NXDOMAIN');
  t.equal((await ask('use-application-dns.net', { ip: '10.10.1.5' })).rcode, 'NXDOMAIN', 'a canary: answered before the identity step');
  t.equal((await ask('example.org', { ip: '10.10.1.5' }, 'AXFR')).rcode, 'REFUSED', 'a zone transfer: refused before the identity step');
  t.equal((await ask('www.adult.example', { ip: '10.10.1.6' })).rcode, 'NXDOMAIN', 'a device the directory does not know');
  t.equal((await ask('www.adult.example', { ip: '10.10.1.5', group: 'guests' })).rcode, 'SERVFAIL', 'a forced group (the self-test): allowed, forwarded, no upstream');
  t.same(events.map((e) => [e.name, e.mac, e.hostname, e.action, e.reason]), [
    ['www.adult.example', 'aa:bb:cc:dd:ee:05', 'lab-pc-5', 'block', 'group-block'],
    ['use-application-dns.net', 'aa:bb:cc:dd:ee:05', 'lab-pc-5', 'block', 'canary'],
    ['example.org', 'aa:bb:cc:dd:ee:05', 'lab-pc-5', 'refused', 'default'],
    ['www.adult.example', undefined, undefined, 'block', 'group-block'],
    ['www.adult.example', undefined, undefined, 'error', 'default'],
  ]);
});
