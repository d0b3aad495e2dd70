// One fastify app served on several addresses (each admin address, each block-page address):
// fastify's serverFactory hands us its request handler once, and we give it a server per
// address. A listener that cannot bind (port taken, address not on this machine, no privilege
// for port 80) is reported and logged; the daemon keeps filtering.
import { createServer as createHttp } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyServerFactory, FastifyServerFactoryHandler } from 'fastify';
import type { Logger } from '../log.js';
import { parseHostPort } from '../schema/index.js';
import type { TlsMaterial } from './tls.js';

export interface ListenerState {
  address: string;
  tls: boolean;
  listening: boolean;
  error?: string;
}

export class ServerSet {
  private handler: FastifyServerFactoryHandler | undefined;
  private readonly servers: Server[] = [];
  readonly states: ListenerState[] = [];

  constructor(private readonly tls: TlsMaterial | undefined, private readonly defaultPort: number) {}

  readonly factory: FastifyServerFactory = (handler) => {
    this.handler = handler;
    return this.make();
  };

  private make(): Server {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handler?.(req, res);
    const server = (this.tls
      ? createHttps({ key: this.tls.key, cert: this.tls.cert, minVersion: 'TLSv1.2' }, handler)
      : createHttp(handler)) as Server;
    // Slow clients cannot hold a Pi's sockets for ever.
    server.headersTimeout = 20_000;
    server.requestTimeout = 120_000;
    server.keepAliveTimeout = 10_000;
    server.maxHeadersCount = 100;
    this.servers.push(server);
    return server;
  }

  /** Binds every address (the first server is fastify's own); never throws. */
  async listen(addresses: readonly string[], log: Logger, refuse: (host: string) => string | undefined): Promise<void> {
    for (const [i, address] of addresses.entries()) {
      const hp = parseHostPort(address, this.defaultPort);
      const state: ListenerState = { address, tls: this.tls !== undefined, listening: false };
      this.states.push(state);
      const why = hp ? refuse(hp.host) : `"${address}" is not an address:port`;
      if (why || !hp) {
        state.error = why;
        log.error({ address }, `not listening on ${address}: ${why}`);
        continue;
      }
      const server = i < this.servers.length ? this.servers[i] : this.make();
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: hp.host, port: hp.port }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        const bound = server.address() as AddressInfo;
        state.address = bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
        state.listening = true;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        state.error = e.code === 'EACCES' ? `${e.message} (ports below 1024 need root or CAP_NET_BIND_SERVICE)` : e.code === 'EADDRNOTAVAIL' ? `${e.message} (the address is not on this machine)` : e.message;
        log.error({ address, err: state.error }, `cannot listen on ${address}`);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => {
      if (!s.listening) return resolve();
      s.close(() => resolve());
      // Live event streams and keep-alive sockets would hold close() open.
      s.closeAllConnections();
    })));
  }
}
