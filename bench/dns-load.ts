// Load for the DNS bench: dnsperf runs (qps, average and p99 latency from its per-query -v
// lines) and a paced client that asks at a fixed rate and records every latency.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createSocket } from 'node:dgram';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoadResult {
  qps: number;
  completed: number;
  lost: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
}

export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * dnsperf -c 10 against `port`; `-n 1` (one pass) or `-l seconds`. Its per-query lines go to a file
 * and are read once it has finished: parsing 130k lines a second here while it ran took most of a
 * core from the server under test on a 2-core machine, the more the faster the server (2026-12-04:
 * unbound warm 135k → 177k qps, schoolgate 121k → 150k).
 */
export async function dnsperf(port: number, file: string, mode: { passes: number } | { seconds: number }): Promise<LoadResult> {
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-c', '10', '-q', '100', '-t', '5', '-v',
    ...('passes' in mode ? ['-n', String(mode.passes)] : ['-l', String(mode.seconds)])];
  const dir = mkdtempSync(join(tmpdir(), 'sg-dnsperf-'));
  const outFile = join(dir, 'out.txt');
  const out = openSync(outFile, 'w');
  try {
    await new Promise<void>((resolve, reject) => {
      const p = spawn('dnsperf', args, { stdio: ['ignore', out, 'inherit'] });
      p.on('error', reject);
      p.on('close', () => resolve());
    });
    let latencies = new Float64Array(1 << 20);
    let n = 0;
    const summary: string[] = [];
    for await (const line of createInterface({ input: createReadStream(outFile), crlfDelay: Infinity })) {
      // "> NOERROR name A 0.000123"
      if (line.startsWith('> ')) {
        const sec = Number(line.slice(line.lastIndexOf(' ') + 1));
        if (Number.isFinite(sec)) {
          if (n === latencies.length) {
            const bigger = new Float64Array(latencies.length * 2);
            bigger.set(latencies);
            latencies = bigger;
          }
          latencies[n++] = sec * 1000;
        }
      } else {
        summary.push(line);
      }
    }
    const text = summary.join('\n');
    const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    const sorted = latencies.subarray(0, n).sort();
    return {
      qps: num(/Queries per second:\s+([\d.]+)/),
      completed: num(/Queries completed:\s+(\d+)/),
      lost: num(/Queries lost:\s+(\d+)/),
      avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
    };
  } finally {
    closeSync(out);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asks `names` round-robin at `qps` for `seconds` from one socket; every answer's latency. */
export async function paced(port: number, names: readonly string[], qps: number, seconds: number): Promise<LoadResult> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const queries = names.map((n) => {
    const labels = n.split('.');
    const q = Buffer.alloc(12 + labels.reduce((a, l) => a + l.length + 1, 1) + 4);
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
    return q;
  });
  const sentAt = new Float64Array(65536);
  const latencies: number[] = [];
  s.on('message', (m) => {
    const t = sentAt[m.readUInt16BE(0)];
    if (t > 0) latencies.push(performance.now() - t);
    sentAt[m.readUInt16BE(0)] = 0;
  });
  const total = qps * seconds;
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    // Catch up to the schedule, then sleep a millisecond: the rate holds on average.
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * qps));
    for (; sent < due; sent++) {
      const q = queries[sent % queries.length];
      const id = sent & 0xffff;
      q.writeUInt16BE(id, 0);
      sentAt[id] = performance.now();
      s.send(q, port, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => setTimeout(r, 500));
  s.close();
  const sorted = Float64Array.from(latencies).sort();
  const elapsed = (performance.now() - t0 - 500) / 1000;
  return {
    qps: latencies.length / elapsed, completed: latencies.length, lost: total - latencies.length,
    avgMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length), p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99),
  };
}
