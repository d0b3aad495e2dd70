// tcpdump on the LAN interfaces as a child process, its pcap stream on stdout (a Unix socket) fed to our pcap reader.
// The BPF filter keeps the stream small: only packets that can carry what we read. If tcpdump
// dies it is started again after a back-off (1 s doubling to 30 s; reset after a minute of
// running). Memory is bounded by the socket: when we fall behind, tcpdump blocks and the kernel
// drops packets from its capture buffer; tcpdump's own drop count is logged when it stops.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { readPcapSocket } from './pcap-source.js';
import type { RecordHandler } from './pcap-source.js';

export interface CaptureOptions {
  interfaces: readonly string[];
  /** the appliance's own addresses: DNS to them is ours */
  own: readonly string[];
  onRecord: RecordHandler;
  log: Logger;
  /** tcpdump's path (tests) */
  tcpdump?: string;
}

/**
 * TCP to 80/443 that opens a connection or carries payload, UDP 443 long headers (QUIC
 * Initials and handshakes), and DNS/DoT/DoQ to anyone but us. libpcap's tcp[]/udp[] offsets
 * work for IPv4 only (pcap-filter(7)), so IPv6 reads the transport header at ip6[40]: TCP or
 * UDP behind IPv6 extension headers is not captured.
 */
export function captureFilter(own: readonly string[]): string {
  const tcpWeb = '(tcp dst port 80 or tcp dst port 443)';
  const syn4 = '(tcp[tcpflags] & tcp-syn != 0)';
  const payload4 = '(ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0)';
  const syn6 = '(ip6[53] & 0x02 != 0)';
  const payload6 = '(ip6[4:2] - ((ip6[52] & 0xf0) >> 2) > 0)';
  const notUs = own.map((a) => ` and not dst host ${a}`).join('');
  return [
    `(ip and ${tcpWeb} and (${syn4} or ${payload4}))`,
    `(ip6 and ip6[6] = 6 and ${tcpWeb} and (${syn6} or ${payload6}))`,
    '(ip and udp dst port 443 and udp[8] & 0x80 != 0)',
    '(ip6 and ip6[6] = 17 and udp dst port 443 and ip6[48] & 0x80 != 0)',
    `((udp or tcp) and (dst port 53 or dst port 853)${notUs})`,
  ].join(' or ');
}

export class TcpdumpCapture {
  private child: ChildProcess | undefined;
  private stopped = true;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  starts = 0;
  /** packets the kernel dropped, as tcpdump reported when it last stopped */
  kernelDrops = 0;

  private own: readonly string[];
  /** tcpdump was stopped to take a new filter: start it again at once, no back-off */
  private refilter = false;

  constructor(private readonly opts: CaptureOptions) {
    this.own = opts.own;
  }

  /** The appliance's addresses changed (a DHCP lease, IPv6 privacy addresses): tcpdump starts again with the new filter. */
  setOwn(own: readonly string[]): void {
    this.own = own;
    const child = this.child;
    if (this.stopped || !child || child.exitCode !== null || child.signalCode !== null) return;
    this.refilter = true;
    child.kill('SIGTERM');
  }

  start(): void {
    this.stopped = false;
    this.spawnOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private spawnOnce(): void {
    void this.spawnWithSocket().catch((err: Error) => {
      // no socket for tcpdump's stdout (tmpdir unwritable, out of fds): as if it died
      const retryMs = this.retry(Date.now());
      this.opts.log.error({ err: err.message, retryMs }, 'could not set up the capture stream');
    });
  }

  private async spawnWithSocket(): Promise<void> {
    const { interfaces, log } = this.opts;
    const own = this.own;
    // tcpdump takes one -i; several LAN ports are read through "any" (Linux cooked headers)
    const iface = interfaces.length === 1 ? interfaces[0] : 'any';
    const args = ['-i', iface, '-w', '-', '-U', '-n', '-s', '0', '--immediate-mode', captureFilter(own)];
    const startedAt = Date.now();
    this.starts++;
    const { reading, writeEnd } = await captureSocket(this.opts.onRecord);
    if (this.stopped) {
      writeEnd.destroy();
      return;
    }
    const child = spawn(this.opts.tcpdump ?? 'tcpdump', args, { stdio: ['ignore', writeEnd, 'pipe'] });
    writeEnd.destroy(); // the child has its own copy: the stream ends when tcpdump does
    this.child = child;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-4000);
    });
    child.on('error', (err) => log.error({ err: err.message }, 'could not start tcpdump'));
    void reading.then((end) => {
      if (!end.ok && !this.stopped) log.error({ err: end.error }, 'tcpdump stream unreadable');
    });
    child.once('close', (code, signal) => {
      const dropped = /(\d+) packets? dropped by kernel/.exec(stderr);
      if (dropped) this.kernelDrops += Number(dropped[1]);
      if (this.stopped) return;
      if (this.refilter) {
        this.refilter = false;
        this.spawnOnce();
        return;
      }
      const retryMs = this.retry(startedAt);
      log.error({ code, signal, stderr: stderr.trim().split('\n').slice(-3).join(' | '), retryMs }, 'tcpdump stopped; starting it again');
    });
    log.info({ iface, pid: child.pid }, 'capturing packet metadata');
  }

  /** Starts again after a back-off; returns the delay in ms. */
  private retry(startedAt: number): number {
    if (Date.now() - startedAt > 60_000) this.failures = 0;
    const delay = Math.min(30_000, 1000 * 2 ** this.failures++);
    if (!this.stopped) this.timer = setTimeout(() => this.spawnOnce(), delay);
    return delay;
  }
}

/**
 * A connected pair of Unix stream sockets in a private directory: tcpdump writes to one end
 * (its stdout), we read the other through one reused buffer. Node's stdio pipes allocate a
 * fresh chunk per read.
 */
async function captureSocket(onRecord: RecordHandler): Promise<{ reading: ReturnType<typeof readPcapSocket>; writeEnd: Socket }> {
  const dir = await mkdtemp(join(tmpdir(), 'schoolgate-capture-'));
  const server = createServer();
  try {
    const path = join(dir, 'pcap.sock');
    server.listen(path);
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const reading = readPcapSocket((onread) => connect({ path, onread }), onRecord);
    const first = await Promise.race([accepted, reading]);
    if (!Array.isArray(first)) throw new Error(first.ok ? 'the capture socket closed at once' : first.error);
    return { reading, writeEnd: first[0] };
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
