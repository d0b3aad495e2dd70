// The upstream sockets on both of their paths, the addon's connected sockets (batched sends and
// receives) and node:dgram, against a real UDP peer on loopback: answers matched on ID and
// question, mismatches and foreign senders dropped, ICMP "port unreachable" failing at once, a
// silent peer timing out, a burst in one turn, rotation of the source ports, and stop().
import t from 'tap';
import type { Test } from 'tap';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { ROTATE_AFTER, UpstreamSockets } from '../../src/dns/upstream-sockets.js';
import type { UdpOutcome } from '../../src/dns/upstream-sockets.js';
import { udpBatchAddon } from '../../src/dns/udp-batch.js';
import { encodeQuery } from './dns-client.js';
import { freePort } from './dns-client.js';

t.ok(udpBatchAddon(), 'the batching addon is built (npm ci builds native/udp-batch)');

/** The question section of `name` IN A, as the forwarder passes it. */
function question(name: string): Uint8Array {
  const q = encodeQuery(name, { id: 0 });
  return q.subarray(12);
}

interface Seen { id: number; port: number; name: string }
type Reply = (query: Buffer) => Buffer | undefined;

/** A UDP peer: records each query; answers with `reply(query)` (default: the query back with QR set). */
async function peer(t: Test, reply: Reply = (m) => answerOf(m)): Promise<{ port: number; seen: Seen[]; socket: Socket; setReply(r: Reply): void }> {
  // a burst arrives at once (one sendmmsg): room for it in the receive buffer
  const s = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  const seen: Seen[] = [];
  let current = reply;
  s.on('message', (m, from) => {
    seen.push({ id: m.readUInt16BE(0), port: from.port, name: nameOf(m) });
    const a = current(m);
    if (a) s.send(a, from.port, from.address);
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  t.teardown(() => s.close());
  return { port: s.address().port, seen, socket: s, setReply: (r) => (current = r) };
}

function answerOf(m: Buffer): Buffer {
  const a = Buffer.from(m);
  a[2] |= 0x80;
  return a;
}

function nameOf(m: Buffer): string {
  const labels: string[] = [];
  for (let p = 12; p < m.length && m[p] !== 0; p += m[p] + 1) labels.push(m.toString('latin1', p + 1, p + 1 + m[p]));
  return labels.join('.');
}

function sockets(t: Test, port: number, batched: boolean) {
  const stats = { mismatched: 0 };
  const u = new UpstreamSockets('127.0.0.1', port, 'udp4', () => stats.mismatched++, { batched });
  t.teardown(() => u.stop());
  return { u, stats };
}

const ask = (u: UpstreamSockets, name: string, timeoutMs = 2000): Promise<UdpOutcome> => u.send(question(name), false, false, 1232, timeoutMs);

for (const batched of [true, false]) {
  const path = batched ? 'batched' : 'dgram';

  t.test(`${path}: an answer with our ID and question is returned`, async (t) => {
    const p = await peer(t);
    const { u, stats } = sockets(t, p.port, batched);
    t.equal(u.mode, path);
    const r = await ask(u, 'web.test');
    t.ok(r.ok, 'answered');
    if (r.ok) t.equal(nameOf(r.message), 'web.test');
    t.equal(p.seen.length, 1);
    t.equal(stats.mismatched, 0);
  });

  t.test(`${path}: a wrong ID or another question is dropped and counted; the query then times out`, async (t) => {
    const p = await peer(t);
    const { u, stats } = sockets(t, p.port, batched);
    p.setReply((m) => {
      const a = answerOf(m);
      a.writeUInt16BE((a.readUInt16BE(0) + 1) & 0xffff, 0);
      return a;
    });
    const started = Date.now();
    const r1 = await ask(u, 'web.test', 300);
    t.same(r1, { ok: false, why: 'timeout' }, 'wrong ID: not accepted');
    t.ok(Date.now() - started >= 280, 'it waited for the timeout');
    p.setReply((m) => answerOf(Buffer.from(encodeQuery('other.test', { id: m.readUInt16BE(0) }))));
    const r2 = await ask(u, 'web.test', 300);
    t.same(r2, { ok: false, why: 'timeout' }, 'another question: not accepted');
    t.equal(stats.mismatched, 2, 'both counted');
  });

  t.test(`${path}: an answer from another port is dropped by the kernel (connected sockets)`, async (t) => {
    const p = await peer(t, () => undefined);
    const spoofer = createSocket('udp4');
    await new Promise<void>((resolve) => spoofer.bind(0, '127.0.0.1', resolve));
    t.teardown(() => spoofer.close());
    const { u, stats } = sockets(t, p.port, batched);
    p.setReply((m) => {
      // the right ID and question, from the wrong address: what a spoofer who guessed both would send
      const from = p.seen[p.seen.length - 1];
      spoofer.send(answerOf(m), from.port, '127.0.0.1');
      return undefined;
    });
    const r = await ask(u, 'web.test', 400);
    t.same(r, { ok: false, why: 'timeout' });
    t.equal(stats.mismatched, 0, 'it never reached us');
  });

  t.test(`${path}: nobody on the port: unreachable at once (ICMP), not after the timeout`, async (t) => {
    const port = await freePort();
    const { u } = sockets(t, port, batched);
    const started = Date.now();
    const r = await ask(u, 'web.test', 5000);
    t.same(r, { ok: false, why: 'unreachable' });
    t.ok(Date.now() - started < 1000, `failed in ${Date.now() - started} ms`);
    // and the next query, on a fresh socket, fails the same way
    t.same(await ask(u, 'web.test', 5000), { ok: false, why: 'unreachable' });
  });

  t.test(`${path}: 300 queries asked in one turn are all answered`, async (t) => {
    const p = await peer(t);
    const { u } = sockets(t, p.port, batched);
    const names = Array.from({ length: 300 }, (_, i) => `n${i}.test`);
    const rs = await Promise.all(names.map((n) => ask(u, n)));
    const ok = rs.filter((r, i) => r.ok && nameOf(r.message) === names[i]);
    t.equal(ok.length, 300, 'each got its own answer');
    const ports = new Set(p.seen.map((s) => s.port));
    if (batched) t.ok(ports.size <= 2, `one socket a turn (a second once the first has had ${ROTATE_AFTER}): ${ports.size}`);
    else t.ok(ports.size > 2, `spread over the sockets: ${ports.size} ports`);
    const ids = p.seen.map((s) => s.id);
    const sequential = ids.filter((id, i) => i > 0 && id === ((ids[i - 1] + 1) & 0xffff)).length;
    t.ok(sequential < 5, `random IDs, not a counter (${sequential} of 299 followed the one before)`);
  });

  t.test(`${path}: source ports rotate`, async (t) => {
    const p = await peer(t);
    const { u } = sockets(t, p.port, batched);
    for (let i = 0; i < ROTATE_AFTER * 3; i++) {
      const r = await ask(u, `r${i}.test`);
      if (!r.ok) t.fail(`query ${i}: ${r.why}`);
    }
    const ports = new Set(p.seen.map((s) => s.port));
    t.ok(ports.size >= 4, `${ports.size} source ports over ${ROTATE_AFTER * 3} queries`);
    const open = u.localPorts;
    t.ok(open.length > 0 && open.every((port) => ports.has(port)), 'each open socket is one the peer saw queries from (its local port is real)');
  });

  t.test(`${path}: stop() ends the queries in flight`, async (t) => {
    const p = await peer(t, () => undefined);
    const { u } = sockets(t, p.port, batched);
    const pending = ask(u, 'web.test', 5000);
    await new Promise((r) => setTimeout(r, 50));
    u.stop();
    t.same(await pending, { ok: false, why: 'stopped' });
  });
}

t.test('batched: an upstream the kernel cannot route to fails at once', async (t) => {
  // an IPv6 address on an IPv4 socket family: connect() refuses it, and so must the query
  const u = new UpstreamSockets('::1', 53, 'udp4', () => {}, { batched: true });
  t.teardown(() => u.stop());
  t.same(await ask(u, 'web.test', 5000), { ok: false, why: 'unreachable' });
});
