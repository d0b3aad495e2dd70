// The API through the real daemon (`schoolgate run`): TLS auto, first-run setup from the code in
// the log, Secure cookies, the live event stream, /metrics checked by promtool, real sockets for
// path traversal and hostile Host headers, a restart that keeps the certificate and the session,
// and issue 5's acceptance: an API override changes the very next DNS answer for the scoped
// client only and reverts at expiry; a locked override is refused (403) and audited; "filtering
// off" cannot start with one user.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { startDaemon, tempDir } from '../helpers/daemon.js';
import type { RunningDaemon } from '../helpers/daemon.js';
import { HttpsAgent } from './https-client.js';
import { startUpstream } from './upstream.js';

const PUPIL = '127.0.0.10';
const PUPIL2 = '127.0.0.11';
const BLOCK_ADDRESS = '192.0.2.99';

function config(dir: string, upstreamPort: number): string {
  for (const [name, names] of Object.entries({ illegal: ['csam.example'], adult: ['adult.example'], gambling: ['casino.example'] })) writeFileSync(join(dir, `${name}.txt`), `${names.join('\n')}\n`);
  return `
mode: dns-only
dataDir: ${dir}/data
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:${upstreamPort}"], blocking: { answer: blockpage, address: ${BLOCK_ADDRESS}, ttl: 1 } }
lists:
  - { name: illegal, format: domains, category: illegal, source: ${dir}/illegal.txt }
  - { name: adult, format: domains, category: adult, source: ${dir}/adult.txt }
  - { name: gambling, format: domains, category: gambling, source: ${dir}/gambling.txt }
locked: [illegal]
groups:
  - { name: pupils, match: { subnets: ["${PUPIL}/31"] }, block: [illegal, adult, gambling], safeSearch: strict }
  - { name: staff, default: true, block: [illegal] }
admin: { listen: ["127.0.0.1:0"], tls: auto, blockPage: ["127.0.0.1:0"] }
`;
}

const listening = (d: RunningDaemon) => d.logs.find((l) => l.msg === 'admin listening') as { admin: string[]; blockPage: string[] };
const dnsPort = (d: RunningDaemon) => {
  const line = d.logs.find((l) => l.msg === 'dns listening (UDP and TCP)') as { listen?: string[] } | undefined;
  return line?.listen?.[0]?.split(':').pop();
};

function dig(port: string, from: string, name: string): string {
  const r = spawnSync('dig', ['+short', '+tries=1', '+time=2', '-b', from, '-p', port, '@127.0.0.1', name, 'A'], { encoding: 'utf8', timeout: 8000 });
  return r.stdout.trim();
}

