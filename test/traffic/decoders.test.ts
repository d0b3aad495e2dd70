// Decoders on real captures (test/fixtures/pcap, made by make.sh with curl, openssl and tcpdump),
// the RFC 9001 Initial vector, and hand-built edge cases.
import t from 'tap';
import { readPcapFile } from '../../src/traffic/pcap-source.js';
import { DECODE, PacketView, addressText, decodePacket } from '../../src/traffic/packet.js';
import { FlowReader } from '../../src/traffic/flow-reader.js';
import type { Sighting } from '../../src/traffic/flow-reader.js';
import { QuicInitialReader, clientInitialKeys } from '../../src/traffic/quic-initial.js';
import { HELLO, newHelloResult, parseTlsRecord } from '../../src/traffic/tls-hello.js';
import { httpHost } from '../../src/traffic/http-host.js';
import { RFC9001_CLIENT_INITIAL, RFC9001_CLIENT_KEYS, RFC9001_DCID } from './rfc9001.js';
import { clientHello, cryptoFrame, sealInitial, tlsRecord } from './quic-seal.js';
import { frame } from './frames.js';

const FIXTURES = new URL('../fixtures/pcap/', import.meta.url).pathname;

async function sightings(file: string): Promise<Sighting[]> {
  const view = new PacketView();
  const reader = new FlowReader();
  const out: Sighting[] = [];
  const end = await readPcapFile(FIXTURES + file, (buf, time, link) => {
    if (decodePacket(buf, link, view) !== DECODE.OK) return;
    const s = reader.read(view, time);
    if (s) out.push(s);
  });
  if (!end.ok) throw new Error(end.error);
  return out;
}

const captures = [
  { file: 'tls13-curl.pcap', want: { proto: 'tls', server: 'blocked.example', client: '192.0.2.10', dst: '192.0.2.80', dport: 443 } },
  { file: 'tls12-curl.pcap', want: { proto: 'tls', server: 'www.example.com', dport: 8443 } },
  { file: 'tls12-openssl.pcap', want: { proto: 'tls', server: 'www.example.com', dport: 8443 } },
  { file: 'tls13-openssl-v6.pcap', want: { proto: 'tls', server: 'blocked.example', client: '2001:db8::10', dst: '2001:db8::80' } },
  { file: 'http11-curl.pcap', want: { proto: 'http', server: 'www.example.com', dport: 80 } },
  { file: 'tls13-split.pcap', want: { proto: 'tls', server: 'split.example', dport: 443 } },
];

for (const c of captures) {
  t.test(`real capture ${c.file}`, async (t) => {
    const found = await sightings(c.file);
    t.equal(found.length, 1, 'one connection, one sighting');
    t.match(found[0], { ...c.want, ech: false });
  });
}

t.test('RFC 9001 A.1 keys and A.2 client Initial: SNI example.com', async (t) => {
  const keys = clientInitialKeys(Buffer.from(RFC9001_DCID, 'hex'));
  t.same({ key: keys.key.toString('hex'), iv: keys.iv.toString('hex'), hp: keys.hp.toString('hex') }, RFC9001_CLIENT_KEYS);
  const pkt = Buffer.from(RFC9001_CLIENT_INITIAL, 'hex');
  t.equal(pkt.length, 1200);
  const out = newHelloResult();
  t.equal(new QuicInitialReader().read(pkt, 0, pkt.length, out), HELLO.OK);
  t.equal(out.name, 'example.com');
  // one flipped ciphertext bit: the AEAD tag no longer matches
  const bad = Buffer.from(pkt);
  bad[600] ^= 1;
  t.equal(new QuicInitialReader().read(bad, 0, bad.length, out), HELLO.BAD);
  // in a UDP datagram to 443, through the whole reader
  const reader = new FlowReader();
  const view = new PacketView();
  t.equal(decodePacket(frame({ src: '10.10.1.10', dst: '203.0.113.10', proto: 'udp', sport: 50000, dport: 443, payload: pkt }), 1, view), DECODE.OK);
  t.match(reader.read(view, 0), { proto: 'quic', server: 'example.com', client: '10.10.1.10', dst: '203.0.113.10' });
});

t.test('QUIC: CRYPTO frames split and out of order, within one Initial and across two', async (t) => {
  const hello = clientHello('quic.example', { padTo: 1500 });
  const dcid = Buffer.from('0011223344556677', 'hex');
  const a = hello.subarray(0, 700);
  const b = hello.subarray(700, 1100);
  const c = hello.subarray(1100);
  const out = newHelloResult();
  // all three fragments in one packet would exceed 1200 bytes: two packets, the second first
  const r = new QuicInitialReader();
  const p2 = sealInitial(dcid, 1, Buffer.concat([cryptoFrame(1100, c), cryptoFrame(700, b)]));
  const p1 = sealInitial(dcid, 0, cryptoFrame(0, a));
  t.equal(r.read(p2, 0, p2.length, out), HELLO.PARTIAL, 'the start is missing');
  t.equal(r.read(p1, 0, p1.length, out), HELLO.OK);
  t.equal(out.name, 'quic.example');
  t.equal(r.pending, 0, 'nothing kept once the name is found');

  const small = clientHello('small.example', { ech: true });
  const r2 = new QuicInitialReader();
  const one = sealInitial(dcid, 0, Buffer.concat([cryptoFrame(40, small.subarray(40)), Buffer.from([0x01]), cryptoFrame(0, small.subarray(0, 40))]));
  t.equal(r2.read(one, 0, one.length, out), HELLO.OK, 'two fragments, reversed, one packet');
  t.match(out, { name: 'small.example', ech: true });
});

