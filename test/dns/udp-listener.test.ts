// The UDP listener on both of its paths, the batched addon (recvmmsg/sendmmsg) and node:dgram,
// against the real resolver: bursts larger than one batch, answers that wait for an upstream,
// an oversized datagram, IPv4 and IPv6 senders as the resolver sees them, and stop().
import t from 'tap';
import type { Test } from 'tap';
import { createSocket } from 'node:dgram';
import { createDnsStage } from '../../src/dns/index.js';
import { UdpListener } from '../../src/dns/udp-listener.js';
import { udpBatchAddon } from '../../src/dns/udp-batch.js';
import type { QueryEvent } from '../../src/daemon/index.js';
import type { Resolver } from '../../src/dns/resolver.js';
import { coreFixture, dnsContext } from '../fixtures/core.js';
import { decodeAnswer, encodeQuery } from './dns-client.js';

t.ok(udpBatchAddon(), 'the batching addon is built (npm ci builds native/udp-batch); without it the listener falls back to node:dgram');

/** Sends every message from one socket at once; resolves with the replies by ID (bounded wait). */
function burst(port: number, host: string, messages: Buffer[], waitMs = 3000): Promise<Map<number, Buffer>> {
  const v6 = host.includes(':');
  return new Promise((resolve) => {
    // a large receive buffer: the listener answers a whole batch at once, and this client shares its event loop
    const s = createSocket({ type: v6 ? 'udp6' : 'udp4', recvBufferSize: 4 << 20 });
    const got = new Map<number, Buffer>();
    const done = () => { clearTimeout(timer); s.close(); resolve(got); };
    const timer = setTimeout(done, waitMs);
    s.on('message', (m) => {
      got.set(m.readUInt16BE(0), m);
      if (got.size === messages.length) done();
    });
    s.bind(0, host, () => { for (const m of messages) s.send(m, port, host); });
  });
}

