import t from 'tap';
import type { Test } from 'tap';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { IdentityService } from '../../src/identity/index.js';
import { registerPortalRoutes, portalRedirectHook } from '../../src/portal/index.js';
import { originProblem } from '../../src/api/security.js';
import type { DaemonContext } from '../../src/daemon/index.js';
import { coreFixture } from '../fixtures/core.js';

async function app(t: Test) {
  const f = await coreFixture(t, `
dns: { blocking: { answer: blockpage, address: 10.10.0.1 } }
portal: { groups: [guests], staffGroup: staff, school: "St <Mary's>" }
groups:
  - { name: staff, match: { subnets: ["10.10.2.0/24"] } }
  - { name: guests, default: true }
`);
  const identity = new IdentityService(() => f.state.current, { macOf: (ip) => (ip === '10.10.9.5' ? 'aa:aa:aa:aa:aa:01' : undefined), hostnameOf: () => undefined, generation: 0 }, () => f.clock.now);
  const ctx = { state: f.state, identity, core: f.core, clock: { now: () => f.clock.now } } as unknown as DaemonContext;
  const server = Fastify();
  await server.register(formbody);
  server.addHook('onRequest', portalRedirectHook(ctx));
  registerPortalRoutes(server, ctx, originProblem);
  server.get('/', async () => 'block page');
  t.teardown(() => server.close());
  return { server, f };
}

t.test('a device that must sign in is sent to the portal, signs in with a code, is released', async (t) => {
  const { server, f } = await app(t);
  const guest = { remoteAddress: '10.10.9.5' };
  const probe = await server.inject({ url: '/hotspot-detect.html', headers: { host: 'captive.apple.com' }, ...guest });
  t.equal(probe.statusCode, 302, 'an OS probe gets the redirect');
  t.equal(probe.headers.location, 'http://10.10.0.1/portal');
  const api = await server.inject({ url: '/captive-portal/api', ...guest });
  t.equal(api.headers['content-type'], 'application/captive+json');
  t.same(JSON.parse(api.body), { captive: true, 'user-portal-url': 'http://10.10.0.1/portal' });
  const page = await server.inject({ url: '/portal', ...guest });
  t.match(page.body, /Welcome to St &lt;Mary&#39;s&gt;/, 'the school name is escaped');
  t.match(page.body, /Staff sign-in/);

  const bad = await server.inject({ method: 'POST', url: '/portal/login', payload: 'code=NOPE', headers: { 'content-type': 'application/x-www-form-urlencoded' }, ...guest });
  t.equal(bad.statusCode, 303);
  t.match(decodeURIComponent(String(bad.headers.location)), /error=that code is not valid/);

  const issued = await f.core.visitors.issue({ hours: 1, note: 'supply teacher' }, { name: 'office', kind: 'user', role: 'technician' });
  if (!issued.ok) throw new Error(issued.message);
  const ok = await server.inject({ method: 'POST', url: '/portal/login', payload: { code: issued.value.code }, headers: { accept: 'application/json' }, ...guest });
  t.equal(ok.statusCode, 200, ok.body);
  t.match(JSON.parse(ok.body), { ok: true, user: /supply teacher/ });
  const after = await server.inject({ url: '/captive-portal/api', ...guest });
  t.match(JSON.parse(after.body), { captive: false, 'seconds-remaining': 3600 });
  t.equal((await server.inject({ url: '/', ...guest })).body, 'block page', 'no longer redirected');
  f.clock.now += 3_600_000;
  t.equal((await server.inject({ url: '/', ...guest })).statusCode, 302, 'back to the portal at expiry');
});

t.test('staff sign-in, and devices outside portal groups are never redirected', async (t) => {
  const { server, f } = await app(t);
  t.equal((await server.inject({ url: '/', remoteAddress: '10.10.2.7' })).body, 'block page');
  await f.core.users.add('mr-smith', 'viewer', 'a very long password', { name: 'root', kind: 'cli' });
  const r = await server.inject({ method: 'POST', url: '/portal/login', payload: { username: 'mr-smith', password: 'a very long password' }, headers: { accept: 'application/json' }, remoteAddress: '10.10.9.5' });
  t.match(JSON.parse(r.body), { ok: true, user: 'mr-smith' });
  t.equal(f.state.current.bindings.get('aa:aa:aa:aa:aa:01')?.group, 'staff');
});

t.test('report a site: a page for every group, rate-limited per device', async (t) => {
  const { server } = await app(t);
  const page = await server.inject({ url: '/report?domain=%3Cscript%3E', remoteAddress: '10.10.2.7' });
  t.match(page.body, /value="&lt;script&gt;"/, 'reflected value escaped');
  let created = 0;
  let limited = 0;
  for (let i = 0; i < 12; i++) {
    const r = await server.inject({ method: 'POST', url: '/report', payload: { domain: `bad${i}.example`, reason: 'violent videos', category: 'other' }, headers: { accept: 'application/json' }, remoteAddress: '10.10.2.7' });
    if (r.statusCode === 201) created++;
    if (r.statusCode === 429) limited++;
  }
  t.equal(created, 10);
  t.equal(limited, 2);
});

t.test('another site cannot post to the portal through a browser; the portal itself can', async (t) => {
  const { server, f } = await app(t);
  const issued = await f.core.visitors.issue({ hours: 1, note: 'csrf' }, { name: 'office', kind: 'user', role: 'technician' });
  if (!issued.ok) throw new Error(issued.message);
  const form = { 'content-type': 'application/x-www-form-urlencoded', host: '10.10.0.1' };
  const post = (url: string, payload: string, headers: Record<string, string>) => server.inject({ method: 'POST', url, payload, headers: { ...form, ...headers }, remoteAddress: '10.10.9.5' });
  const crossSite: Record<string, string>[] = [{ origin: 'http://evil.example' }, { referer: 'http://evil.example/page' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }];
  for (const h of crossSite) {
    const login = await post('/portal/login', `code=${issued.value.code}`, h);
    t.equal(login.statusCode, 403, `login refused with ${JSON.stringify(h)}`);
    t.match(login.body, /refused/);
    const report = await post('/report', 'domain=bad.example&reason=x', h);
    t.equal(report.statusCode, 403, `report refused with ${JSON.stringify(h)}`);
  }
  const api = await server.inject({ url: '/captive-portal/api', remoteAddress: '10.10.9.5' });
  t.match(JSON.parse(api.body), { captive: true }, 'the refused posts signed nobody in');
  const own = await post('/portal/login', `code=${issued.value.code}`, { origin: 'http://10.10.0.1', 'sec-fetch-site': 'same-origin' });
  t.equal(own.statusCode, 303, 'the portal page\'s own form works');
  t.equal(own.headers.location, '/portal');
});
