// One DNS question to one upstream resolver: ". NS" with recursion desired, the cheapest question
// every resolver answers from cache. An answer counts as "the resolver works" unless it is
// SERVFAIL or REFUSED (reachable, but no use to the school).
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import packet from 'dns-packet';
import type { ProbeOutcome } from './facts.js';

const SERVFAIL = 2;
const REFUSED = 5;

export function probeDns(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const target = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  const id = randomInt(0, 0xffff);
  const query = packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type: 'NS', class: 'IN', name: '.' }] });
  const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Omit<ProbeOutcome, 'kind' | 'target'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve({ kind: 'dns', target, ...o });
    };
    const timer = setTimeout(() => done({ ok: false, error: 'timeout' }), timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
    socket.on('message', (msg) => {
      let answer: ReturnType<typeof packet.decode>;
      try {
        answer = packet.decode(msg);
      } catch {
        return; // not DNS: keep waiting for the real answer
      }
      if (answer.id !== id || answer.type !== 'response') return;
      const rcode = (answer.flags ?? 0) & 0xf;
      const rttMs = Math.round((performance.now() - t0) * 10) / 10;
      done(rcode === SERVFAIL || rcode === REFUSED ? { ok: false, rttMs, error: rcode === SERVFAIL ? 'SERVFAIL' : 'REFUSED' } : { ok: true, rttMs });
    });
    // Connected: an ICMP "port unreachable" comes back as ECONNREFUSED at once, not a timeout.
    // Node passes a failed connect (no route: ENETUNREACH) to this callback; its types do not say so.
    socket.connect(port, host, (...args: unknown[]) => {
      const failed = args[0] as NodeJS.ErrnoException | undefined;
      if (failed) return done({ ok: false, error: failed.code ?? failed.message });
      socket.send(query, (err) => {
        if (err) done({ ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message });
      });
    });
  });
}
