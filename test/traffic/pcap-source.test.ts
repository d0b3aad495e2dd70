// Our pcap reader: records split across chunks at every offset, both byte orders, nanosecond
// timestamps, and clear errors for what is not pcap.
import t from 'tap';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapReader, readPcapFileRecords, readPcapSocket } from '../../src/traffic/pcap-source.js';

const file = readFileSync(new URL('../fixtures/pcap/tls13-split.pcap', import.meta.url));

function readInChunks(bytes: Buffer, size: number): { frames: string[]; times: number[]; ok: boolean } {
  const frames: string[] = [];
  const times: number[] = [];
  const r = new PcapReader((b, start, end, time) => {
    frames.push(b.toString('hex', start, end));
    times.push(time);
  });
  for (let p = 0; p < bytes.length; p += size) r.push(bytes.subarray(p, p + size));
  return { frames, times, ok: r.finish().ok };
}

t.test('the same packets whatever the chunk sizes', async (t) => {
  const whole = readInChunks(file, file.length);
  t.equal(whole.frames.length, 27);
  for (const size of [1, 2, 7, 15, 16, 17, 23, 24, 25, 100, 1500, 4096]) {
    t.same(readInChunks(file, size), whole, `chunks of ${size}`);
  }
});

t.test('big-endian and nanosecond files', async (t) => {
  const le = readInChunks(file, 4096);
  // rewrite the fixture big-endian with nanosecond timestamps
  const be = Buffer.from(file);
  be.writeUInt32BE(0xa1b23c4d, 0);
  for (const o of [4, 6]) be.writeUInt16BE(file.readUInt16LE(o), o);
  for (const o of [8, 12, 16, 20]) be.writeUInt32BE(file.readUInt32LE(o), o);
  for (let p = 24; p < file.length; ) {
    const len = file.readUInt32LE(p + 8);
    be.writeUInt32BE(file.readUInt32LE(p), p);
    be.writeUInt32BE(file.readUInt32LE(p + 4) * 1000, p + 4);
    be.writeUInt32BE(len, p + 8);
    be.writeUInt32BE(file.readUInt32LE(p + 12), p + 12);
    p += 16 + len;
  }
  t.same(readInChunks(be, 333), le);
});

t.test('not pcap: an error, never a throw or a huge allocation', async (t) => {
  const cases = [
    { name: 'text', bytes: Buffer.from('hello, this is not a capture at all'), error: /bad magic/ },
    { name: 'pcapng', bytes: Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff', 'hex'), error: /pcapng is not supported/ },
    { name: 'empty', bytes: Buffer.alloc(0), error: /no file header/ },
    { name: 'a record claiming 4 GB', bytes: Buffer.concat([file.subarray(0, 24), Buffer.from('00000000000000000000ffff00000000', 'hex')]), error: /a record of/ },
  ];
  for (const c of cases) {
    const r = new PcapReader(() => undefined);
    r.push(c.bytes);
    const end = r.finish();
    t.notOk(end.ok, c.name);
    if (!end.ok) t.match(end.error, c.error, c.name);
  }
});

t.test('a socket read through one reused buffer gives the same packets; a bad stream ends it', async (t) => {
  const whole = readInChunks(file, file.length).frames;
  const dir = mkdtempSync(join(tmpdir(), 'sg-pcap-sock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 's');
  const server = createServer();
  t.teardown(() => server.close());
  server.listen(path);
  await once(server, 'listening');
  const send = async (bytes: Buffer) => {
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const frames: string[] = [];
    const reading = readPcapSocket((onread) => connect({ path, onread }), (b, start, end) => void frames.push(b.toString('hex', start, end)));
    const [writer] = await accepted;
    // small writes, so records straddle the reads
    for (let p = 0; p < bytes.length; p += 37) writer.write(bytes.subarray(p, p + 37));
    writer.end();
    return { end: await reading, frames };
  };
  const good = await send(file);
  t.ok(good.end.ok);
  t.same(good.frames, whole, 'all 27 frames, byte for byte');
  const bad = await send(Buffer.concat([file.subarray(0, 24), Buffer.from('ffffffffffffffff0000001000000010', 'hex'), Buffer.alloc(64)]));
  t.notOk(bad.end.ok);
  t.match(bad.end.ok ? '' : bad.end.error, /a record of \d+ bytes/);
});

t.test('a file read through one reused buffer; a missing file is an error', async (t) => {
  const frames: string[] = [];
  const end = await readPcapFileRecords(new URL('../fixtures/pcap/tls13-split.pcap', import.meta.url).pathname, (b, start, stop) => void frames.push(b.toString('hex', start, stop)));
  t.same(end, { ok: true, packets: 27 });
  t.same(frames, readInChunks(file, file.length).frames);
  const missing = await readPcapFileRecords('/nonexistent/x.pcap', () => undefined);
  t.match(missing, { ok: false, packets: 0, error: /ENOENT/ });
});
