// systemd/schoolgate.service: systemd's own checks (verify, security --offline), and the two
// things they cannot show — that nft, tc, ip, conntrack and tcpdump work with exactly the unit's privileges,
// and that the syscall filter lets through everything they and the daemon call.
//
// No systemd runs as PID 1 here (nor in CI's container), so the unit itself is never started:
// systemd-analyze needs no running manager, and setpriv(1) reproduces the unit's user,
// capabilities and no_new_privs. Mount namespaces (ProtectSystem=…) are not reproduced.
import t from 'tap';
import type { Test } from 'tap';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, tempDir } from '../helpers/daemon.js';
import { UNIT_PATH, allowedSyscalls, readUnit, setprivArgs, tracedSyscalls } from './unit-file.js';
import { DIST_CLI, ensureBuilt } from './build.js';
import { startNotifyReceiver } from '../systemd/peers.js';

const unit = readUnit();

t.test('systemd-analyze verify is clean', async (t) => {
  const r = spawnSync('systemd-analyze', ['verify', UNIT_PATH], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no warnings');
});

t.test('systemd-analyze security --offline: the exposure README states', async (t) => {
  const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', UNIT_PATH], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const m = /Overall exposure level for schoolgate\.service: ([\d.]+) (\w+)/.exec(r.stdout);
  t.ok(m, r.stdout.slice(-500));
  const score = Number(m?.[1]);
  t.ok(score <= 2.5, `exposure ${score} (${m?.[2]})`);
  t.match(readFileSync(join(REPO, 'README.md'), 'utf8'), new RegExp(`exposure level \\*\\*${m?.[1].replace('.', '\\.')}\\*\\*`), 'README states this score');
});

t.test('the hardening the brief asks for is there', async (t) => {
  const want: Record<string, string> = {
    Type: 'notify', NotifyAccess: 'all', Restart: 'always', User: 'schoolgate', NoNewPrivileges: 'yes',
    ProtectSystem: 'strict', PrivateTmp: 'yes', ProtectHome: 'yes', ReadWritePaths: '/var/lib/schoolgate /run/schoolgate',
    AmbientCapabilities: 'CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW', CapabilityBoundingSet: 'CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW',
  };
  for (const [k, v] of Object.entries(want)) t.same(unit.get(k), [v], k);
  t.equal(unit.get('SystemCallFilter')?.[0], '@system-service');
  t.ok(unit.get('WatchdogSec'), 'a watchdog');
});

// ---- privileges: a network namespace of our own, tools run as the unit would run them ----------

const NS = `sgap-unit-${process.pid}`;
const inNs = (args: string[], opts: { input?: string } = {}) =>
  spawnSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', input: opts.input, timeout: 20_000 });
const asUnit = (cmd: string[], ambient = true) => ['setpriv', ...setprivArgs(unit, 'nobody', 'nogroup', ambient), ...cmd];

const NFT_RULES = `table inet sgap_test {
  set learned { type ipv4_addr; flags timeout; }
  chain forward { type filter hook forward priority 0; policy accept; ip daddr @learned reject; }
}
add element inet sgap_test learned { 192.0.2.1 timeout 10m }
`;

/** A veth pair inside the namespace (the dummy driver is not in every kernel). */
function setupLinks(t: Test): void {
  for (const cmd of [['ip', 'link', 'set', 'lo', 'up'], ['ip', 'link', 'add', 'sg0', 'type', 'veth', 'peer', 'name', 'sg1'], ['ip', 'addr', 'add', '10.99.0.1/24', 'dev', 'sg0'], ['ip', 'link', 'set', 'sg0', 'up'], ['ip', 'link', 'set', 'sg1', 'up']]) {
    const r = inNs(cmd);
    t.equal(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
  }
}

interface Tool { name: string; run: string[][]; input?: string }
const TOOLS: Tool[] = [
  { name: 'nft', run: [['nft', '-f', '-'], ['nft', 'list', 'table', 'inet', 'sgap_test'], ['nft', 'delete', 'table', 'inet', 'sgap_test']], input: NFT_RULES },
  {
    name: 'tc',
    run: [
      ['tc', 'qdisc', 'add', 'dev', 'sg0', 'root', 'handle', '5347:', 'htb', 'default', '1'],
      ['tc', 'class', 'add', 'dev', 'sg0', 'parent', '5347:', 'classid', '5347:1', 'htb', 'rate', '8mbit'],
      ['tc', 'qdisc', 'add', 'dev', 'sg0', 'parent', '5347:1', 'pfifo'],
      ['tc', '-s', 'qdisc', 'show', 'dev', 'sg0'],
      ['tc', 'qdisc', 'del', 'dev', 'sg0', 'root'],
    ],
  },
  { name: 'ip', run: [['ip', '-6', 'neigh', 'show'], ['ip', 'neigh', 'replace', '10.99.0.2', 'lladdr', '02:00:00:00:00:02', 'dev', 'sg0']] },
  // the traffic view's byte counters (src/traffic/flow-bytes.ts)
  { name: 'conntrack', run: [['conntrack', '-L', '-o', 'extended']] },
];

/** tcpdump as the traffic stage runs it: pcap on stdout; one UDP packet sent while it listens. */
async function tcpdumpCapture(prefix: string[]): Promise<{ code: number | null; bytes: number; stderr: string }> {
  const proc = spawn('ip', ['netns', 'exec', NS, ...prefix, 'tcpdump', '-i', 'lo', '-p', '-U', '-w', '-', '-c', '1', 'udp port 9'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let bytes = 0;
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => (bytes += b.length));
  proc.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const closed = new Promise<number | null>((resolve) => proc.once('close', resolve));
  for (let i = 0; i < 30 && !/listening/.test(stderr) && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  inNs([process.execPath, '-e', "const s=require('dgram').createSocket('udp4');s.send('x',9,'127.0.0.1',()=>s.close())"]);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  const code = await closed;
  clearTimeout(timer);
  return { code, bytes, stderr };
}

t.test('privileges: nft, tc, ip, conntrack and tcpdump work with the unit\'s capabilities as a non-root user, and not without them', async (t) => {
  execFileSync('ip', ['netns', 'add', NS]);
  t.teardown(() => spawnSync('ip', ['netns', 'del', NS]));
  setupLinks(t);

  for (const tool of TOOLS) {
    for (const cmd of tool.run) {
      const r = inNs(asUnit(cmd), { input: cmd.includes('-f') ? tool.input : undefined });
      t.equal(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
    }
  }
  const denied = inNs(asUnit(['nft', '-f', '-'], false), { input: NFT_RULES });
  t.not(denied.status, 0, 'nft without CAP_NET_ADMIN is refused');
  const tcDenied = inNs(asUnit(['tc', 'qdisc', 'add', 'dev', 'sg0', 'root', 'handle', '5347:', 'htb'], false));
  t.not(tcDenied.status, 0, 'tc without CAP_NET_ADMIN is refused');
  t.not(inNs(asUnit(['conntrack', '-L'], false)).status, 0, 'conntrack without CAP_NET_ADMIN is refused');

  const cap = await tcpdumpCapture(asUnit([]));
  t.equal(cap.code, 0, cap.stderr);
  t.ok(cap.bytes > 24, `pcap header and a packet on stdout (${cap.bytes} bytes)`);
  const noCap = await tcpdumpCapture(asUnit([], false));
  t.not(noCap.code, 0, 'tcpdump without CAP_NET_RAW cannot open the packet socket');
  t.match(noCap.stderr, /permission|not permitted/i);
});

t.test('syscalls: everything nft, tc, ip, conntrack, tcpdump and the daemon call passes SystemCallFilter', async (t) => {
  const which = spawnSync('strace', ['-V']);
  if (which.status !== 0) return t.fail('strace is needed (Debian package strace, in .ci/run PACKAGES)');
  ensureBuilt();
  const allowed = allowedSyscalls(unit);
  t.ok(allowed.has('read') && allowed.has('socket') && !allowed.has('setrlimit') && !allowed.has('mount'), 'filter expanded');
  const dir = tempDir('sg-strace-');
  t.teardown(dir.cleanup);
  chmodSync(dir.dir, 0o777);
  execFileSync('ip', ['netns', 'add', NS]);
  t.teardown(() => spawnSync('ip', ['netns', 'del', NS]));
  setupLinks(t);

  const used = new Map<string, Set<string>>();
  let n = 0;
  const traced = (who: string, cmd: string[]) => {
    const out = join(dir.dir, `trace-${n++}`);
    return { out, argv: asUnit(['strace', '-f', '-qq', '-o', out, ...cmd]), who };
  };
  const collect = (who: string, file: string) => {
    for (const s of tracedSyscalls(readFileSync(file, 'utf8'))) used.set(s, new Set([...(used.get(s) ?? []), who]));
  };
  for (const tool of TOOLS) {
    for (const cmd of tool.run) {
      const tr = traced(tool.name, cmd);
      const r = inNs(tr.argv, { input: cmd.includes('-f') ? tool.input : undefined });
      t.equal(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
      collect(tool.name, tr.out);
    }
  }
  const tcpTrace = join(dir.dir, 'trace-tcpdump');
  const cap = await tcpdumpCapture(asUnit(['strace', '-f', '-qq', '-o', tcpTrace]));
  t.equal(cap.code, 0, cap.stderr);
  collect('tcpdump', tcpTrace);

  // The daemon: start, compile the sample lists in its child, serve, stop on SIGTERM.
  const data = join(dir.dir, 'data');
  mkdirSync(data);
  chownSync(data, 65534, 65534);
  const cfg = join(dir.dir, 'schoolgate.yaml');
  writeFileSync(cfg, `mode: dns-only
dataDir: ${data}
dns: { listen: ["127.0.0.1:5353"], upstreams: ["127.0.0.1:9"] }
lists:
  - { name: ut1, format: ut1, source: ${REPO}/firmware/lists/ut1-sample/blacklists }
groups:
  - { name: everyone, default: true, block: [gambling] }
admin: { listen: ["127.0.0.1:8080"], tls: "off" }
`);
  const dTrace = join(dir.dir, 'trace-daemon');
  // Under a notify socket with a watchdog, so systemd-notify and the DNS self-query are traced too.
  const rx = await startNotifyReceiver(dir.dir);
  t.teardown(() => rx.close());
  chmodSync(rx.path, 0o777);
  const env = ['env', `NOTIFY_SOCKET=${rx.path}`, 'WATCHDOG_USEC=1000000'];
  const daemon = spawn('ip', ['netns', 'exec', NS, ...asUnit(['strace', '-f', '-qq', '-o', dTrace, ...env, process.execPath, DIST_CLI, 'run', '--config', cfg])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  daemon.stdout.setEncoding('utf8').on('data', (s: string) => (log += s));
  const closed = new Promise((resolve) => daemon.once('close', resolve));
  for (let i = 0; i < 600 && !/"msg":"ready"/.test(log) && daemon.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  t.match(log, /"msg":"ready"/, 'the daemon started under the unit\'s privileges');
  await rx.waitFor('READY', 10_000);
  await rx.waitFor('WATCHDOG', 10_000).catch(() => t.comment('no WATCHDOG=1 (no DNS stage in this build)'));
  inNs(['dig', '+time=1', '+tries=1', '@127.0.0.1', '-p', '5353', 'example.com']);
  // Signal the daemon itself: strace (its parent here) would only detach on SIGTERM.
  const pid = Number(/"pid":(\d+)/.exec(log)?.[1]);
  if (pid > 0) process.kill(pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (pid > 0) spawnSync('kill', ['-KILL', String(pid)]);
    daemon.kill('SIGKILL');
  }, 15_000);
  await closed;
  clearTimeout(timer);
  collect('daemon', dTrace);

  const blocked = [...used].filter(([s]) => !allowed.has(s)).map(([s, who]) => `${s} (${[...who].join(', ')})`);
  t.same(blocked, [], `syscalls the filter would refuse (${used.size} distinct syscalls traced)`);
});
