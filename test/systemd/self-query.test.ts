// The watchdog's liveness proof: a DNS query to our own listener, answered or not.
import t from 'tap';
import type { Test } from 'tap';
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { selfQuery, selfQueryTarget, SELF_QUERY_NAME } from '../../src/systemd/index.js';
import { freePort, startStandInResolver } from './peers.js';

const targets = [
  { name: 'address and port', listen: '10.10.0.1:53', want: { host: '10.10.0.1', port: 53 } },
  { name: 'port defaults to 53', listen: '10.10.0.1', want: { host: '10.10.0.1', port: 53 } },
  { name: 'IPv4 wildcard asks loopback', listen: '0.0.0.0:5353', want: { host: '127.0.0.1', port: 5353 } },
  { name: 'IPv6 wildcard asks ::1', listen: '[::]:53', want: { host: '::1', port: 53 } },
  { name: 'IPv6 address', listen: '[fd00::1]:53', want: { host: 'fd00::1', port: 53 } },
];
for (const c of targets) {
  t.test(`target: ${c.name}`, async (t) => {
    t.same(selfQueryTarget(c.listen), c.want);
  });
}

t.test('target: port 0 cannot be asked, and says why', async (t) => {
  const r = selfQueryTarget('127.0.0.1:0');
  t.ok('error' in r && /port 0/.test(r.error));
});

t.test('a real resolver answering the canary NXDOMAIN is a pass', async (t) => {
  const port = await freePort();
  const dns = await startStandInResolver('127.0.0.1', port);
  t.teardown(() => dns.stop());
  const r = await selfQuery({ host: '127.0.0.1', port }, 2000);
  t.ok(r.ok, JSON.stringify(r));
  if (r.ok) t.equal(r.rcode, 'NXDOMAIN');
});

t.test('nobody listening: a failure value, within the timeout', async (t) => {
  const port = await freePort();
  const t0 = Date.now();
  const r = await selfQuery({ host: '127.0.0.1', port }, 300);
  t.notOk(r.ok);
  if (!r.ok) t.equal(r.code, 'SG_DNS_SELFTEST');
  t.ok(Date.now() - t0 < 1500, 'resolved promptly');
});

// A responder on a real socket that answers every query in a chosen (wrong) way.
async function responder(t: Test, reply: (q: dnsPacket.DecodedPacket, raw: Buffer) => Buffer | undefined): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  sock.on('message', (msg, from) => {
    const out = reply(dnsPacket.decode(msg), msg);
    if (out) sock.send(out, from.port, from.address);
  });
  t.teardown(() => sock.close());
  return sock.address().port;
}

const badAnswers: { name: string; reply: (q: dnsPacket.DecodedPacket, raw: Buffer) => Buffer | undefined }[] = [
  {
    name: 'SERVFAIL is not health',
    reply: (q) => dnsPacket.encode({ type: 'response', id: q.id, flags: 2, questions: q.questions }),
  },
  {
    name: 'an answer to another query id is ignored (then timeout)',
    reply: (q) => dnsPacket.encode({ type: 'response', id: ((q.id ?? 0) + 1) & 0xffff, flags: 3, questions: q.questions }),
  },
  {
    name: 'garbage is ignored (then timeout)',
    reply: () => Buffer.from('not dns at all'),
  },
  {
    name: 'an answer for another name is ignored (then timeout)',
    reply: (q) => dnsPacket.encode({ type: 'response', id: q.id, flags: 3, questions: [{ type: 'A', name: 'example.com' }] }),
  },
];
for (const c of badAnswers) {
  t.test(c.name, async (t) => {
    const port = await responder(t, c.reply);
    const r = await selfQuery({ host: '127.0.0.1', port }, 400);
    t.notOk(r.ok, JSON.stringify(r));
  });
}

t.test('the canary is what is asked', async (t) => {
  let asked = '';
  const port = await responder(t, (q) => {
    asked = q.questions?.[0]?.name ?? '';
    return dnsPacket.encode({ type: 'response', id: q.id, flags: 3, questions: q.questions });
  });
  const r = await selfQuery({ host: '127.0.0.1', port }, 1000);
  t.ok(r.ok);
  t.equal(asked, SELF_QUERY_NAME);
});