/** An upstream that answers every query (its own question back, NOERROR) after `delayMs`; `asked` resolves at the first query. */
async function slowUpstream(t: Test, delayMs: number): Promise<{ address: string; asked: Promise<void> }> {
  const s = createSocket('udp4');
  let first: () => void = () => {};
  const asked = new Promise<void>((resolve) => (first = resolve));
  s.on('message', (m, from) => {
    first();
    m[2] |= 0x80;
    setTimeout(() => s.send(m, from.port, from.address), delayMs);
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  t.teardown(() => s.close());
  return { address: `127.0.0.1:${s.address().port}`, asked };
}

async function stageFixture(t: Test, upstream = '127.0.0.1:9') {
  const f = await coreFixture(t, `
timezone: Europe/London
dns: { listen: ["127.0.0.1:0"], upstreams: ["${upstream}"], blocking: { answer: nxdomain } }
groups:
  - { name: guests, default: true, block: [adult] }
`);
  const ctx = dnsContext(f);
  const stage = createDnsStage(ctx);
  const events: QueryEvent[] = [];
  f.events.on('query', (e) => events.push(e));
  t.teardown(() => stage.resolver.stop());
  return { resolver: stage.resolver as Resolver, events };
}

for (const batched of [true, false]) {
  const path = batched ? 'batched' : 'dgram';
  t.test(`${path}: a burst of 300 (more than one batch), answered on the spot and via an upstream`, async (t) => {
    const { resolver, events } = await stageFixture(t);
    const listener = new UdpListener('127.0.0.1', resolver, () => 1232, { batched });
    const port = await listener.start(0);
    t.teardown(() => listener.stop());
    t.equal(listener.mode, path);
    const messages = Array.from({ length: 300 }, (_, i) => encodeQuery(i % 10 === 0 ? `n${i}.allowed.example` : `n${i}.adult.example`, { id: i + 1, edns: 1232 }));
    const got = await burst(port, '127.0.0.1', messages);
    t.equal(got.size, 300, 'every query answered (the socket buffer holds the burst)');
    const rcodes = new Map<string, number>();
    for (const [id, raw] of got) {
      const a = decodeAnswer(raw);
      const want = (id - 1) % 10 === 0 ? 'SERVFAIL' : 'NXDOMAIN';
      if (a.rcode !== want) t.fail(`id ${id}: ${a.rcode}, want ${want}`);
      rcodes.set(a.rcode, (rcodes.get(a.rcode) ?? 0) + 1);
    }
    t.same(Object.fromEntries(rcodes), { NXDOMAIN: 270, SERVFAIL: 30 }, 'blocked on the spot; allowed names waited for the (refusing) upstream');
    t.equal(events.length, 300);
    t.ok(events.every((e) => e.client === '127.0.0.1'), 'the resolver sees the sender as text');
    t.equal(listener.sendErrors, 0);
  });

  t.test(`${path}: an oversized or empty datagram costs nothing; the next query is answered`, async (t) => {
    const { resolver } = await stageFixture(t);
    const listener = new UdpListener('127.0.0.1', resolver, () => 1232, { batched });
    const port = await listener.start(0);
    t.teardown(() => listener.stop());
    const big = Buffer.alloc(9000, 0xab);
    const got = await burst(port, '127.0.0.1', [big, Buffer.alloc(0), encodeQuery('www.adult.example', { id: 7 })], 1500);
    t.same([...got.keys()], [7], 'only the real query got an answer');
    t.equal(decodeAnswer(got.get(7) as Buffer).rcode, 'NXDOMAIN');
    t.same(listener.receiveStats, { oversized: batched ? 1 : 0, errors: 0 }, batched ? 'the addon counted the oversized datagram' : 'node:dgram keeps no counters');
  });

  t.test(`${path}: IPv6 senders`, async (t) => {
    const { resolver, events } = await stageFixture(t);
    const listener = new UdpListener('::1', resolver, () => 1232, { batched });
    const port = await listener.start(0);
    t.teardown(() => listener.stop());
    const got = await burst(port, '::1', [encodeQuery('www.adult.example', { id: 9 }), encodeQuery('a.allowed.example', { id: 10 })]);
    t.equal(decodeAnswer(got.get(9) as Buffer).rcode, 'NXDOMAIN');
    t.equal(decodeAnswer(got.get(10) as Buffer).rcode, 'SERVFAIL', 'the upstream path answers over IPv6 too');
    t.same(events.map((e) => e.client), ['::1', '::1']);
  });

  t.test(`${path}: 300 answers that waited for an upstream come back in one turn and all go out`, async (t) => {
    // the refusing upstream (port 9): its first ICMP error fails every query in flight on that socket at once
    const { resolver } = await stageFixture(t);
    const listener = new UdpListener('127.0.0.1', resolver, () => 1232, { batched });
    const port = await listener.start(0);
    t.teardown(() => listener.stop());
    const got = await burst(port, '127.0.0.1', Array.from({ length: 300 }, (_, i) => encodeQuery(`n${i}.allowed.example`, { id: i + 1 })));
    t.equal(got.size, 300, 'every query answered');
    t.ok([...got.values()].every((m) => decodeAnswer(m).rcode === 'SERVFAIL'), 'each with its own SERVFAIL');
    t.equal(listener.sendErrors, 0);
  });

  t.test(`${path}: stop() frees the port, and a reply still waiting for its upstream is dropped`, async (t) => {
    const upstream = await slowUpstream(t, 300);
    const { resolver } = await stageFixture(t, upstream.address);
    const listener = new UdpListener('127.0.0.1', resolver, () => 1232, { batched });
    const port = await listener.start(0);
    const pending = burst(port, '127.0.0.1', [encodeQuery('late.allowed.example', { id: 3 })], 800);
    await upstream.asked;
    await listener.stop();
    t.equal(listener.mode, 'stopped');
    const again = new UdpListener('127.0.0.1', resolver, () => 1232, { batched });
    t.equal(await again.start(port), port, 'the same port binds again while the query waits');
    t.same([...(await pending).keys()], [], 'the upstream answered after stop(): nothing reached the client, not even through the new socket');
    await again.stop();
  });

  t.test(`${path}: an upstream that answers late still answers the client`, async (t) => {
    const upstream = await slowUpstream(t, 100);
    const { resolver } = await stageFixture(t, upstream.address);
    const listener = new UdpListener('127.0.0.1', resolver, () => 1232, { batched });
    const port = await listener.start(0);
    t.teardown(() => listener.stop());
    const got = await burst(port, '127.0.0.1', [encodeQuery('slow.allowed.example', { id: 4 })]);
    t.equal(decodeAnswer(got.get(4) as Buffer).rcode, 'NOERROR', 'the control for the test above: the same upstream, no stop()');
  });
}
