// The probes against real peers on loopback: unbound for DNS, the kernel for ICMP echo, a real
// statfs, and the clock sources the way Raspberry Pi OS offers them.
import t from 'tap';
import type { Test } from 'tap';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IcmpPinger, NO_SOCKET, clockSync, diskUsage, probeDns } from '../../src/health/index.js';
import { REPO, tempDir } from '../helpers/daemon.js';
import { until } from '../lab/exec.js';

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  s.close();
  return port;
}

t.test('DNS probe: a real resolver answers', async (t) => {
  const d = tempDir('sg-unbound-');
  t.teardown(d.cleanup);
  const port = await freePort();
  const conf = join(d.dir, 'unbound.conf');
  writeFileSync(conf, [
    'server:', '  do-daemonize: no', '  chroot: ""', '  username: ""', `  directory: "${d.dir}"`, `  pidfile: "${join(d.dir, 'u.pid')}"`,
    '  use-syslog: no', `  logfile: "${join(d.dir, 'u.log')}"`, '  log-queries: yes', `  interface: 127.0.0.1@${port}`,
    '  access-control: 127.0.0.0/8 allow', '  module-config: "iterator"', '  local-zone: "." static',
    'remote-control:', '  control-enable: no', '',
  ].join('\n'));
  const unbound = spawn('unbound', ['-d', '-c', conf], { stdio: 'ignore' });
  t.teardown(() => { unbound.kill('SIGKILL'); });
  t.ok(await until(async () => (await probeDns('127.0.0.1', port, 300)).ok, 10_000), 'unbound answers the probe');
  const r = await probeDns('127.0.0.1', port, 1000);
  t.match(r, { kind: 'dns', target: `127.0.0.1:${port}`, ok: true });
  t.ok((r.rttMs ?? -1) >= 0);
});

t.test('DNS probe: nobody listening is refused at once, not a timeout', async (t) => {
  const port = await freePort();
  const t0 = Date.now();
  const r = await probeDns('127.0.0.1', port, 2000);
  t.match(r, { ok: false, error: 'ECONNREFUSED' });
  t.ok(Date.now() - t0 < 1000);
});

function server(t: Test, answer: (msg: Buffer) => Buffer[]): Promise<number> {
  const s: Socket = createSocket('udp4');
  t.teardown(() => s.close());
  s.on('message', (msg, rinfo) => {
    for (const out of answer(msg)) s.send(out, rinfo.port, rinfo.address);
  });
  return new Promise((r) => s.bind(0, '127.0.0.1', () => r(s.address().port)));
}

t.test('DNS probe: silence is a timeout', async (t) => {
  const port = await server(t, () => []);
  t.match(await probeDns('127.0.0.1', port, 200), { ok: false, error: 'timeout' });
});

t.test('DNS probe: SERVFAIL is no use to the school; garbage and a wrong id are ignored', async (t) => {
  const port = await server(t, (q) => {
    const wrongId = Buffer.from(q);
    wrongId.writeUInt16BE((q.readUInt16BE(0) + 1) & 0xffff, 0);
    wrongId[2] |= 0x80;
    const servfail = Buffer.from(q);
    servfail[2] |= 0x80;
    servfail[3] = (servfail[3] & 0xf0) | 2;
    // an answer to someone else's question first (a NOERROR the probe must not take), then ours
    return [wrongId, servfail];
  });
  t.match(await probeDns('127.0.0.1', port, 1000), { ok: false, error: 'SERVFAIL' });
  const port2 = await server(t, () => [Buffer.from('not dns at all')]);
  t.match(await probeDns('127.0.0.1', port2, 200), { ok: false, error: 'timeout' });
});

t.test('ICMP echo to loopback, IPv4 and IPv6', async (t) => {
  const p = new IcmpPinger();
  t.teardown(() => p.close());
  const v4 = await p.ping('127.0.0.1', 1000);
  t.match(v4, { kind: 'icmp', target: '127.0.0.1', ok: true });
  t.equal(p.unavailable, undefined);
  const v6 = await p.ping('::1', 1000);
  t.match(v6, { kind: 'icmp', target: '::1', ok: true });
  const many = await Promise.all(Array.from({ length: 20 }, () => p.ping('127.0.0.1', 1000)));
  t.ok(many.every((o) => o.ok), 'replies matched to their own requests');
});

t.test('ICMP without CAP_NET_RAW: no probe is sent, and the reason is kept', async (t) => {
  const script = `
    import { IcmpPinger } from ${JSON.stringify(join(REPO, 'src/health/index.ts'))};
    const p = new IcmpPinger();
    const o = await p.ping('127.0.0.1', 500);
    console.log(JSON.stringify({ o, unavailable: p.unavailable }));
    p.close();`;
  const child = spawn('setpriv', ['--bounding-set=-net_raw', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
  await new Promise((r) => child.once('close', r));
  const r = JSON.parse(out) as { o: { ok: boolean; error: string }; unavailable: string };
  t.match(r.o, { ok: false, error: NO_SOCKET });
  t.match(r.unavailable, /raw sockets need root or CAP_NET_RAW\); the WAN LED follows the DNS probes/);
});

t.test('disk usage of a real folder; a missing one is an error value', async (t) => {
  const r = await diskUsage(tempDir().dir);
  t.ok('usedPercent' in r && r.usedPercent >= 0 && r.usedPercent <= 100);
  t.match(await diskUsage('/nonexistent/schoolgate'), { error: /ENOENT/ });
});

t.test('clock: timesyncd\'s flag file, then timedatectl, else "cannot tell"', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const flag = join(d.dir, 'synchronized');
  const missing = join(d.dir, 'absent');
  writeFileSync(flag, '');
  t.same(await clockSync({ syncFile: flag, timedatectl: ['false'] }), { synced: true, source: 'systemd-timesyncd' });
  t.same(await clockSync({ syncFile: missing, timedatectl: ['echo', 'no'] }), { synced: false, source: 'timedatectl' });
  t.same(await clockSync({ syncFile: missing, timedatectl: ['echo', 'yes'] }), { synced: true, source: 'timedatectl' });
  const none = await clockSync({ syncFile: missing, timedatectl: ['/nonexistent/timedatectl'] });
  t.match(none, { synced: undefined, source: 'unavailable', detail: /ENOENT/ });
});
