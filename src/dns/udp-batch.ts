// The udp-batch addon (native/udp-batch: recvmmsg/sendmmsg, Linux), shared by the DNS listener
// and the upstream sockets. Where it is not built, both use node:dgram.
import { createRequire } from 'node:module';

/** The addon's interface (native/udp-batch/udp_batch.c). */
export interface UdpBatchAddon {
  BATCH: number;
  STRIDE: number;
  /** connect false: bound to host:port; true: connected to host:port from a random local port */
  open(host: string, port: number, v6: boolean, bufferBytes: number, connect?: boolean): [unknown, number];
  /** onBatch(buffer, count); on a connected socket, a receive error comes as (undefined, -errno) */
  start(handle: unknown, meta: Int32Array, names: string[], onBatch: (buf: Buffer | undefined, count: number) => void): void;
  /** addresses null: a connected socket's datagrams, to its peer; returns the datagrams that failed */
  send(handle: unknown, replies: Buffer[], addresses: Int32Array | null, count: number): number;
  stats(handle: unknown): [number, number];
  close(handle: unknown): void;
}

/** Which path a socket takes (the listener's and the upstream sockets' option). */
export interface UdpPathOptions {
  /** false: node:dgram even where the addon is built (tests of both paths) */
  batched?: boolean;
}

let addon: UdpBatchAddon | null | undefined;

/** The batching addon, or undefined where it is not built. */
export function udpBatchAddon(): UdpBatchAddon | undefined {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)('@schoolgate/udp-batch') as UdpBatchAddon;
    } catch {
      addon = null;
    }
  }
  return addon ?? undefined;
}
