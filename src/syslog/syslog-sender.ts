// RFC 5424 messages to a trust's collector over UDP (RFC 5426), TCP (RFC 6587 octet counting)
// or TLS (RFC 5425). A bounded queue: when the collector is away, the oldest messages are
// dropped and counted, and the connection is retried with back-off. Never blocks the daemon.
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export type Transport = 'udp' | 'tcp' | 'tls';

export interface SenderOptions {
  host: string;
  port: number;
  transport: Transport;
  /** CA bundle for TLS (PEM file); the system store when unset */
  ca?: string;
  /** TLS server name (defaults to host) */
  serverName?: string;
  maxQueue?: number;
  onError?: (message: string) => void;
}

export interface SyslogMessage {
  /** 0–23 */
  facility: number;
  /** 0 emerg … 7 debug */
  severity: number;
  time: string;
  msgid: string;
  structured?: Record<string, Record<string, string>>;
  text: string;
}

const HOST = (hostname() || '-').replace(/[^\x21-\x7e]/g, '-').slice(0, 255);

function sdValue(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** One RFC 5424 line (no trailing newline). */
export function formatRfc5424(m: SyslogMessage, app = 'schoolgate', procid = String(process.pid)): string {
  const sd = m.structured && Object.keys(m.structured).length > 0
    ? Object.entries(m.structured).map(([id, params]) => `[${id}${Object.entries(params).map(([k, v]) => ` ${k}="${sdValue(v)}"`).join('')}]`).join('')
    : '-';
  const msg = m.text.replace(/[\r\n]+/g, ' ');
  return `<${m.facility * 8 + m.severity}>1 ${m.time} ${HOST} ${app} ${procid} ${m.msgid} ${sd} ${msg}`;
}

export class SyslogSender {
  private queue: string[] = [];
  private socket: Socket | undefined;
  private udp: UdpSocket | undefined;
  private connecting = false;
  private backoffMs = 500;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  sent = 0;
  dropped = 0;

  constructor(private readonly opts: SenderOptions) {}

  send(m: SyslogMessage): void {
    const line = formatRfc5424(m);
    if (this.opts.transport === 'udp') return this.sendUdp(line);
    if (this.queue.length >= (this.opts.maxQueue ?? 10_000)) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(line);
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.socket?.end();
    this.udp?.close();
  }

  private sendUdp(line: string): void {
    this.udp ??= createSocket(this.opts.host.includes(':') ? 'udp6' : 'udp4').on('error', (err) => this.opts.onError?.(err.message));
    this.udp.send(line, this.opts.port, this.opts.host, (err) => {
      if (err) {
        this.dropped++;
        this.opts.onError?.(err.message);
      } else this.sent++;
    });
  }

  private pump(): void {
    if (this.stopped) return;
    if (!this.socket) return this.connect();
    while (this.queue.length > 0) {
      const line = this.queue[0];
      const frame = `${Buffer.byteLength(line)} ${line}`;
      this.queue.shift();
      this.sent++;
      if (!this.socket.write(frame)) {
        this.socket.once('drain', () => this.pump());
        return;
      }
    }
  }

  private connect(): void {
    if (this.connecting || this.stopped) return;
    this.connecting = true;
    const { host, port } = this.opts;
    const socket = this.opts.transport === 'tls'
      ? tlsConnect({ host, port, servername: this.opts.serverName ?? host, ca: this.opts.ca ? readFileSync(this.opts.ca) : undefined })
      : tcpConnect({ host, port });
    const ready = this.opts.transport === 'tls' ? 'secureConnect' : 'connect';
    socket.setTimeout(30_000, () => socket.destroy(new Error('syslog collector timed out')));
    socket.once(ready, () => {
      this.connecting = false;
      this.backoffMs = 500;
      this.socket = socket;
      this.pump();
    });
    socket.on('error', (err) => this.opts.onError?.(err.message));
    socket.on('close', () => {
      this.connecting = false;
      if (this.socket === socket) this.socket = undefined;
      if (this.stopped) return;
      this.retry = setTimeout(() => this.pump(), this.backoffMs);
      this.retry.unref();
      this.backoffMs = Math.min(this.backoffMs * 2, 60_000);
    });
  }
}
