// Flow bytes from conntrack: the line parser on real `conntrack -L -o extended` output (and junk,
// never a throw), the flow table's device totals, and FlowBytes against the real kernel in a
// namespace this test makes (real UDP traffic, real accounting, the real conntrack tool).
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowBytes, FlowInspector, flowKey, parseConntrackLine } from '../../src/traffic/index.js';
import type { FlowRecord } from '../../src/daemon/index.js';
import { silentLogger } from '../../src/log.js';
import { must, run } from '../lab/exec.js';
import { tempDir } from '../helpers/daemon.js';

const LINES = {
  tcp: 'ipv4     2 tcp      6 119 TIME_WAIT src=10.10.2.10 dst=203.0.113.71 sport=41412 dport=443 packets=6 bytes=398 src=203.0.113.71 dst=192.0.2.2 sport=443 dport=41412 packets=6 bytes=1553 [ASSURED] mark=0 use=1',
  v6: 'ipv6     10 tcp      6 99 ESTABLISHED src=fd00:10:0:1::10 dst=2001:db8::10 sport=1000 dport=443 packets=3 bytes=300 src=2001:db8::10 dst=fd00:10:0:1::10 sport=443 dport=1000 packets=2 bytes=200 [ASSURED] mark=0 use=1',
  udp: 'ipv4     2 udp      17 29 src=10.0.0.1 dst=203.0.113.1 sport=1000 dport=443 packets=1 bytes=1228 [UNREPLIED] src=203.0.113.1 dst=10.0.0.1 sport=443 dport=1000 packets=0 bytes=0 mark=0 use=1',
  noAcct: 'ipv4     2 tcp      6 119 TIME_WAIT src=10.10.2.10 dst=203.0.113.71 sport=41412 dport=443 src=203.0.113.71 dst=192.0.2.2 sport=443 dport=41412 [ASSURED] mark=0 use=1',
  icmp: 'ipv4     2 icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=1 packets=1 bytes=84 src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=1 packets=1 bytes=84 mark=0 use=1',
};

t.test('conntrack lines', async (t) => {
  const cases: { name: string; line: string; want: ReturnType<typeof parseConntrackLine> }[] = [
    { name: 'TCP: the original tuple (before NAT), both directions summed', line: LINES.tcp, want: { key: 'tcp|10.10.2.10|41412|203.0.113.71|443', bytes: 1951 } },
    { name: 'IPv6', line: LINES.v6, want: { key: 'tcp|fd00:10:0:1::10|1000|2001:db8::10|443', bytes: 500 } },
    { name: 'UDP (QUIC), unreplied', line: LINES.udp, want: { key: 'udp|10.0.0.1|1000|203.0.113.1|443', bytes: 1228 } },
    { name: 'no accounting: nothing (not 0)', line: LINES.noAcct, want: undefined },
    { name: 'ICMP: not a flow of ours', line: LINES.icmp, want: undefined },
    { name: 'empty', line: '', want: undefined },
    { name: 'the summary line', line: 'conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.', want: undefined },
    { name: 'cut short', line: LINES.tcp.slice(0, 120), want: undefined },
    { name: 'bytes not a number', line: LINES.tcp.replace('bytes=398', 'bytes=lots'), want: undefined },
  ];
  for (const c of cases) t.same(parseConntrackLine(c.line), c.want, c.name);
  for (let i = 0; i < 5000; i++) {
    const junk = i % 2 ? randomBytes(i % 300).toString('latin1') : LINES.tcp.slice(0, i % LINES.tcp.length) + randomBytes(8).toString('base64');
    parseConntrackLine(junk);
  }
  t.pass('5000 garbled lines: no throw');
});

t.test('flow keys match conntrack\'s', async (t) => {
  const base = { client: '10.10.2.10', sport: 41412, dst: '203.0.113.71', dport: 443 };
  t.equal(flowKey({ ...base, proto: 'tls' }), parseConntrackLine(LINES.tcp)?.key, 'TLS is TCP');
  t.equal(flowKey({ ...base, proto: 'quic' }), 'udp|10.10.2.10|41412|203.0.113.71|443', 'QUIC is UDP');
  t.equal(flowKey({ ...base, proto: 'dns' }), undefined, 'DNS is redirected: no flow of its own');
  t.equal(flowKey({ ...base, sport: undefined, proto: 'tls' }), undefined, 'no source port, no key');
});

const flow = (client: string, sport: number, proto: FlowRecord['proto'] = 'quic'): FlowRecord => ({
  time: Date.now(), client, group: 'staff', server: 'bulk.example', proto, dst: '127.0.0.1', dport: 9, sport, action: 'allow', reason: 'default',
});

