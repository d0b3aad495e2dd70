// The capture side: the BPF filter keeps what the decoders need (checked by real tcpdump on the
// real fixtures, the split hello's second segment included) and drops pure ACKs; a tcpdump that
// dies is started again, with back-off.
import t from 'tap';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { captureFilter } from '../../src/traffic/index.js';
import { TcpdumpCapture } from '../../src/traffic/capture.js';
import { readPcap } from '../../src/traffic/pcap-source.js';
import { DECODE, PacketView, decodePacket } from '../../src/traffic/packet.js';
import { FlowReader } from '../../src/traffic/flow-reader.js';
import { silentLogger } from '../../src/log.js';
import { tempDir } from '../helpers/daemon.js';

const FIXTURES = new URL('../fixtures/pcap/', import.meta.url).pathname;

t.test('the filter keeps hellos (also in two segments) and Host lines, drops bare ACKs', async (t) => {
  const filter = captureFilter(['192.0.2.1']);
  for (const [file, server] of [['tls13-curl', 'blocked.example'], ['tls13-split', 'split.example'], ['http11-curl', 'www.example.com'], ['tls13-openssl-v6', 'blocked.example']]) {
    const p = spawn('tcpdump', ['-r', `${FIXTURES}${file}.pcap`, '-w', '-', filter], { stdio: ['ignore', 'pipe', 'ignore'] });
    const view = new PacketView();
    const reader = new FlowReader();
    const names: (string | undefined)[] = [];
    let bare = 0;
    const end = await readPcap(p.stdout, (buf, time, link) => {
      if (decodePacket(buf, link, view) !== DECODE.OK) return;
      if (view.payloadLength === 0 && (view.flags & 0x02) === 0) bare++;
      const s = reader.read(view, time);
      if (s) names.push(s.server);
    });
    t.ok(end.ok, file);
    t.same(names, [server], `${file}: the name survives the filter`);
    t.equal(bare, 0, `${file}: no bare ACKs captured`);
  }
});

t.test('tcpdump dying is restarted with back-off', async (t) => {
  const { dir, cleanup } = tempDir('sg-capture-');
  t.teardown(cleanup);
  const fake = join(dir, 'tcpdump');
  writeFileSync(fake, '#!/bin/sh\necho "tcpdump: eth9: No such device exists" >&2\nexit 1\n');
  chmodSync(fake, 0o755);
  const c = new TcpdumpCapture({ interfaces: ['eth9'], own: [], onRecord: () => undefined, log: silentLogger(), tcpdump: fake });
  c.start();
  await new Promise((r) => setTimeout(r, 2500));
  await c.stop();
  // starts at 0 s, 1 s and 3 s (1 s, then 2 s of back-off): two or three within 2.5 s
  t.ok(c.starts >= 2 && c.starts <= 3, `${c.starts} starts in 2.5 s`);
  const after = c.starts;
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(c.starts, after, 'none after stop()');
});

t.test('new own addresses: tcpdump starts again at once with the new filter', async (t) => {
  const { dir, cleanup } = tempDir('sg-capture-');
  t.teardown(cleanup);
  const fake = join(dir, 'tcpdump');
  const filters = join(dir, 'filters');
  // records its filter (the last argument), then runs until killed, as tcpdump does
  writeFileSync(fake, `#!/bin/sh\nfor a; do last="$a"; done\necho "$last" >> ${filters}\nexec sleep 30\n`);
  chmodSync(fake, 0o755);
  const c = new TcpdumpCapture({ interfaces: ['eth1'], own: ['10.10.0.1'], onRecord: () => undefined, log: silentLogger(), tcpdump: fake });
  c.start();
  t.teardown(() => c.stop());
  const lines = async (n: number) => {
    for (let i = 0; i < 50; i++) {
      const text = existsSync(filters) ? readFileSync(filters, 'utf8').trim().split('\n') : [];
      if (text.length >= n) return text;
      await new Promise((r) => setTimeout(r, 20));
    }
    return [];
  };
  const first = await lines(1);
  t.match(first[0], /not dst host 10\.10\.0\.1\)/);
  t.notMatch(first[0], /2001:db8::1/);
  const t0 = Date.now();
  c.setOwn(['10.10.0.1', '2001:db8::1']);
  const both = await lines(2);
  t.equal(both.length, 2, 'started again');
  t.match(both[1], /not dst host 10\.10\.0\.1 and not dst host 2001:db8::1\)/);
  t.ok(Date.now() - t0 < 900, `without the back-off of a crash (${Date.now() - t0} ms)`);
  t.equal(c.starts, 2);
});
