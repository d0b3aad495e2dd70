// The admin API of the bundled daemon (node dist/cli.js run, as the unit runs it). The bundle
// validates with the validators the build generated (build/api-validators.ts) where tests from
// src compile them with ajv at start: this is the test that sees the generated ones in the
// product: a bad body is a 400 with every error, a good one passes, query strings are coerced,
// answers are serialised, and the block page (the other fastify app) answers too.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { runCompiledDaemon } from '../appliance/compiled-daemon.js';
import { tempDir } from '../helpers/daemon.js';
import { HttpsAgent } from './https-client.js';
import { freePort } from './upstream.js';

function config(dir: string, upstreamPort: number): string {
  writeFileSync(join(dir, 'adult.txt'), 'adult.example\n');
  return `
mode: dns-only
dataDir: ${dir}/data
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:${upstreamPort}"], blocking: { answer: blockpage, address: 192.0.2.99 } }
lists:
  - { name: adult, format: domains, category: adult, source: ${dir}/adult.txt }
groups:
  - { name: staff, default: true, block: [adult] }
admin: { listen: ["127.0.0.1:0"], tls: auto, blockPage: ["127.0.0.1:0"] }
`;
}

function httpGet(address: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`http://${address}/`, { headers: { host }, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

t.test('the bundled daemon validates and answers with the generated validators', async (t) => {
  const d = tempDir('sg-bundled-api-');
  t.teardown(d.cleanup);
  const cfg = join(d.dir, 'schoolgate.yaml');
  writeFileSync(cfg, config(d.dir, await freePort()));
  const daemon = await runCompiledDaemon(cfg);
  t.teardown(async () => {
    daemon.proc.kill('SIGTERM');
    await daemon.exited;
  });
  const listening = daemon.logs.find((l) => l.msg === 'admin listening') as { admin: string[]; blockPage: string[] };
  const ca = readFileSync(join(d.dir, 'data', 'tls', 'admin.crt'), 'utf8');
  const tess = new HttpsAgent(`https://${listening.admin[0]}`, ca);
  const code = /setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(String(daemon.logs.find((l) => String(l.msg).startsWith('setup needed'))?.msg))?.[1];
  t.ok(code, 'the setup code is in the log');

  const session = await tess.get('/api/v1/session');
  t.equal(session.status, 200);
  t.match(session.json(), { authenticated: false, setupNeeded: true, csrfToken: String }, 'serialised');
  tess.csrf = session.json<{ csrfToken: string }>().csrfToken;

  const bad = await tess.post('/api/v1/setup', { code, username: 'x', password: 'short', extra: true });
  t.equal(bad.status, 400, bad.body);
  const body = bad.json<{ code: string; errors: { path: string }[] }>();
  t.equal(body.code, 'SG_BAD_INPUT');
  t.same(body.errors.map((e) => e.path).sort(), ['body/extra', 'body/password', 'body/username'], 'every error, the unknown key refused');

  const made = await tess.post('/api/v1/setup', { code, username: 'tess', password: 'a long technician password' });
  t.equal(made.status, 201, made.body);
  t.match(made.json(), { authenticated: true, user: 'tess', role: 'technician' });
  tess.csrf = made.json<{ csrfToken: string }>().csrfToken;

  const page = await tess.get('/api/v1/querylog?limit=2');
  t.equal(page.status, 200, page.body);
  t.ok(Array.isArray(page.json<{ items: unknown[] }>().items), 'a query log page');
  const badQuery = await tess.get('/api/v1/querylog?limit=lots');
  t.equal(badQuery.status, 400);
  t.match(badQuery.json(), { code: 'SG_BAD_INPUT', errors: [{ path: 'querystring/limit' }] });

  const blocked = await httpGet(listening.blockPage[0], 'adult.example');
  t.equal(blocked.status, 403, 'the block page answers');
  t.match(blocked.body, /adult\.example/);
  t.notOk(daemon.logs.some((l) => Number(l.level) >= 50), 'no error logged');
});
