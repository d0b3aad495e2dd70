// UDP sockets towards one upstream. A socket per query costs a bind that searches the port
// space (slower with every socket open) and a close; at thousands of misses a second that is
// most of the resolver's time. So each upstream gets a small set of sockets, each bound by the
// kernel to a random port and connected to the upstream (the kernel drops datagrams from anyone
// else; ICMP "port unreachable" reaches us as an error). A query goes out with a random unused ID
// on a random one of them, and each socket is replaced after ROTATE_AFTER queries, so the source
// port keeps changing: a spoofer must guess the ID (16 bits) and a moving port.
//
// Where the udp-batch addon is built, the sockets are its connected ones: the queries of one
// turn of the event loop go out together on one socket (one sendmmsg, one wakeup of the
// upstream), and answers come in batches (recvmmsg). A cache miss then costs about half the
// main-thread time node:dgram's send and receive cost (bench/out/dns.md). Otherwise, node:dgram.
import { createSocket } from 'node:dgram';
import { randomFillSync } from 'node:crypto';
import { udpBatchAddon } from './udp-batch.js';
import type { UdpBatchAddon, UdpPathOptions } from './udp-batch.js';
import { matchesQuery, upstreamQuery } from './upstream-query.js';

export const SOCKETS_PER_UPSTREAM = 16;
export const ROTATE_AFTER = 256;
const BUFFER_BYTES = 1 << 20;

export type UdpOutcome = { ok: true; message: Buffer } | { ok: false; why: 'timeout' | 'unreachable' | 'stopped' };

const UNREACHABLE: UdpOutcome = { ok: false, why: 'unreachable' };
const TIMEOUT: UdpOutcome = { ok: false, why: 'timeout' };

interface Pending {
  resolve: (r: UdpOutcome) => void;
  timer: NodeJS.Timeout;
  /** what was asked: an answer must repeat it */
  question: Uint8Array;
}

const randomPool = new Uint16Array(4096);
let randomAt = randomPool.length;
export function randomU16(): number {
  if (randomAt >= randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  return randomPool[randomAt++];
}

/** One connected socket's datagrams: out with send(), in through the callbacks it was opened with. */
interface Transport {
  /** local port (0 until known) */
  readonly port: number;
  send(datagram: Buffer): void;
  close(): void;
}

interface TransportEvents {
  message(m: Buffer): void;
  /** a send or receive error (ICMP unreachable, a refused send): nothing in flight can be answered */
  error(): void;
}

type OpenTransport = (host: string, port: number, family: 'udp4' | 'udp6', on: TransportEvents) => Transport;

const openDgram: OpenTransport = (host, port, family, on) => {
  const socket = createSocket(family);
  let connected = false;
  let closed = false;
  let queued: Buffer[] = [];
  socket.on('message', (m) => on.message(m));
  socket.on('error', () => on.error());
  socket.connect(port, host, () => {
    connected = true;
    if (!closed) for (const d of queued) socket.send(d);
    queued = [];
  });
  return {
    get port() {
      return connected ? socket.address().port : 0;
    },
    send(d) {
      if (closed) return;
      // connecting takes a turn of the event loop (an address lookup, even for a literal)
      if (connected) socket.send(d);
      else queued.push(d);
    },
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
};

function openBatched(native: UdpBatchAddon): OpenTransport {
  return (host, port, family, on) => {
    // throws (ENETUNREACH, EAFNOSUPPORT...) where this upstream cannot be reached at all
    const [handle, localPort] = native.open(host, port, family === 'udp6', BUFFER_BYTES, true);
    const stride = native.STRIDE;
    const meta = new Int32Array(native.BATCH * stride);
    let open = true;
    const out: Buffer[] = [];
    const flush = (): void => {
      const n = out.length;
      const failed = open && n > 0 ? native.send(handle, out, null, n) : 0;
      out.length = 0;
      if (failed > 0) on.error();
    };
    native.start(handle, meta, [], (buf, count) => {
      if (buf === undefined) return on.error();
      for (let i = 0; i < count && open; i++) on.message(buf.subarray(meta[i * stride], meta[i * stride] + meta[i * stride + 1]));
    });
    return {
      port: localPort,
      send(d) {
        if (!open) return;
        // out together once this turn's synchronous work (a whole batch of client queries) is done
        if (out.push(d) === 1) queueMicrotask(flush);
      },
      close() {
        if (!open) return;
        open = false;
        out.length = 0;
        native.close(handle);
      },
    };
  };
}

class Channel {
  readonly pending = new Map<number, Pending>();
  uses = 0;
  closed = false;
  private readonly transport: Transport | undefined;

  constructor(open: OpenTransport, host: string, port: number, family: 'udp4' | 'udp6', private readonly onMismatch: () => void) {
    try {
      this.transport = open(host, port, family, {
        message: (m) => this.onMessage(m),
        // An error cannot be tied to one query: everything in flight here fails (and the socket is replaced).
        error: () => this.fail('unreachable'),
      });
    } catch {
      this.closed = true;
    }
  }

  get port(): number {
    return this.transport?.port ?? 0;
  }

  /** Asks `question` with a free random ID. */
  send(question: Uint8Array, dnssecOk: boolean, cd: boolean, udpSize: number, timeoutMs: number): Promise<UdpOutcome> {
    const transport = this.transport;
    if (this.closed || transport === undefined) return Promise.resolve(UNREACHABLE);
    let id = randomU16();
    while (this.pending.has(id)) id = randomU16();
    this.uses++;
    return new Promise<UdpOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(TIMEOUT);
      }, timeoutMs);
      this.pending.set(id, { resolve, timer, question });
      transport.send(upstreamQuery(question, id, dnssecOk, cd, udpSize));
    });
  }

  private onMessage(m: Buffer): void {
    const id = m.length >= 2 ? (m[0] << 8) | m[1] : -1;
    const p = this.pending.get(id);
    if (p && matchesQuery(m, id, p.question)) this.settle(id, { ok: true, message: m });
    else this.onMismatch();
  }

  private settle(id: number, r: UdpOutcome): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(r);
  }

  fail(why: 'unreachable' | 'stopped'): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { ok: false, why });
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport?.close();
  }
}

