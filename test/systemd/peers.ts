// Real peers for the systemd tests: a receiver of sd_notify datagrams (perl, which is Essential
// on Debian: Node cannot bind an AF_UNIX datagram socket) and dnsmasq as a stand-in resolver on a
// loopback port.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';

export interface NotifyMessage {
  /** epoch ms when the datagram was read */
  at: number;
  fields: Record<string, string>;
}

export interface NotifyReceiver {
  path: string;
  messages: NotifyMessage[];
  /** resolves with the first message (from index `from`) that has `field` */
  waitFor(field: string, timeoutMs: number, from?: number): Promise<NotifyMessage>;
  close(): Promise<void>;
}

// Prints one line per datagram: the fields joined by \x1f. Ancillary data (the fd that
// systemd-notify's BARRIER=1 passes) is not asked for, so the kernel closes it: the barrier ends.
const PERL_RECEIVER = String.raw`
use Socket; $| = 1;
socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
unlink $ARGV[0]; bind($s, pack_sockaddr_un($ARGV[0])) or die "bind: $!";
print "listening\n";
while (defined(recv($s, my $m, 65536, 0))) { $m =~ s/\n+$//; $m =~ s/\n/\x1f/g; print "$m\n"; }
`;

export async function startNotifyReceiver(dir: string): Promise<NotifyReceiver> {
  const path = join(dir, 'notify.sock');
  const proc = spawn('perl', ['-e', PERL_RECEIVER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: NotifyMessage[] = [];
  const listeners = new Set<() => void>();
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('notify receiver did not start')), 5000);
    proc.once('error', reject);
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line === 'listening') {
          clearTimeout(timer);
          resolve();
          continue;
        }
        const fields: Record<string, string> = {};
        for (const f of line.split('\x1f')) {
          const eq = f.indexOf('=');
          if (eq > 0) fields[f.slice(0, eq)] = f.slice(eq + 1);
        }
        messages.push({ at: Date.now(), fields });
        for (const l of listeners) l();
      }
    });
  });
  return {
    path,
    messages,
    waitFor: (field, timeoutMs, from = 0) => new Promise<NotifyMessage>((resolve, reject) => {
      const find = () => messages.slice(from).find((m) => field in m.fields);
      const seen = find();
      if (seen) return resolve(seen);
      const check = () => {
        const m = find();
        if (!m) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no ${field} notification within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.fields))}`));
      }, timeoutMs);
      listeners.add(check);
    }),
    close: () => stopProcess(proc),
  };
}

/** dnsmasq answering only the watchdog's canary (NXDOMAIN); everything else REFUSED. */
export async function startStandInResolver(host: string, port: number): Promise<{ stop(): Promise<void> }> {
  const proc = spawn('dnsmasq', [
    '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--pid-file=',
    `--listen-address=${host}`, '--bind-interfaces', `--port=${port}`, '--address=/use-application-dns.net/',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  // dnsmasq logs "started" once it listens.
  for (let i = 0; i < 50 && !/started/.test(err) && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  if (!/started/.test(err)) {
    await stopProcess(proc);
    throw new Error(`dnsmasq did not start: ${err}`);
  }
  return { stop: () => stopProcess(proc) };
}

/** A port free on loopback for both UDP and TCP right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer().once('error', reject).listen(0, host, () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, host, () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port');
}

export function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}
