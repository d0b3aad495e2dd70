// Bytes per flow from the kernel: connection tracking accounting (net.netfilter.nf_conntrack_acct),
// read with `conntrack -L -o extended` (Debian's conntrack package; netlink, so it works without
// the obsolete /proc/net/nf_conntrack and under the unit's CAP_NET_ADMIN). One dump per poll,
// at most every few seconds and only while flows of the ring are being watched; the dump is
// parsed as it streams and only lines of watched flows are kept, so memory stays bounded whatever
// the size of the conntrack table. Without accounting there are no bytes: absent, never 0.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { FlowRecord } from '../daemon/index.js';
import type { Logger } from '../log.js';
import type { FlowTable } from './flow-table.js';

export interface FlowBytesOptions {
  table: FlowTable;
  log: Logger;
  /** the conntrack command (tests: inside a namespace, `ip netns exec NS conntrack`) */
  conntrack?: readonly string[];
  /** the accounting sysctl (tests) */
  acctPath?: string;
  /** flows watched at most (the ring's size) */
  maxWatched?: number;
}

export interface ByteCounterStatus {
  available: boolean;
  note?: string;
}

/** between polls at least this; a slow dump (a huge table) stretches it to 20× its duration */
export const POLL_MS = 5000;
/** a dump is cut off beyond this (about 250k conntrack entries) */
const MAX_DUMP_BYTES = 64 << 20;
const DUMP_TIMEOUT_MS = 10_000;
/** polls a flow may go unseen before we stop looking (a connection refused, or not tracked) */
const MAX_MISSES = 3;
/** dumps that may fail in a row (no permission, a broken tool) before bytes are given up */
const MAX_FAILURES = 3;
const ACCT = '/proc/sys/net/netfilter/nf_conntrack_acct';

/** The conntrack original tuple of a flow (TCP for TLS/HTTP, UDP for QUIC); DNS/DoT have none. */
export function flowKey(f: Pick<FlowRecord, 'proto' | 'client' | 'sport' | 'dst' | 'dport'>): string | undefined {
  if (f.sport === undefined) return undefined;
  const l4 = f.proto === 'tls' || f.proto === 'http' ? 'tcp' : f.proto === 'quic' ? 'udp' : undefined;
  return l4 && `${l4}|${f.client}|${f.sport}|${f.dst}|${f.dport}`;
}

/**
 * One line of `conntrack -L -o extended`:
 * `ipv4 2 tcp 6 431999 ESTABLISHED src=A dst=B sport=P dport=Q packets=N bytes=N src=B dst=A' … bytes=N [ASSURED] mark=0 use=1`.
 * The first src/dst/sport/dport are the original direction (the client's view, before NAT);
 * bytes are both directions together. Undefined for other protocols, junk, or no accounting.
 */
export function parseConntrackLine(line: string): { key: string; bytes: number } | undefined {
  // indexOf and slices, no split: a dump of 100k entries is parsed in a few hundred ms
  const head = line.slice(0, 24);
  const l4 = head.includes(' tcp ') ? 'tcp' : head.includes(' udp ') ? 'udp' : undefined;
  if (!l4) return undefined;
  const src = field(line, ' src=', 0);
  const dst = src && field(line, ' dst=', src.end);
  const sport = dst && field(line, ' sport=', dst.end);
  const dport = sport && field(line, ' dport=', sport.end);
  const up = dport && field(line, ' bytes=', dport.end);
  const down = up && field(line, ' bytes=', up.end);
  if (!down || !/^\d+$/.test(up.value) || !/^\d+$/.test(down.value)) return undefined;
  return { key: `${l4}|${src.value}|${sport.value}|${dst.value}|${dport.value}`, bytes: Number(up.value) + Number(down.value) };
}

/** the value after `name` (up to the next space), searching from `from` */
function field(line: string, name: string, from: number): { value: string; end: number } | undefined {
  const at = line.indexOf(name, from);
  if (at < 0) return undefined;
  const start = at + name.length;
  let end = line.indexOf(' ', start);
  if (end < 0) end = line.length;
  return end > start ? { value: line.slice(start, end), end } : undefined;
}

interface Watched {
  flow: FlowRecord;
  seen: boolean;
  misses: number;
}

export class FlowBytes {
  private readonly watched = new Map<string, Watched>();
  private status: ByteCounterStatus = { available: false, note: 'not started' };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;
  private readonly log: Logger;
  readonly counters = { polls: 0, pollMs: 0, lines: 0 };

  constructor(private readonly opts: FlowBytesOptions) {
    this.log = opts.log;
  }

