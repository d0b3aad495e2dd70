// Measurements from the lab's client namespaces with real tools.
import type { Lab, Place } from './lab.js';
import { NET } from './internet.js';

export interface IperfResult {
  /** receiver-side throughput, bits per second */
  bps: number;
  /** bytes moved */
  bytes: number;
}

/**
 * iperf3 from a client to the internet's iperf server. `down`: the server sends (-R). The first
 * second (TCP slow start, queues filling) is omitted from the figure.
 */
export async function iperf(lab: Lab, client: Place, opts: { port: number; seconds: number; down: boolean }): Promise<IperfResult> {
  const argv = ['iperf3', '-c', NET.iperf, '-p', String(opts.port), '-t', String(opts.seconds), '-O', '1', '-J', ...(opts.down ? ['-R'] : [])];
  const r = await lab.exec(client, argv, { timeoutMs: (opts.seconds + 15) * 1000 });
  let doc: { end?: { sum_received?: { bits_per_second?: number; bytes?: number } }; error?: string };
  try {
    doc = JSON.parse(r.stdout) as typeof doc;
  } catch {
    throw new Error(`iperf3 from ${client} gave no JSON (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
  }
  if (doc.error || !doc.end?.sum_received) throw new Error(`iperf3 from ${client}: ${doc.error ?? 'no result'}`);
  return { bps: doc.end.sum_received.bits_per_second ?? 0, bytes: doc.end.sum_received.bytes ?? 0 };
}

export const mbit = (bps: number) => `${(bps / 1e6).toFixed(2)} Mbit/s`;

/** |measured / expected - 1| ≤ tolerance */
export function within(measured: number, expected: number, tolerance: number): boolean {
  return Math.abs(measured / expected - 1) <= tolerance;
}
