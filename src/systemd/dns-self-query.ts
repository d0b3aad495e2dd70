// The liveness proof behind WATCHDOG=1: one DNS query to our own first `dns.listen` address,
// over the network like a client's. An answer means the socket, the event loop and the query
// chain all work; a wedged or deadlocked daemon gets no answer and systemd restarts it.
//
// The name asked is the Firefox canary `use-application-dns.net`, which DESIGN.md says the
// chain answers itself (NXDOMAIN) without an upstream: a WAN outage must not look like a hung
// daemon, or the watchdog would restart the gateway exactly when the school's line is down.
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { parseHostPort } from '../schema/index.js';

export const SELF_QUERY_NAME = 'use-application-dns.net';

const RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

export type SelfQueryResult =
  | { ok: true; rcode: string; ms: number }
  | { ok: false; code: 'SG_DNS_SELFTEST'; message: string };

export interface SelfQueryTarget {
  host: string;
  port: number;
}

/** Where to ask: a wildcard listen address is asked on loopback. */
export function selfQueryTarget(listen: string): SelfQueryTarget | { error: string } {
  const hp = parseHostPort(listen, 53);
  if (!hp) return { error: `dns.listen "${listen}" is not host:port` };
  if (hp.port === 0) return { error: `dns.listen "${listen}" has port 0 (any free port): the watchdog needs a fixed port to ask` };
  const host = hp.host === '0.0.0.0' ? '127.0.0.1' : hp.host === '::' ? '::1' : hp.host;
  return { host, port: hp.port };
}

/** Asks once; resolves (never rejects) within `timeoutMs`. */
export function selfQuery(target: SelfQueryTarget, timeoutMs: number): Promise<SelfQueryResult> {
  const started = performance.now();
  const id = randomInt(0, 0x10000);
  const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: SELF_QUERY_NAME }] });
  const socket = createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
  return new Promise<SelfQueryResult>((resolve) => {
    const done = (r: SelfQueryResult) => {
      clearTimeout(timer);
      socket.close();
      resolve(r);
    };
    const fail = (message: string) => done({ ok: false, code: 'SG_DNS_SELFTEST', message });
    const timer = setTimeout(() => fail(`no answer from ${target.host}:${target.port} within ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (err) => fail(`${target.host}:${target.port}: ${err.message}`));
    socket.on('message', (msg, from) => {
      if (from.port !== target.port) return;
      let answer: ReturnType<typeof dnsPacket.decode>;
      try {
        answer = dnsPacket.decode(msg);
      } catch {
        return; // not DNS: keep waiting for the real answer until the timeout
      }
      const q = answer.questions?.[0];
      if (answer.type !== 'response' || answer.id !== id || q?.name.toLowerCase() !== SELF_QUERY_NAME) return;
      const rcode = RCODES[(answer.flags ?? 0) & 0xf] ?? `RCODE${(answer.flags ?? 0) & 0xf}`;
      // NXDOMAIN is the contract's answer; NOERROR is fine too. SERVFAIL/REFUSED mean the chain
      // is broken or refusing us: not the proof of health the watchdog stands for.
      if (rcode === 'NXDOMAIN' || rcode === 'NOERROR') done({ ok: true, rcode, ms: performance.now() - started });
      else fail(`${target.host}:${target.port} answered ${rcode}`);
    });
    socket.send(query, target.port, target.host);
  });
}
