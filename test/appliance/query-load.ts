// A DNS client that keeps the daemon busy: unique names under a listed domain (answered from the
// block list, no upstream involved), at a steady rate over UDP, noting which names were answered
// and when. The power-cut test and the SD-card bench drive the daemon with it.
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface Answered {
  name: string;
  /** epoch ms when the answer arrived */
  at: number;
}

export interface QueryLoad {
  readonly answered: Answered[];
  readonly sent: number;
  stop(): Promise<void>;
}

export function startQueryLoad(opts: { host: string; port: number; qps: number; domain: string; prefix: string }): QueryLoad {
  const socket = createSocket(opts.host.includes(':') ? 'udp6' : 'udp4');
  const answered: Answered[] = [];
  const pending = new Map<number, { name: string; sentAt: number }>();
  let seq = 0;
  let sent = 0;
  socket.on('message', (msg) => {
    let id: number | undefined;
    try {
      id = dnsPacket.decode(msg).id;
    } catch {
      return;
    }
    const p = id === undefined ? undefined : pending.get(id);
    if (!p || id === undefined) return;
    pending.delete(id);
    answered.push({ name: p.name, at: Date.now() });
  });
  socket.on('error', () => undefined);
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((opts.qps * tickMs) / 1000));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [id, p] of pending) if (now - p.sentAt > 2000) pending.delete(id);
    for (let i = 0; i < perTick; i++) {
      const id = seq & 0xffff;
      if (pending.has(id)) continue;
      const name = `${opts.prefix}${seq++}.${opts.domain}`;
      pending.set(id, { name, sentAt: now });
      socket.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), opts.port, opts.host);
      sent++;
    }
  }, tickMs);
  return {
    answered,
    get sent() {
      return sent;
    },
    stop: () => new Promise<void>((resolve) => {
      clearInterval(timer);
      socket.close(() => resolve());
    }),
  };
}

/** One query; true when anything answers on host:port within `timeoutMs`. */
export function answersDns(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const done = (v: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(v);
    };
    socket.on('error', () => done(false));
    socket.on('message', () => done(true));
    socket.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'probe.example' }] }), port, host);
  });
}
