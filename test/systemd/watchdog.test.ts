// The real daemon under a stand-in service manager: $NOTIFY_SOCKET is a real AF_UNIX datagram
// socket, WATCHDOG_USEC is set as systemd sets it. READY=1 must follow the "ready" line, and
// WATCHDOG=1 must go out only while DNS on dns.listen answers.
import t from 'tap';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { REPO, startDaemon, tempDir } from '../helpers/daemon.js';
import { freePort, startNotifyReceiver } from './peers.js';

const WATCHDOG_USEC = 1_000_000; // pings every 500 ms

// In a network namespace of its own, so "DNS stops answering" can be made real: an nftables
// rule in that namespace drops the daemon's own DNS traffic while the daemon keeps running.
const NS = `sgap-wd-${process.pid}`;
const inNs = (args: string[]) => spawnSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 10_000 });
const dnsAnswersInNs = (port: number) => /status: (NXDOMAIN|NOERROR)/.test(inNs(['dig', '+time=1', '+tries=1', '@127.0.0.1', '-p', String(port), 'use-application-dns.net']).stdout);

t.test('READY after ready, WATCHDOG only while DNS answers, STOPPING on SIGTERM', async (t) => {
  const data = tempDir();
  t.teardown(data.cleanup);
  execFileSync('ip', ['netns', 'add', NS]);
  t.teardown(() => spawnSync('ip', ['netns', 'del', NS]));
  inNs(['ip', 'link', 'set', 'lo', 'up']);
  const rx = await startNotifyReceiver(data.dir);
  t.teardown(() => rx.close());
  const port = 5300 + (process.pid % 600); // a namespace of our own: any port is free
  const daemon = await startDaemon({
    netns: NS,
    config: `
mode: dns-only
dataDir: ${data.dir}/data
dns: { listen: ["127.0.0.1:${port}"], upstreams: ["127.0.0.1:9"], blocking: { answer: nxdomain } }
lists:
  - { name: ut1, format: ut1, source: ${REPO}/firmware/lists/ut1-sample/blacklists }
groups:
  - { name: everyone, default: true, block: [gambling] }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`,
    env: { NOTIFY_SOCKET: rx.path, WATCHDOG_USEC: String(WATCHDOG_USEC) },
  });
  t.teardown(() => daemon.stop('SIGKILL'));

  const ready = await rx.waitFor('READY', 5000);
  const pid = String(daemon.logs.find((l) => l.msg === 'ready')?.pid);
  t.equal(ready.fields.MAINPID, pid, 'MAINPID names the daemon');
  t.match(ready.fields.STATUS, new RegExp(`127\\.0\\.0\\.1:${port}`));
  const readyLine = daemon.logs.find((l) => l.msg === 'ready');
  t.ok(Date.parse(String(readyLine?.time)) <= ready.at, 'READY=1 came after the "ready" line');

  // This build's own DNS stage answers on dns.listen, or (a build without it) dnsmasq stands in
  // for it: "answers DNS on dns.listen" is the contract the watchdog checks.
  let standIn: ChildProcess | undefined;
  if (dnsAnswersInNs(port)) {
    t.comment('the daemon answers DNS itself');
  } else {
    t.comment('no DNS stage in this build: dnsmasq stands in on dns.listen');
    const before = rx.messages.length;
    await new Promise((r) => setTimeout(r, 1500));
    t.notOk(rx.messages.slice(before).some((m) => 'WATCHDOG' in m.fields), 'no WATCHDOG=1 while nothing answers DNS');
    standIn = spawn('ip', ['netns', 'exec', NS, 'dnsmasq', '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--pid-file=', '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`, '--address=/use-application-dns.net/'], { stdio: 'ignore' });
    t.teardown(() => standIn?.kill('SIGKILL'));
  }
  const from = rx.messages.length;
  await rx.waitFor('WATCHDOG', 5000, from);
  await new Promise((r) => setTimeout(r, 1500));
  const pings = rx.messages.slice(from).filter((m) => m.fields.WATCHDOG === '1');
  t.ok(pings.length >= 2, `pings keep coming every half period (${pings.length} in ~1.5 s)`);
  t.ok(pings.every((m) => m.fields.MAINPID === pid));

  // DNS stops answering while the daemon lives on: the pings stop; they resume with the answers.
  const drop = spawnSync('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], { input: `table inet sgap_wd {\n  chain out {\n    type filter hook output priority 0;\n    udp dport ${port} drop\n  }\n}\n`, encoding: 'utf8' });
  t.equal(drop.status, 0, drop.stderr);
  await daemon.waitForLog((l) => l.msg === 'DNS self-query failed: watchdog ping withheld', 5000);
  await new Promise((r) => setTimeout(r, 700)); // a ping already on its way may still land
  const during = rx.messages.length;
  await new Promise((r) => setTimeout(r, 1500));
  t.notOk(rx.messages.slice(during).some((m) => 'WATCHDOG' in m.fields), 'no WATCHDOG=1 while DNS does not answer');
  t.ok(rx.messages.some((m) => /DNS self-query failing/.test(m.fields.STATUS ?? '')), 'STATUS says why');
  inNs(['nft', 'delete', 'table', 'inet', 'sgap_wd']);
  const back = rx.messages.length;
  await rx.waitFor('WATCHDOG', 5000, back);
  await daemon.waitForLog((l) => l.msg === 'DNS self-query answered again; watchdog pings resume', 3000);

  const end = rx.messages.length;
  t.equal(await daemon.stop('SIGTERM'), 0);
  const stopping = await rx.waitFor('STOPPING', 2000, end);
  t.equal(stopping.fields.STOPPING, '1');
});

t.test('outside systemd: no notifications and no self-queries', async (t) => {
  const data = tempDir();
  t.teardown(data.cleanup);
  const port = await freePort();
  const daemon = await startDaemon({
    config: `
dataDir: ${data.dir}
dns: { listen: ["127.0.0.1:${port}"], upstreams: ["127.0.0.1:9"] }
lists:
  - { name: ut1, format: ut1, source: ${REPO}/firmware/lists/ut1-sample/blacklists }
groups:
  - { name: everyone, default: true }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`,
    env: { NOTIFY_SOCKET: '', WATCHDOG_USEC: '' },
  });
  t.teardown(() => daemon.stop('SIGKILL'));
  await new Promise((r) => setTimeout(r, 500));
  t.notOk(daemon.logs.some((l) => l.stage === 'systemd'), 'the systemd stage stays silent');
  t.equal(await daemon.stop('SIGTERM'), 0);
});
