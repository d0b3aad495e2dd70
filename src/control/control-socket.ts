// The daemon's control socket (dataDir/control.sock, owner-only): lets CLI verbs that touch the
// store (user add, token add, overrides, audit verify, lists update) work while the daemon holds
// it. One JSON request per line, one JSON response per line.
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';

export type Handler = (args: Record<string, unknown>) => Promise<unknown>;

interface Request {
  id: number;
  cmd: string;
  args?: Record<string, unknown>;
}

type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

const MAX_LINE = 1024 * 1024;

export const controlPath = (dataDir: string) => join(dataDir, 'control.sock');

export class ControlServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly path: string, private readonly handlers: Record<string, Handler>) {}

  async start(): Promise<void> {
    await rm(this.path, { force: true });
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.path, () => resolve());
    });
    await chmod(this.path, 0o600);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await rm(this.path, { force: true });
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(10 * 60_000, () => socket.destroy());
    let buffered = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_LINE) return socket.destroy();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        void this.answer(line).then((r) => socket.write(`${JSON.stringify(r)}\n`));
      }
    });
  }

  private async answer(line: string): Promise<Response> {
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
    } catch {
      return { id: -1, ok: false, error: 'request is not JSON' };
    }
    const handler = this.handlers[req.cmd];
    if (!handler) return { id: req.id, ok: false, error: `unknown command ${req.cmd}` };
    try {
      return { id: req.id, ok: true, result: await handler(req.args ?? {}) };
    } catch (err) {
      return { id: req.id, ok: false, error: (err as Error).message };
    }
  }
}

export type CallResult = { kind: 'not-running' } | { kind: 'ok'; result: unknown } | { kind: 'error'; error: string };

/** Asks a running daemon; 'not-running' when nobody listens on the socket. */
export function callDaemon(dataDir: string, cmd: string, args: Record<string, unknown> = {}, timeoutMs = 10 * 60_000): Promise<CallResult> {
  return new Promise((resolve) => {
    const socket = createConnection(controlPath(dataDir));
    let buffered = '';
    const done = (r: CallResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ kind: 'error', error: `the daemon did not answer within ${timeoutMs / 1000} s` }), timeoutMs);
    socket.on('connect', () => socket.write(`${JSON.stringify({ id: 1, cmd, args })}\n`));
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? { kind: 'not-running' } : { kind: 'error', error: err.message }));
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl === -1) return;
      try {
        const r = JSON.parse(buffered.slice(0, nl)) as Response;
        done(r.ok ? { kind: 'ok', result: r.result } : { kind: 'error', error: r.error });
      } catch {
        done({ kind: 'error', error: 'bad answer from the daemon' });
      }
    });
  });
}
