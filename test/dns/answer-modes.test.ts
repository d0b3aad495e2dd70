// dns.blocking.answer nxdomain and null, with the real daemon.
import t from 'tap';
import { CLIENTS, startDnsDaemon } from './daemon-fixture.js';
import { query } from './dns-client.js';
import { startUnbound } from './upstream-stub.js';

const upstream = await startUnbound();
t.teardown(() => upstream.stop());

t.test('nxdomain: NXDOMAIN with the EDE, negative TTL within blocking.ttl', async (t) => {
  const dns = await startDnsDaemon({ upstreams: [upstream.address], answer: 'nxdomain' });
  t.teardown(() => dns.stop());
  for (const type of ['A', 'AAAA', 'HTTPS', 'MX']) {
    const a = await query(dns.port, 'blocked.test', { edns: 1232, from: CLIENTS.pupil, type });
    t.equal(a.rcode, 'NXDOMAIN', type);
    t.equal(a.records.length, 0);
    t.equal(a.ede?.code, 17);
    t.match(a.ede?.text, /category adult/);
    const soa = (a.packet.authorities ?? [])[0] as { type: string; ttl?: number; data?: { minimum?: number } } | undefined;
    t.equal(soa?.type, 'SOA', 'an SOA for negative caching (RFC 2308)');
    t.ok((soa?.ttl ?? 99) <= 10 && (soa?.data?.minimum ?? 99) <= 10, 'negative TTL at most blocking.ttl');
  }
  t.equal((await query(dns.port, 'web.test', { from: CLIENTS.pupil })).rcode, 'NOERROR', 'allowed names unchanged');
});

t.test('null: 0.0.0.0 and ::, HTTPS gets no records', async (t) => {
  const dns = await startDnsDaemon({ upstreams: [upstream.address], answer: 'null' });
  t.teardown(() => dns.stop());
  const a = await query(dns.port, 'www.blocked.test', { edns: 1232, from: CLIENTS.pupil });
  t.same(a.records.map((r) => r.data), ['0.0.0.0']);
  t.equal(a.ede?.code, 17);
  const six = await query(dns.port, 'blocked.test', { edns: 1232, from: CLIENTS.pupil, type: 'AAAA' });
  t.same(six.records.map((r) => r.data), ['::']);
  const https = await query(dns.port, 'blocked.test', { edns: 1232, from: CLIENTS.pupil, type: 'HTTPS' });
  t.equal(https.rcode, 'NOERROR');
  t.equal(https.records.length, 0);
});