t.test('TLS: ECH noted, no SNI, truncated and bad lengths', async (t) => {
  const out = newHelloResult();
  const rec = tlsRecord(clientHello('outer.example', { ech: true }));
  t.equal(parseTlsRecord(rec, 0, rec.length, out), HELLO.OK);
  t.match(out, { name: 'outer.example', ech: true });
  t.equal(parseTlsRecord(rec, 0, 40, out), HELLO.PARTIAL);
  t.equal(out.needed, rec.length);
  const bad = Buffer.from(rec);
  bad[54] = 0xff; // the server_name extension's length, now past the end
  t.equal(parseTlsRecord(bad, 0, bad.length, out), HELLO.BAD);
  const weird = tlsRecord(clientHello('bad name!.example'));
  t.equal(parseTlsRecord(weird, 0, weird.length, out), HELLO.BAD, 'a name with a space and "!" is refused');
});

t.test('HTTP Host: port, case, IPv6 literal, no Host, not HTTP', async (t) => {
  const h = (s: string) => httpHost(Buffer.from(s), 0, s.length);
  t.equal(h('GET / HTTP/1.1\r\nUser-Agent: x\r\nhOsT: WWW.Example.com:8080\r\n\r\n'), 'www.example.com');
  t.equal(h('GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n'), undefined);
  t.equal(h('GET / HTTP/1.0\r\n\r\nHost: late.example\r\n'), undefined, 'only headers count');
  t.equal(h('\x16\x03\x01 not http'), null);
});

t.test('link layers and IP options: VLAN tag, IPv6 extension headers, fragments', async (t) => {
  const view = new PacketView();
  const rec = tlsRecord(clientHello('vlan.example'));
  const reader = new FlowReader();
  t.equal(decodePacket(frame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', sport: 1, dport: 443, payload: rec, vlan: 10 }), 1, view), DECODE.OK);
  t.match(reader.read(view, 0), { server: 'vlan.example' });
  t.equal(decodePacket(frame({ src: 'fd00::1', dst: '2001:db8::10', proto: 'tcp', sport: 1, dport: 443, payload: rec, ext6: true }), 1, view), DECODE.OK);
  t.equal(addressText(view, 'src'), 'fd00::1');
  t.match(reader.read(view, 0), { server: 'vlan.example', client: 'fd00::1' });
  const frag = frame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', sport: 1, dport: 443, payload: Buffer.alloc(20) });
  frag.writeUInt16BE(0x0010, 14 + 6); // fragment offset 16
  t.equal(decodePacket(frag, 1, view), DECODE.FRAGMENT);
  t.equal(decodePacket(Buffer.from('0000', 'hex'), 1, view), DECODE.TRUNCATED);
  t.equal(decodePacket(frame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', sport: 1, dport: 2 }), 999, view), DECODE.OTHER);
});

t.test('TCP reassembly is bounded: an out-of-order tail and a lost start give nothing, not memory', async (t) => {
  const rec = tlsRecord(clientHello('gap.example', { padTo: 1200 }));
  const view = new PacketView();
  const reader = new FlowReader();
  const seg = (seq: number, payload: Buffer) => frame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', sport: 1000, dport: 443, seq, payload });
  decodePacket(seg(1, rec.subarray(0, 600)), 1, view);
  t.equal(reader.read(view, 0), undefined);
  decodePacket(seg(1 + 900, rec.subarray(900)), 1, view);
  t.equal(reader.read(view, 1), undefined, 'a gap ends the attempt');
  t.equal(reader.counters.abandoned, 1);
  for (let i = 0; i < 3000; i++) {
    decodePacket(frame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', sport: i, dport: 443, seq: 1, payload: rec.subarray(0, 100) }), 1, view);
    reader.read(view, 2);
  }
  t.ok(reader.counters.abandoned >= 3000 - 1024, 'at most 1024 pending connections');
});

t.test('a record inside a larger buffer (the reader\'s hot path) decodes the same as on its own', async (t) => {
  const frames: Buffer[] = [];
  await readPcapFile(`${FIXTURES}tls13-split.pcap`, (f) => frames.push(Buffer.from(f)));
  await readPcapFile(`${FIXTURES}tls13-openssl-v6.pcap`, (f) => frames.push(Buffer.from(f)));
  const alone = new FlowReader();
  const inside = new FlowReader();
  const v1 = new PacketView();
  const v2 = new PacketView();
  for (const f of frames) {
    // garbage before and after that looks like more packet
    const big = Buffer.concat([Buffer.alloc(37, 0x16), f, Buffer.alloc(64, 0x45)]);
    const a = decodePacket(f, 1, v1);
    t.equal(decodePacket(big, 1, v2, 37, 37 + f.length), a);
    if (a !== DECODE.OK) continue;
    t.same({ ...inside.read(v2, 0) }, { ...alone.read(v1, 0) });
  }
});
