// Truncated, garbage and mutated packets through the whole decoder (link → IP → TCP/UDP → TLS,
// HTTP, QUIC, reassembly): ≥ 100k mutations, and no exception may escape.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { PacketView, decodePacket } from '../../src/traffic/packet.js';
import { FlowReader } from '../../src/traffic/flow-reader.js';
import { RFC9001_CLIENT_INITIAL } from './rfc9001.js';
import { clientHello, tlsRecord } from './quic-seal.js';
import { frame } from './frames.js';

/** the frames of a pcap file (Ethernet), without a parser of our own: record by record */
function framesOf(path: string): Buffer[] {
  const b = readFileSync(path);
  const out: Buffer[] = [];
  for (let p = 24; p + 16 <= b.length; ) {
    const len = b.readUInt32LE(p + 8);
    out.push(b.subarray(p + 16, p + 16 + len));
    p += 16 + len;
  }
  return out;
}

// xorshift: reproducible mutations
let seed = 0x5eed;
const rand = (n: number) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};

t.test('100k+ mutated, truncated and random packets: never a throw', async (t) => {
  const dir = new URL('../fixtures/pcap/', import.meta.url).pathname;
  const seeds = [
    ...['tls13-curl', 'tls12-curl', 'tls13-openssl-v6', 'http11-curl', 'tls13-split'].flatMap((f) => framesOf(`${dir}${f}.pcap`)),
    frame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', sport: 5, dport: 443, payload: Buffer.from(RFC9001_CLIENT_INITIAL, 'hex') }),
    frame({ src: 'fd00::1', dst: 'fd00::2', proto: 'tcp', sport: 5, dport: 443, payload: tlsRecord(clientHello('x.example', { ech: true })), ext6: true }),
    frame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', sport: 5, dport: 443, payload: tlsRecord(clientHello('v.example')), vlan: 3 }),
  ].filter((f) => f.length > 0);
  const view = new PacketView();
  const reader = new FlowReader();
  let runs = 0;
  let thrown = 0;
  const feed = (buf: Buffer, link: number) => {
    runs++;
    try {
      if (decodePacket(buf, link, view) === 0) reader.read(view, runs);
    } catch (err) {
      if (thrown++ < 3) t.fail(`threw on ${buf.toString('hex').slice(0, 120)}…: ${(err as Error).stack}`);
    }
  };
  for (let i = 0; i < 110_000; i++) {
    const base = seeds[rand(seeds.length)];
    const m = Buffer.from(base);
    const kind = rand(4);
    if (kind === 0) for (let k = 1 + rand(8); k > 0; k--) m[rand(m.length)] = rand(256); // byte flips
    else if (kind === 1) m.writeUInt16BE(rand(65536), rand(Math.max(1, m.length - 1))); // a length field
    const cut = kind === 2 ? m.subarray(0, rand(m.length + 1)) : m; // truncation
    feed(kind === 3 ? Buffer.from(Array.from({ length: rand(1600) }, () => rand(256))) : cut, [1, 1, 1, 101, 113][rand(5)]);
  }
  t.ok(runs >= 100_000, `${runs} packets`);
  t.equal(thrown, 0, 'no exception escaped');
});