function readEvents(base: string, ca: string, cookie: string, until: RegExp, act: () => Promise<unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = request(new URL('/api/v1/events', base), { ca, headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      let acted = false;
      res.on('data', (c: string) => {
        text += c;
        if (!acted && text.includes('event: stats')) {
          acted = true;
          void act();
        }
        if (until.test(text)) {
          req.destroy();
          resolve(text);
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no ${until} in: ${text.slice(0, 2000)}`));
    }, 15_000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
    req.end();
  });
}

t.test('the API in the running daemon', async (t) => {
  const d = tempDir('sg-api-daemon-');
  t.teardown(d.cleanup);
  const upstream = await startUpstream({ 'casino.example': '192.0.2.80', 'web.example': '192.0.2.81', 'adult.example': '192.0.2.82', 'forcesafesearch.google.com': '192.0.2.83' });
  t.teardown(() => upstream.stop());
  const yaml = config(d.dir, upstream.port);
  let daemon = await startDaemon({ config: yaml });
  t.teardown(() => daemon.stop('SIGKILL'));
  const { admin, blockPage } = listening(daemon);
  t.equal(admin.length, 1, `admin on ${admin}`);
  const ca = readFileSync(join(d.dir, 'data', 'tls', 'admin.crt'), 'utf8');
  const base = `https://${admin[0]}`;
  const tess = new HttpsAgent(base, ca);

  await t.test('first run: TLS with the generated certificate, the setup code from the log, Secure cookies', async (t) => {
    const setupLine = daemon.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('setup needed'));
    const code = /setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(String(setupLine?.msg))?.[1];
    t.ok(code, 'the one-time code is in the log');
    t.match(daemon.logs.find((l) => l.msg === 'admin TLS certificate'), { source: 'generated' });
    const s = await tess.get('/api/v1/session');
    t.match(s.json(), { setupNeeded: true, authenticated: false });
    t.match(String(s.headers['set-cookie']), /sg_csrf=.*; HttpOnly; Secure; SameSite=Strict/);
    t.match(String(s.headers['strict-transport-security']), /max-age=/);
    tess.csrf = s.json<{ csrfToken: string }>().csrfToken;
    const status = await tess.get('/api/v1/status');
    t.equal(status.status, 401);
    const made = await tess.post('/api/v1/setup', { code, username: 'tess', password: 'a long technician password' });
    t.equal(made.status, 201, made.body);
    t.match(String(made.headers['set-cookie']), /sg_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Strict/);
    tess.csrf = made.json<{ csrfToken: string }>().csrfToken;
    const again = await tess.post('/api/v1/setup', { code, username: 'eve', password: 'another long password' });
    t.equal(again.status, 409, 'the code is used up');
    const st = (await tess.get('/api/v1/status')).json<{ setupNeeded: boolean; version: string; dns?: unknown; notes: string[]; listeners: { admin: { listening: boolean; tls: boolean }[] } }>();
    t.match(st, { setupNeeded: false, version: /^\d+\.\d+\.\d+/, listeners: { admin: [{ listening: true, tls: true }] } });
    if (!st.dns) t.match(st.notes.join(' '), /DNS stage is not running/, 'a missing DNS stage is said in words');
  });

  await t.test('/metrics: Prometheus text that promtool accepts', async (t) => {
    const m = await tess.get('/metrics');
    t.equal(m.status, 200);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: m.body, encoding: 'utf8' });
    t.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    t.match(m.body, /schoolgate_incidents_open/);
    const rss = /^schoolgate_process_memory_bytes\{kind="rss"\} (\d+)$/m.exec(m.body);
    t.ok(rss && Number(rss[1]) > 20e6 && Number(rss[1]) < 1e9, `the daemon's resident memory: ${rss?.[1]}`);
    t.match(m.body, /^schoolgate_process_memory_bytes\{kind="heap_used"\} \d+$/m);
  });

  await t.test('the event stream: hello, stats, and a change as it happens', async (t) => {
    const cookie = `sg_session=${tess.cookies.get('sg_session')}`;
    const text = await readEvents(base, ca, cookie, /event: overrides\ndata: \{"active":1/, () => tess.post('/api/v1/overrides', { domain: 'web.example', group: 'staff', minutes: 5, reason: 'to see it on the dashboard' }));
    t.match(text, /^retry: 3000\n\nevent: hello\ndata: \{"serverTime":"[^"]+","role":"technician"/);
    t.match(text, /event: stats\ndata: \{"at":/);
    const bad = await new HttpsAgent(base, ca).get('/api/v1/events');
    t.equal(bad.status, 401, 'no stream without a session');
  });

  await t.test('real sockets: no path leaves the UI folder; hostile Host headers are escaped on the block page', async (t) => {
    for (const path of ['/../../../../etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/package.json', '/../package.json']) {
      const r = spawnSync('curl', ['-s', '--path-as-is', '--cacert', join(d.dir, 'data', 'tls', 'admin.crt'), '-o', '-', '-w', '\n%{http_code}', `${base}${path}`], { encoding: 'utf8', timeout: 8000 });
      t.notMatch(r.stdout, /root:x:0:0|"name": "schoolgate"/, `${path}: ${r.stdout.split('\n').pop()}`);
    }
    t.equal(blockPage.length, 1);
    const r = spawnSync('curl', ['-s', '-H', 'Host: <script>alert(1)</script>.example', `http://${blockPage[0]}/`], { encoding: 'utf8', timeout: 8000 });
    t.match(r.stdout, /&lt;script&gt;alert\(1\)&lt;\/script&gt;\.example/);
    t.notMatch(r.stdout, /<script>/);
    const blocked = spawnSync('curl', ['-s', '--interface', PUPIL, '-H', 'Host: casino.example', `http://${blockPage[0]}/`], { encoding: 'utf8', timeout: 8000 });
    t.match(blocked.stdout, /<strong>casino\.example<\/strong> is blocked/);
    t.match(blocked.stdout, /<dd>pupils<\/dd>/, 'judged for the pupil who asked');
  });

  await t.test('issue 5: a locked category override is refused with 403 and audited', async (t) => {
    const r = await tess.post('/api/v1/overrides', { domain: 'csam.example', school: true, minutes: 10, reason: 'an attempt on a locked category' });
    t.equal(r.status, 403);
    t.equal(r.json().code, 'SG_LOCKED_CATEGORY');
    const audit = (await tess.get('/api/v1/audit?action=override.refused')).json<{ items: { actor: { name: string }; target: string }[] }>();
    t.match(audit.items[0], { actor: { name: 'tess' }, target: 'csam.example' });
  });

  const st = (await tess.get('/api/v1/status')).json<{ dns?: unknown }>();
  const port = dnsPort(daemon);
  t.ok(st.dns, 'GET /api/v1/status has the DNS counters');
  if (!port) throw new Error('the daemon logged no DNS port');

  await t.test('issue 5: "filtering off" cannot start with one user', async (t) => {
    const r = await tess.post('/api/v1/overrides', { all: true, client: PUPIL, minutes: 20, reason: 'one person tries to switch filtering off' });
    t.equal(r.status, 201);
    const o = r.json<{ id: string; status: string }>();
    t.equal(o.status, 'pending-approval');
    t.equal((await tess.post(`/api/v1/overrides/${o.id}/approve`, { reason: 'by myself' })).status, 403, 'the one technician cannot approve it');
    const look = (await tess.get(`/api/v1/lookup?domain=adult.example&client=${PUPIL}`)).json<{ decisions: { decision: { action: string } }[] }>();
    t.equal(look.decisions[0].decision.action, 'block', 'the decision is unchanged');
    t.equal(dig(port, PUPIL, 'adult.example'), BLOCK_ADDRESS, 'and so is the DNS answer');
    await tess.call('DELETE', `/api/v1/overrides/${o.id}?reason=tidy`);
  });

  await t.test('issue 5: an API override changes the very next DNS answer, for the scoped client only, and reverts at expiry', async (t) => {
    t.equal(dig(port, PUPIL, 'casino.example'), BLOCK_ADDRESS, 'blocked before');
    t.equal(dig(port, PUPIL2, 'casino.example'), BLOCK_ADDRESS);
    const r = await tess.post('/api/v1/overrides', { domain: 'casino.example', client: PUPIL, minutes: 0.1, reason: 'six seconds for the acceptance test' });
    t.equal(r.status, 201, r.body);
    const expiresAt = Date.parse(r.json<{ expiresAt: string }>().expiresAt);
    t.equal(dig(port, PUPIL, 'casino.example'), '192.0.2.80', 'the very next answer for the scoped pupil is the real one');
    t.equal(dig(port, PUPIL2, 'casino.example'), BLOCK_ADDRESS, 'the other pupil is still blocked');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 300));
    t.equal(dig(port, PUPIL, 'casino.example'), BLOCK_ADDRESS, 'blocked again at expiry, no restart');
  });

  await t.test('the filtering self-test resolves through the real DNS path, per group, and is kept', async (t) => {
    const openBefore = (await tess.get('/api/v1/status')).json<{ incidents: { open: number } }>().incidents.open;
    const r = await tess.post('/api/v1/self-test');
    t.equal(r.status, 201, r.body.slice(0, 500));
    const run = r.json<{ id: string; passed: number; failed: number; lines: { group: string; check: string; category?: string; name: string; result: string; got: string }[] }>();
    const line = (group: string, name: string) => run.lines.find((l) => l.group === group && l.name === name);
    t.match(line('pupils', 'casino.example'), { check: 'category', category: 'gambling', result: 'pass' }, 'a listed name per blocked category');
    t.match(line('pupils', 'adult.example'), { category: 'adult', result: 'pass' });
    t.match(line('staff', 'csam.example'), { category: 'illegal', result: 'pass' });
    t.match(line('staff', 'use-application-dns.net'), { check: 'canary', result: 'pass', got: /NXDOMAIN/ });
    t.match(line('pupils', '_dns.resolver.arpa'), { check: 'canary', result: 'pass' });
    t.match(line('pupils', 'www.google.com'), { check: 'safe-search', result: 'pass', got: /CNAME forcesafesearch\.google\.com/ }, 'safe search for the group that has it');
    t.notOk(line('staff', 'www.google.com'), 'and not for a group without it');
    t.equal(run.failed, 0, run.lines.filter((l) => l.result === 'fail').map((l) => `${l.group} ${l.name}: ${l.got}`).join('; '));
    const listed = (await tess.get('/api/v1/self-test')).json<{ items: { id: string }[] }>();
    t.equal(listed.items[0].id, run.id, 'kept for the annual review');
    const csv = await tess.get(`/api/v1/self-test/${run.id}/report.csv`);
    t.match(csv.body, /pupils,category,gambling,casino\.example,A,blocked,"NOERROR, 192\.0\.2\.99[^"]*",pass/);
    const audit = (await tess.get('/api/v1/audit?action=selftest')).json<{ items: { details: { passed: number } }[] }>();
    t.equal(audit.items[0].details.passed, run.passed, 'and audited');
    await new Promise((resolve) => setTimeout(resolve, 2500)); // one query-log flush interval
    t.equal((await tess.get('/api/v1/status')).json<{ incidents: { open: number } }>().incidents.open, openBefore, 'probes of locked categories open no incident');
    t.same((await tess.get('/api/v1/querylog?client=192.0.2.1')).json<{ items: unknown[] }>().items, [], 'nor fill the query log');
  });

  await t.test('lists: sizes, and "update now" recompiles and swaps the index', async (t) => {
    writeFileSync(join(d.dir, 'gambling.txt'), 'casino.example\nbingo.example\n');
    // A compile in a child process: slow on a busy machine.
    const r = await tess.call('POST', '/api/v1/lists/update?wait=true', {}, {}, 90_000);
    t.equal(r.status, 200, r.body);
    t.match(r.json(), { started: true, ok: true, changes: [{ category: 'gambling', before: 1, after: 2 }] });
    const lists = (await tess.get('/api/v1/lists')).json<{ lists: { name: string; categories: { count: number }[] }[]; updating: boolean }>();
    t.equal(lists.lists.find((l) => l.name === 'gambling')?.categories[0].count, 2);
    const look = (await tess.get(`/api/v1/lookup?domain=bingo.example&client=${PUPIL}`)).json<{ decisions: { decision: { action: string } }[] }>();
    t.equal(look.decisions[0].decision.action, 'block', 'the new name is blocked at once');
    t.equal((await tess.post('/api/v1/lists/update')).status, 202, 'without wait: 202 at once');
  });

  await t.test('a restart keeps the certificate and the session', async (t) => {
    const fingerprint = (daemon.logs.find((l) => l.msg === 'admin TLS certificate') as { fingerprint: string }).fingerprint;
    t.equal(await daemon.stop('SIGTERM'), 0);
    daemon = await startDaemon({ config: yaml });
    const again = daemon.logs.find((l) => l.msg === 'admin TLS certificate');
    t.match(again, { source: 'reused', fingerprint }, 'the same certificate');
    t.notOk(daemon.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('setup needed')), 'no setup code once an account exists');
    const moved = new HttpsAgent(`https://${listening(daemon).admin[0]}`, ca);
    moved.cookies.set('sg_session', tess.cookies.get('sg_session') ?? '');
    const s = await moved.get('/api/v1/session');
    t.match(s.json(), { authenticated: true, user: 'tess' }, 'still signed in after the restart');
  });
});
