// A small HTTPS client for the daemon tests: trusts exactly the daemon's own certificate (read
// from its dataDir), keeps cookies and the CSRF token like a browser.
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface Reply { status: number; headers: IncomingHttpHeaders; body: string; json<T = Record<string, unknown>>(): T }

export class HttpsAgent {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  constructor(readonly base: string, private readonly ca: string) {}

  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 15_000): Promise<Reply> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const h: Record<string, string> = { ...headers };
    if (payload !== undefined) h['content-type'] = 'application/json';
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrf && method !== 'GET') h['x-csrf-token'] ??= this.csrf;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers: h, ca: this.ca, timeout: timeoutMs }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => {
          for (const c of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
            const [pair] = c.split(';');
            const [k, v] = pair.split('=');
            if (v) this.cookies.set(k, v);
            else this.cookies.delete(k);
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: <T>() => JSON.parse(text) as T });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${path}`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  get = (path: string, headers?: Record<string, string>) => this.call('GET', path, undefined, headers);
  post = (path: string, body: unknown = {}, headers?: Record<string, string>) => this.call('POST', path, body, headers);

  async start(): Promise<void> {
    this.csrf = (await this.get('/api/v1/session')).json<{ csrfToken: string }>().csrfToken;
  }
}
