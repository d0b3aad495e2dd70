// Upstreams failing: a silent one (failover within one timeout, then skipped), all of them down
// (SERVFAIL at once, stale answers for what was cached, recovery by probes), and a hostile one
// that answers with the wrong ID or question (ignored: nothing of it reaches a client or the cache).
import t from 'tap';
import { createSocket } from 'node:dgram';
import { CLIENTS, startDnsDaemon } from './daemon-fixture.js';
import { encodeQuery, freePort, query } from './dns-client.js';
import { startUnbound } from './upstream-stub.js';

/** A UDP peer on loopback: `reply` decides what it sends back for each query it gets. */
async function udpPeer(reply: (msg: Buffer, send: (b: Buffer) => void, fromPort: number) => void): Promise<{ address: string; port: number; received: Buffer[]; close: () => void }> {
  const port = await freePort();
  const s = createSocket('udp4');
  const received: Buffer[] = [];
  s.on('message', (msg, rinfo) => {
    received.push(msg);
    reply(msg, (b) => s.send(b, rinfo.port, rinfo.address), rinfo.port);
  });
  await new Promise<void>((r) => s.bind(port, '127.0.0.1', () => r()));
  return { address: `127.0.0.1:${port}`, port, received, close: () => s.close() };
}

/** A reply to `msg` (same ID and question) carrying one A record. */
function answerTo(msg: Buffer, address: string, o: { id?: number; name?: string } = {}): Buffer {
  const q = o.name ? encodeQuery(o.name) : msg.subarray(0, 12 + questionLength(msg));
  const head = Buffer.from(q.subarray(0, 12 + questionLength(q)));
  head.writeUInt16BE(o.id ?? msg.readUInt16BE(0), 0);
  head.writeUInt16BE(0x8180, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(1, 6);
  head.writeUInt32BE(0, 8);
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(1, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(300, 6);
  rr.writeUInt16BE(4, 10);
  Buffer.from(address.split('.').map(Number)).copy(rr, 12);
  return Buffer.concat([head, rr]);
}

function questionLength(m: Buffer): number {
  let p = 12;
  while (m[p] !== 0) p += m[p] + 1;
  return p + 1 + 4 - 12;
}

t.test('a silent upstream: failover within one timeout, then skipped; all down: SERVFAIL fast and stale answers', async (t) => {
  const silent = await udpPeer(() => undefined);
  t.teardown(silent.close);
  const upstream = await startUnbound();
  t.teardown(() => upstream.stop());
  const dns = await startDnsDaemon({ upstreams: [silent.address, upstream.address] });
  t.teardown(() => dns.stop());
  const ask = (name: string) => query(dns.port, name, { edns: 1232, from: CLIENTS.staff, timeoutMs: 5000 });

  const first = await ask('web.test');
  t.same(first.records.map((r) => r.data), ['192.0.2.10'], 'answered by the second upstream');
  t.ok(first.ms >= 900 && first.ms < 2500, `failover after one timeout (${Math.round(first.ms)} ms)`);
  await ask('games.test');
  const fast = await ask('doh.test');
  t.same(fast.records.map((r) => r.data), ['192.0.2.53']);
  t.ok(fast.ms < 500, `after two failures the silent upstream is skipped (${Math.round(fast.ms)} ms)`);
  t.ok(dns.daemon.logs.some((l) => l.upstream === silent.address && /marked down/.test(String(l.msg))), 'logged once it was marked down');

  const short = await ask('short.test');
  t.same(short.records.map((r) => r.data), ['192.0.2.13'], 'cached with TTL 1');
  await upstream.stop();
  // The remaining upstream now refuses at once (ICMP port unreachable); two failures mark it down.
  for (const n of ['gone1.test', 'gone2.test']) t.equal((await ask(n)).rcode, 'SERVFAIL');
  const servfail = await ask('never-cached.test');
  t.equal(servfail.rcode, 'SERVFAIL');
  t.ok(servfail.ms < 200, `every upstream down: SERVFAIL at once (${Math.round(servfail.ms)} ms)`);
  t.equal(servfail.ede?.code, 23, 'EDE 23 Network Error');
  await new Promise((r) => setTimeout(r, 1200));
  const stale = await ask('short.test');
  t.same(stale.records.map((r) => r.data), ['192.0.2.13'], 'the expired answer is served stale (RFC 8767)');
  t.equal(stale.records[0].ttl, 30, 'with TTL 30');
  t.equal(stale.ede?.code, 3, 'EDE 3 Stale Answer');

  const back = await startUnbound({ port: upstream.port });
  t.teardown(() => back.stop());
  let recovered = false;
  for (let i = 0; i < 40 && !recovered; i++) {
    recovered = (await ask(`probe${i}.test`)).rcode === 'NXDOMAIN';
    if (!recovered) await new Promise((r) => setTimeout(r, 250));
  }
  t.ok(recovered, 'a background probe brings the upstream back');
});

t.test('a hostile upstream: wrong IDs, wrong questions and foreign ports are ignored', async (t) => {
  const spoofer = createSocket('udp4');
  await new Promise<void>((r) => spoofer.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => spoofer.close());
  const hostile = await udpPeer((msg, send, fromPort) => {
    const id = msg.readUInt16BE(0);
    send(answerTo(msg, '6.6.6.6', { id: (id + 1) & 0xffff }));
    send(answerTo(msg, '6.6.6.7', { name: 'web.test' }));
    // from another port of the same host: the forwarder's connected socket never sees it
    spoofer.send(answerTo(msg, '6.6.6.8'), fromPort, '127.0.0.1');
    if (msg.includes(Buffer.from('late'))) setTimeout(() => send(answerTo(msg, '192.0.2.99')), 50);
  });
  t.teardown(hostile.close);
  const dns = await startDnsDaemon({ upstreams: [hostile.address] });
  t.teardown(() => dns.stop());

  const late = await query(dns.port, 'late.test', { from: CLIENTS.staff, timeoutMs: 5000 });
  t.same(late.records.map((r) => r.data), ['192.0.2.99'], 'only the matching answer counts');
  const evil = await query(dns.port, 'evil.test', { from: CLIENTS.staff, timeoutMs: 5000 });
  t.equal(evil.rcode, 'SERVFAIL', 'nothing but mismatches: no answer taken (timeout)');
  t.ok(hostile.received.length >= 2);
});
