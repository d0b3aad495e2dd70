// The upstream the tests (and the bench) give schoolgate: a real unbound on a loopback port,
// answering only its local data (it never recurses: nothing leaves the machine).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, query } from './dns-client.js';

export interface Unbound {
  port: number;
  address: string;
  proc: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/** Test data the upstream serves under "test." (negative answers carry the zone's SOA). */
export const STUB_DATA = [
  'test. 3600 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60',
  'web.test. 300 IN A 192.0.2.10',
  'web.test. 300 IN AAAA 2001:db8::10',
  'blocked.test. 300 IN A 192.0.2.11',
  'www.blocked.test. 300 IN A 192.0.2.11',
  'games.test. 300 IN A 192.0.2.12',
  'cloak.test. 300 IN CNAME tracker.blocked.test.',
  'tracker.blocked.test. 300 IN A 192.0.2.66',
  'chain.test. 300 IN CNAME web.test.',
  'doh.test. 300 IN A 192.0.2.53',
  'short.test. 1 IN A 192.0.2.13',
  'forcesafesearch.google.com. 300 IN A 192.0.2.77',
  'restrict.youtube.com. 300 IN A 192.0.2.78',
  'restrictmoderate.youtube.com. 300 IN A 192.0.2.79',
  'strict.bing.com. 300 IN A 192.0.2.80',
  'safe.duckduckgo.com. 300 IN A 192.0.2.81',
  // about 800 bytes: over 512 (no EDNS: truncated), under 1232
  ...Array.from({ length: 7 }, (_, i) => `mid.test. 300 IN TXT "${String(i).repeat(100)}"`),
  // about 2.3 kB: over 1232 (unbound truncates towards schoolgate, which retries over TCP)
  ...Array.from({ length: 20 }, (_, i) => `big.test. 300 IN TXT "${String.fromCharCode(97 + i).repeat(100)}"`),
];

export async function startUnbound(opts: { data?: string[]; port?: number } = {}): Promise<Unbound> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-unbound-'));
  const port = opts.port ?? await freePort();
  const lines = [
    'server:', '  do-daemonize: no', '  chroot: ""', '  username: ""', `  directory: "${dir}"`, `  pidfile: "${join(dir, 'unbound.pid')}"`,
    '  use-syslog: no', `  logfile: "${join(dir, 'unbound.log')}"`, '  verbosity: 1', '  log-queries: yes',
    `  interface: 127.0.0.1@${port}`, '  access-control: 127.0.0.0/8 allow', '  module-config: "iterator"', '  do-ip6: no',
    '  num-threads: 1', '  msg-cache-size: 4m', '  rrset-cache-size: 4m',
    '  local-zone: "." static', '  local-zone: "test." static',
    ...(opts.data ?? STUB_DATA).map((d) => `  local-data: '${d}'`),
    'remote-control:', '  control-enable: no',
  ];
  const conf = join(dir, 'unbound.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const proc = spawn('unbound', ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) break;
    const ok = await query(port, 'web.test', { timeoutMs: 200 }).then(() => true, () => false);
    if (ok) return { port, address: `127.0.0.1:${port}`, proc, log: () => { try { return readFileSync(join(dir, 'unbound.log'), 'utf8'); } catch { return ''; } }, stop };
  }
  await stop();
  throw new Error(`unbound did not start: ${err}`);
}