t.test('device totals follow the flows\' counts, which only grow', async (t) => {
  const inspector = new FlowInspector({ state: () => { throw new Error('unused'); }, identify: () => { throw new Error('unused'); } });
  const table = inspector.table;
  const a = flow('10.0.0.1', 1);
  const b = flow('10.0.0.1', 2);
  table.add(a);
  table.add(b);
  table.setBytes(a, 1000);
  table.setBytes(b, 500);
  table.setBytes(a, 1500);
  table.setBytes(a, 1200);
  t.equal(a.bytes, 1500, 'a smaller reading is ignored');
  t.same(table.topTalkers(1), [{ client: '10.0.0.1', flows: 2, bytes: 2000 }]);
});

t.test('FlowBytes against the kernel: real traffic in a namespace', async (t) => {
  const ns = `sg-flowbytes-${process.pid}`;
  await must(['ip', 'netns', 'add', ns]);
  t.teardown(() => run(['ip', 'netns', 'del', ns]));
  const inNs = (argv: string[]) => must(['ip', 'netns', 'exec', ns, ...argv]);
  await inNs(['ip', 'link', 'set', 'lo', 'up']);
  await inNs(['sysctl', '-qw', 'net.netfilter.nf_conntrack_acct=1']);
  // conntrack tracks a namespace's packets once a ruleset uses it
  await inNs(['nft', 'add table inet t; add chain inet t c { type filter hook output priority 0; }; add rule inet t c ct state new accept']);
  const d = tempDir('sg-flowbytes-');
  t.teardown(d.cleanup);
  const acct = join(d.dir, 'acct');
  writeFileSync(acct, '1');
  const inspector = new FlowInspector({ state: () => { throw new Error('unused'); }, identify: () => { throw new Error('unused'); } });
  const bytes = new FlowBytes({ table: inspector.table, log: silentLogger(), conntrack: ['ip', 'netns', 'exec', ns, 'conntrack'], acctPath: acct });
  bytes.start();
  t.teardown(() => bytes.stop());
  t.same(bytes.byteCounters(), { available: true });

  // two datagrams of 1000 bytes from port 40001 (+ 28 bytes of IP and UDP header each)
  await inNs(['python3', '-c', 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 40001)); [s.sendto(b"x"*1000, ("127.0.0.1", 9)) for _ in range(2)]']);
  const seen = flow('127.0.0.1', 40001);
  const never = flow('127.0.0.1', 40002);
  inspector.table.add(seen);
  inspector.table.add(never);
  bytes.watch(seen);
  bytes.watch(never);
  await bytes.poll();
  t.equal(seen.bytes, 2056, 'the kernel\'s count: 2 × (1000 + 28)');
  t.equal(never.bytes, undefined, 'a flow the kernel has no entry for: no bytes');
  t.match(inspector.table.topTalkers(1), [{ client: '127.0.0.1', bytes: 2056 }]);
});

t.test('without accounting or without conntrack: no bytes, and the reason', async (t) => {
  const d = tempDir('sg-flowbytes-');
  t.teardown(d.cleanup);
  const table = new FlowInspector({ state: () => { throw new Error('unused'); }, identify: () => { throw new Error('unused'); } }).table;
  const off = join(d.dir, 'acct-off');
  writeFileSync(off, '0');
  const turnedOn = new FlowBytes({ table, log: silentLogger(), conntrack: ['/nonexistent/conntrack'], acctPath: off });
  turnedOn.start();
  t.equal(readFileSync(off, 'utf8'), '1', 'accounting off: turned on when we may');
  const f = flow('127.0.0.1', 1);
  table.add(f);
  turnedOn.watch(f);
  await turnedOn.poll();
  t.match(turnedOn.byteCounters(), { available: false, note: /conntrack is not installed/ }, 'no conntrack tool: said so');
  t.equal(f.bytes, undefined);
  await turnedOn.stop();

  const failing = new FlowBytes({ table, log: silentLogger(), conntrack: ['sh', '-c', 'echo "Operation failed: you must be root or get CAP_NET_ADMIN" >&2; exit 1', 'conntrack'], acctPath: off });
  failing.start();
  failing.watch(f);
  for (let i = 0; i < 3; i++) await failing.poll();
  t.match(failing.byteCounters(), { available: false, note: /CAP_NET_ADMIN/ }, 'a tool that keeps failing: given up after 3 tries, with its message');
  await failing.stop();

  const none = new FlowBytes({ table, log: silentLogger(), acctPath: join(d.dir, 'missing') });
  none.start();
  t.match(none.byteCounters(), { available: false, note: /nf_conntrack_acct/ }, 'no accounting in the kernel: said so');
  await none.stop();
});
