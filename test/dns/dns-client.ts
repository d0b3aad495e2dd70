// A small DNS client for the tests: builds queries by hand (any type, with or without EDNS, DO,
// a chosen source address on loopback) and decodes answers with dns-packet.
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { decode } from 'dns-packet';
import type { Packet } from 'dns-packet';

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export const QTYPE: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, DS: 43, SVCB: 64, HTTPS: 65, AXFR: 252, ANY: 255 };

export interface QueryOptions {
  type?: string | number;
  /** EDNS UDP size; undefined: no OPT record */
  edns?: number;
  dnssecOk?: boolean;
  /** source address on loopback (127.0.0.x picks the group) */
  from?: string;
  tcp?: boolean;
  timeoutMs?: number;
  id?: number;
  qclass?: number;
}

export function encodeQuery(name: string, o: QueryOptions = {}): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const nameLen = labels.reduce((n, l) => n + l.length + 1, 1);
  const type = typeof o.type === 'number' ? o.type : QTYPE[o.type ?? 'A'];
  const buf = Buffer.alloc(12 + nameLen + 4 + (o.edns !== undefined ? 11 : 0));
  buf.writeUInt16BE(o.id ?? Math.floor(Math.random() * 65536), 0);
  buf.writeUInt16BE(0x0100, 2);
  buf.writeUInt16BE(1, 4);
  buf.writeUInt16BE(o.edns !== undefined ? 1 : 0, 10);
  let p = 12;
  for (const l of labels) {
    buf[p++] = l.length;
    buf.write(l, p, 'latin1');
    p += l.length;
  }
  buf[p++] = 0;
  buf.writeUInt16BE(type, p);
  buf.writeUInt16BE(o.qclass ?? 1, p + 2);
  p += 4;
  if (o.edns !== undefined) {
    buf[p] = 0;
    buf.writeUInt16BE(41, p + 1);
    buf.writeUInt16BE(o.edns, p + 3);
    buf.writeUInt32BE(o.dnssecOk ? 0x8000 : 0, p + 5);
    buf.writeUInt16BE(0, p + 9);
  }
  return buf;
}

export interface Answer {
  raw: Buffer;
  packet: Packet;
  rcode: string;
  tc: boolean;
  /** [type, data] of each answer record; data as text */
  records: { name: string; type: string; ttl: number; data: string }[];
  /** EDE (RFC 8914) info code and text, if any */
  ede?: { code: number; text: string };
  hasOpt: boolean;
  ms: number;
}

export function decodeAnswer(raw: Buffer, ms = 0): Answer {
  const packet = decode(raw);
  const opt = packet.additionals?.find((r) => r.type === 'OPT') as { options?: { code: number; data?: Buffer }[] } | undefined;
  const edeOpt = opt?.options?.find((o) => o.code === 15);
  const ede = edeOpt?.data ? { code: edeOpt.data.readUInt16BE(0), text: edeOpt.data.subarray(2).toString('utf8') } : undefined;
  const records = (packet.answers ?? []).map((r) => {
    const rec = r as { name: string; type: string; ttl?: number; data?: unknown };
    const data = Buffer.isBuffer(rec.data) ? rec.data.toString('hex') : Array.isArray(rec.data) ? rec.data.map(String).join(' ') : String(rec.data);
    return { name: rec.name, type: rec.type, ttl: rec.ttl ?? 0, data };
  });
  const flags = raw.readUInt16BE(2);
  return { raw, packet, rcode: RCODES[raw[3] & 0xf] ?? String(raw[3] & 0xf), tc: (flags & 0x0200) !== 0, records, ede, hasOpt: Boolean(opt), ms };
}

/** Sends raw bytes, resolves with the raw reply (or undefined on timeout). */
export function exchange(port: number, msg: Buffer, o: QueryOptions = {}): Promise<Buffer | undefined> {
  const timeoutMs = o.timeoutMs ?? 3000;
  if (o.tcp) {
    return new Promise((resolve) => {
      const s = connect({ port, host: '127.0.0.1', localAddress: o.from });
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => { s.destroy(); resolve(undefined); }, timeoutMs);
      s.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(msg.length);
        s.write(Buffer.concat([len, msg]));
      });
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          clearTimeout(timer);
          s.destroy();
          resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        }
      });
      s.on('error', () => { clearTimeout(timer); resolve(undefined); });
    });
  }
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve(undefined); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
    s.on('error', () => { clearTimeout(timer); s.close(); resolve(undefined); });
    s.bind(0, o.from ?? '127.0.0.1', () => s.send(msg, port, '127.0.0.1'));
  });
}

export async function query(port: number, name: string, o: QueryOptions = {}): Promise<Answer> {
  const t0 = performance.now();
  const raw = await exchange(port, encodeQuery(name, o), o);
  if (!raw) throw new Error(`no answer for ${name} ${o.type ?? 'A'} within ${o.timeoutMs ?? 3000} ms`);
  return decodeAnswer(raw, performance.now() - t0);
}

/** A free port for both UDP and TCP on 127.0.0.1 (bound and released). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const s = createSocket('udp4');
      s.bind(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (tcpFree) return port;
  }
}
