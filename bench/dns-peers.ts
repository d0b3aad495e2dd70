// The DNS bench's servers: the upstream stub, schoolgate, unbound with local-zones and dnsmasq
// with address= lines — all on loopback, all forwarding what they do not block to the same stub.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync, mkdirSync, rmSync, createWriteStream, readdirSync, readFileSync, existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { daemonEnv, daemonNodeFlags } from './harness.js';

export interface Server {
  name: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** A free loopback port (UDP and TCP both bind on it later). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** Answers `name` A once over UDP (true) or not within `ms`. */
export function answers(port: number, name: string, ms = 500): Promise<boolean> {
  const labels = name.split('.');
  const q = Buffer.alloc(12 + labels.reduce((n, l) => n + l.length + 1, 1) + 4);
  q.writeUInt16BE(0x4242, 0);
  q.writeUInt16BE(0x0100, 2);
  q.writeUInt16BE(1, 4);
  let p = 12;
  for (const l of labels) {
    q[p++] = l.length;
    q.write(l, p, 'latin1');
    p += l.length;
  }
  q.writeUInt16BE(1, p + 1);
  q.writeUInt16BE(1, p + 3);
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve(false); }, ms);
    s.on('message', () => { clearTimeout(timer); s.close(); resolve(true); });
    s.send(q, port, '127.0.0.1');
  });
}

async function ready(port: number, proc: ChildProcess, what: string, timeoutMs = 180_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (proc.exitCode !== null) throw new Error(`${what} exited (${proc.exitCode})`);
    if (await answers(port, 'ready-check.example')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer within ${timeoutMs} ms`);
}

function server(name: string, port: number, proc: ChildProcess, cleanup?: () => void): Server {
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    name, port, pid: proc.pid ?? 0,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const force = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(force);
      }
      cleanup?.();
    },
  };
}

const unboundBase = (dir: string, port: number) => [
  'server:', '  do-daemonize: no', '  chroot: ""', '  username: ""', `  directory: "${dir}"`, `  pidfile: "${join(dir, 'unbound.pid')}"`,
  '  use-syslog: no', '  logfile: ""', '  verbosity: 0', `  interface: 127.0.0.1@${port}`, '  access-control: 127.0.0.0/8 allow', '  do-ip6: no',
];

/** The upstream stub: every *.example name has an A record (the allowed part of the mix). */
export async function startStub(dir: string): Promise<Server> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'stub.conf');
  writeFileSync(conf, [...unboundBase(dir, port), '  module-config: "iterator"', '  local-zone: "." static', '  local-zone: "example." redirect',
    '  local-data: "example. 300 IN A 198.51.100.7"', 'remote-control:', '  control-enable: no', ''].join('\n'));
  const proc = spawn('unbound', ['-d', '-c', conf], { stdio: 'ignore' });
  await ready(port, proc, 'stub');
  return server('stub', port, proc);
}

/** Every blocked name of the synthetic UT1 folder (all categories but the white list). */
export async function writeBlockedNames(ut1: string, out: string, line: (name: string) => string): Promise<number> {
  const w = createWriteStream(out);
  let n = 0;
  for (const cat of readdirSync(ut1)) {
    const file = join(ut1, cat, 'domains');
    if (cat === 'liste_blanche' || !existsSync(file)) continue;
    for (const name of readFileSync(file, 'utf8').split('\n')) {
      if (!name) continue;
      if (!w.write(`${line(name)}\n`)) await once(w, 'drain');
      n++;
    }
  }
  w.end();
  await once(w, 'finish');
  return n;
}

export async function startUnboundPeer(dir: string, ut1: string, stubPort: number): Promise<Server> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const zones = join(dir, 'zones.conf');
  await writeBlockedNames(ut1, zones, (n) => `  local-zone: "${n}." static`);
  const conf = join(dir, 'unbound.conf');
  writeFileSync(conf, [...unboundBase(dir, port), '  module-config: "iterator"', `  include: "${zones}"`,
    'forward-zone:', '  name: "."', `  forward-addr: 127.0.0.1@${stubPort}`, 'remote-control:', '  control-enable: no', ''].join('\n'));
  const proc = spawn('unbound', ['-d', '-c', conf], { stdio: 'ignore' });
  await ready(port, proc, 'unbound');
  return server('unbound', port, proc, () => rmSync(zones, { force: true }));
}

export async function startDnsmasqPeer(dir: string, ut1: string, stubPort: number): Promise<Server> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const lines = join(dir, 'blocked.conf');
  await writeBlockedNames(ut1, lines, (n) => `address=/${n}/`);
  const conf = join(dir, 'dnsmasq.conf');
  writeFileSync(conf, ['keep-in-foreground', 'no-resolv', 'no-hosts', 'bind-interfaces', 'listen-address=127.0.0.1', `port=${port}`,
    `server=127.0.0.1#${stubPort}`, 'cache-size=10000', 'dns-forward-max=1000', `conf-file=${lines}`, ''].join('\n'));
  const proc = spawn('dnsmasq', ['--conf-file=' + conf, '--pid-file=' + join(dir, 'dnsmasq.pid'), '--user=root'], { stdio: 'ignore' });
  await ready(port, proc, 'dnsmasq');
  return server('dnsmasq', port, proc, () => rmSync(lines, { force: true }));
}

/** bench/udp-echo.mjs: the ceiling of a Node dgram server on this machine (no DNS work at all). */
export async function startNodeEcho(): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, [...daemonNodeFlags, new URL('udp-echo.mjs', import.meta.url).pathname, String(port)], { stdio: 'ignore' });
  await ready(port, proc, 'node-echo');
  return server('node-echo', port, proc);
}

/** keepIndex: an empty store but the index compiled by an earlier start (same list) */
export async function startSchoolgate(dir: string, ut1: string, stubPort: number, cli: string, opts: { keepIndex?: boolean } = {}): Promise<Server> {
  if (opts.keepIndex) rmSync(join(dir, 'data', 'store'), { recursive: true, force: true });
  else rmSync(join(dir, 'data'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const categories = readdirSync(ut1).filter((c) => c !== 'liste_blanche' && existsSync(join(ut1, c, 'domains')));
  const conf = join(dir, 'schoolgate.yaml');
  // The product's defaults, except: NXDOMAIN like the peers, and no per-client rate limit (dnsperf
  // is one client asking 100k times a second; the limit would refuse it by design).
  writeFileSync(conf, `mode: dns-only
dataDir: ${join(dir, 'data')}
dns:
  listen: ["127.0.0.1:${port}"]
  upstreams: ["127.0.0.1:${stubPort}"]
  blocking: { answer: nxdomain }
  rateLimit: { qps: 0 }
lists:
  - { name: ut1, format: ut1, source: ${ut1} }
groups:
  - { name: everyone, default: true, block: [${categories.join(', ')}] }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`);
  const proc = spawn(process.execPath, [...daemonNodeFlags, cli, 'run', '--config', conf], { stdio: 'ignore', env: daemonEnv });
  await ready(port, proc, 'schoolgate');
  return server('schoolgate', port, proc);
}