export class UpstreamSockets {
  /** which socket path the queries take */
  readonly mode: 'batched' | 'dgram';
  /** indexed by slot; empty slots are undefined until first used */
  private readonly channels: (Channel | undefined)[] = [];
  private readonly open: OpenTransport;
  /** batched: the channel this turn's queries share (one sendmmsg), until the turn's microtasks run */
  private turn: Channel | undefined;
  private readonly endTurn = (): void => {
    this.turn = undefined;
  };

  constructor(private readonly host: string, private readonly port: number, private readonly family: 'udp4' | 'udp6', private readonly onMismatch: () => void, options: UdpPathOptions = {}) {
    const native = options.batched === false ? undefined : udpBatchAddon();
    this.mode = native ? 'batched' : 'dgram';
    this.open = native ? openBatched(native) : openDgram;
  }

  /** local ports of the open sockets (tests: they are random and they rotate) */
  get localPorts(): number[] {
    return this.channels.flatMap((c) => (c && !c.closed && c.port ? [c.port] : []));
  }

  /** Asks `question` (the lower-cased question section) on one of the sockets. */
  send(question: Uint8Array, dnssecOk: boolean, cd: boolean, udpSize: number, timeoutMs: number): Promise<UdpOutcome> {
    let c = this.turn;
    if (c === undefined || c.closed || c.uses >= ROTATE_AFTER) {
      c = this.pick();
      if (this.mode === 'batched') {
        if (this.turn === undefined) queueMicrotask(this.endTurn);
        this.turn = c;
      }
    }
    return c.send(question, dnssecOk, cd, udpSize, timeoutMs);
  }

  private pick(): Channel {
    const i = randomU16() % SOCKETS_PER_UPSTREAM;
    let c = this.channels[i];
    if (c === undefined || c.closed || c.uses >= ROTATE_AFTER) {
      // A worn-out socket closes once its last answer is in (or its queries time out).
      if (c && !c.closed) retire(c);
      c = this.channels[i] = new Channel(this.open, this.host, this.port, this.family, this.onMismatch);
    }
    return c;
  }

  stop(): void {
    this.turn = undefined;
    for (const c of this.channels) c?.fail('stopped');
    this.channels.length = 0;
  }
}

function retire(c: Channel): void {
  if (c.pending.size === 0) return c.close();
  const check = setInterval(() => {
    if (c.pending.size === 0 || c.closed) {
      clearInterval(check);
      c.close();
    }
  }, 250);
  check.unref();
}