  start(): void {
    this.stopped = false;
    this.status = this.checkAccounting();
    if (!this.status.available) {
      this.log.warn({ note: this.status.note }, 'flow bytes not counted');
      return;
    }
    this.schedule(POLL_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  byteCounters(): ByteCounterStatus {
    return this.status;
  }

  /** A new flow of the ring: its bytes are read while its connection lasts. */
  watch(flow: FlowRecord): void {
    if (!this.status.available) return;
    const key = flowKey(flow);
    if (key === undefined) return;
    this.watched.set(key, { flow, seen: false, misses: 0 });
    const max = this.opts.maxWatched ?? 2000;
    if (this.watched.size > max) {
      const oldest = this.watched.keys().next();
      if (!oldest.done) this.watched.delete(oldest.value);
    }
  }

  /** One dump: the watched flows' bytes; flows whose connection ended keep their last count. */
  poll(): Promise<void> {
    this.running ??= this.pollOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pollOnce(): Promise<void> {
    if (this.watched.size === 0) return;
    const t0 = performance.now();
    const found = new Set<string>();
    const r = await this.dump((line) => {
      this.counters.lines++;
      const c = parseConntrackLine(line);
      const w = c && this.watched.get(c.key);
      if (!c || !w) return;
      found.add(c.key);
      this.opts.table.setBytes(w.flow, c.bytes);
    });
    this.counters.polls++;
    this.counters.pollMs += performance.now() - t0;
    if (!r.ok) {
      // logged once per run of failures, not every few seconds; a few in a row and we give up
      if (this.failures++ === 0) this.log.warn({ err: r.error }, 'could not read conntrack: flow bytes not updated');
      if (r.fatal || this.failures >= MAX_FAILURES) {
        this.status = { available: false, note: r.error };
        this.watched.clear();
        this.log.warn({ note: r.error }, 'flow bytes not counted');
      }
      return;
    }
    this.failures = 0;
    for (const [key, w] of this.watched) {
      if (found.has(key)) {
        w.seen = true;
        w.misses = 0;
      } else if (w.seen || ++w.misses >= MAX_MISSES) {
        this.watched.delete(key); // the connection ended (its last count stays), or never showed up
      }
    }
  }

  private schedule(ms: number): void {
    if (this.stopped || !this.status.available) return;
    this.timer = setTimeout(() => {
      const t0 = performance.now();
      void this.poll().finally(() => this.schedule(Math.max(POLL_MS, 20 * (performance.now() - t0))));
    }, ms);
    this.timer.unref();
  }

  /** `conntrack -L -o extended`, line by line, bounded in time and size. */
  private dump(onLine: (line: string) => void): Promise<{ ok: true } | { ok: false; error: string; fatal: boolean }> {
    return new Promise((resolve) => {
      const argv = [...(this.opts.conntrack ?? ['conntrack']), '-L', '-o', 'extended'];
      const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      let rest = '';
      let size = 0;
      let err = '';
      let cut: string | undefined;
      const timer = setTimeout(() => {
        cut = `conntrack took over ${DUMP_TIMEOUT_MS} ms`;
        child.kill('SIGKILL');
      }, DUMP_TIMEOUT_MS);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        size += chunk.length;
        if (size > MAX_DUMP_BYTES && !cut) {
          cut = `the conntrack table is over ${MAX_DUMP_BYTES >> 20} MiB of text`;
          child.kill('SIGKILL');
        }
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      });
      child.stderr.on('data', (c: Buffer) => {
        if (err.length < 500) err += c.toString('utf8');
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ ok: false, error: e.code === 'ENOENT' ? 'conntrack is not installed (Debian package conntrack)' : `conntrack: ${e.message}`, fatal: e.code === 'ENOENT' });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (rest !== '') onLine(rest);
        if (cut) resolve({ ok: false, error: cut, fatal: false });
        else if (code === 0) resolve({ ok: true });
        else resolve({ ok: false, error: `conntrack: ${err.trim().split('\n').pop() ?? `exit ${code}`}`, fatal: false });
      });
    });
  }

  /** Accounting on, or turned on here when we may (as root; under the unit, install.sh's nf_conntrack acct=1 module option). */
  private checkAccounting(): ByteCounterStatus {
    const path = this.opts.acctPath ?? ACCT;
    let value: string;
    try {
      value = readFileSync(path, 'utf8').trim();
    } catch {
      return { available: false, note: 'no connection tracking accounting in this kernel (net.netfilter.nf_conntrack_acct)' };
    }
    if (value === '1') return { available: true };
    try {
      writeFileSync(path, '1');
      this.log.info('turned on connection tracking accounting (net.netfilter.nf_conntrack_acct=1) for flow bytes');
      return { available: true };
    } catch {
      return { available: false, note: 'net.netfilter.nf_conntrack_acct is 0: set it to 1 (sysctl, or the nf_conntrack acct=1 module option firmware/install.sh writes) to count bytes per flow' };
    }
  }
}
