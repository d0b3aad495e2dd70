// Walks the whole route table: every route needs its login, every role gets exactly its routes,
// every change needs the CSRF token and the same origin, every body is validated, and every JSON
// answer fits its schema — for the viewer with no address, MAC or user in it.
import t from 'tap';
import { Value } from '@sinclair/typebox/value';
import { API_PREFIX, ROUTES, ROLE_NAMES } from '../../src/api/index.js';
import type { RouteName, RouteSpec } from '../../src/api/index.js';
import { FlowInspector } from '../../src/traffic/index.js';
import { apiFixture, json } from './fixture.js';
import type { Agent, ApiFixture } from './fixture.js';

const entries = Object.entries(ROUTES) as [RouteName, RouteSpec][];
const urlOf = (spec: RouteSpec) => (spec.root ? spec.url : `${API_PREFIX}${spec.url}`).replace(/:code/g, 'ABCDEFGH').replace(/:[a-z]+/g, 'x1');
const changes = (spec: RouteSpec) => spec.method !== 'GET';
const call = (a: Agent, spec: RouteSpec, opts: { body?: unknown; headers?: Record<string, string>; csrf?: boolean } = {}) =>
  a.request(spec.method, urlOf(spec), { body: changes(spec) ? opts.body ?? {} : undefined, headers: opts.headers, csrf: opts.csrf });

async function seed(f: ApiFixture, tech: Agent) {
  const o = await tech.post('/api/v1/overrides', { domain: 'casino.example', client: '10.10.1.23', minutes: 30, reason: 'maths lesson on probability' });
  if (o.statusCode !== 201) throw new Error(o.body);
  await f.agent('10.10.1.24').post('/api/v1/requests', { domain: 'arcade.example', reason: 'computing homework', name: 'Alice Pupil' });
  for (let i = 0; i < 5; i++) {
    f.core.queryLog.add({ time: f.clock.now - i * 1000, client: '10.10.1.25', mac: 'aa:bb:cc:dd:ee:25', user: 'alice.p', group: 'pupils', name: 'porn.example', type: 'A', action: 'block', reason: 'group-block', category: 'adult', rcode: 'NOERROR', latency: 0.2, cached: false });
  }
  await f.core.queryLog.flush();
  // the traffic view (gateway mode with traffic.enabled): one flow seen on the wire
  const inspector = new FlowInspector({ state: () => f.state.current, identify: (ip) => f.ctx.identity.identify(ip) });
  inspector.table.add({ time: f.clock.now, client: '10.10.1.25', mac: 'aa:bb:cc:dd:ee:25', user: 'alice.p', group: 'pupils', server: 'porn.example', proto: 'tls', dst: '203.0.113.9', dport: 443, action: 'block', reason: 'sni', category: 'adult', bytes: 5120 });
  f.ctx.services.traffic = { recentFlows: (q) => inspector.table.recentFlows(q), topTalkers: (n) => inspector.table.topTalkers(n), byteCounters: () => ({ available: true }) };
  await f.core.incidents.record({ type: 'burst', client: '10.10.1.25', category: 'adult', domain: 'porn.example', count: 5 }, { mac: 'aa:bb:cc:dd:ee:25', user: 'alice.p', group: 'pupils' });
}

t.test('the route table', async (t) => {
  const f = await apiFixture(t);
  const agents = {
    technician: await f.as('technician', { name: 'tess' }),
    safeguarding: await f.as('safeguarding', { name: 'dina' }),
    viewer: await f.as('viewer', { name: 'gov' }),
  };
  await seed(f, agents.technician);
  const anonymous = f.agent('10.10.2.99');
  await anonymous.start();

  await t.test('every non-public route refuses an anonymous caller with 401', async (t) => {
    for (const [name, spec] of entries.filter(([, s]) => s.access !== 'public')) {
      const r = await call(anonymous, spec);
      t.equal(r.statusCode, 401, `${name} ${spec.method} ${spec.url}`);
      t.equal(json(r).code, 'SG_UNAUTHENTICATED');
    }
  });

  await t.test('each role gets 403 on every route not granted to it', async (t) => {
    for (const role of ROLE_NAMES) {
      for (const [name, spec] of entries.filter(([, s]) => s.access !== 'public' && !s.access.includes(role))) {
        const r = await call(agents[role], spec);
        t.equal(r.statusCode, 403, `${role}: ${name}`);
        t.equal(json(r).code, 'SG_FORBIDDEN');
      }
    }
    const viewerWrites = entries.filter(([, s]) => changes(s) && s.access !== 'public' && s.access.includes('viewer')).map(([n]) => n);
    t.same(viewerWrites.sort(), ['logout', 'setPassword'], 'a viewer changes nothing but their own session and password');
  });

  await t.test('a change without the CSRF token, or from another origin, is refused', async (t) => {
    const tech = agents.technician;
    for (const [name, spec] of entries.filter(([, s]) => changes(s) && s.csrf !== 'none')) {
      const who = agents[spec.access === 'public' ? 'technician' : spec.access[0]];
      const missing = await call(who, spec, { csrf: false });
      t.equal(json(missing).code, 'SG_CSRF', `${name}: no token`);
      const foreign = await call(who, spec, { headers: { origin: 'http://evil.example' } });
      t.equal(json(foreign).code, 'SG_CSRF', `${name}: foreign Origin`);
      const crossSite = await call(who, spec, { headers: { 'sec-fetch-site': 'cross-site' } });
      t.equal(json(crossSite).code, 'SG_CSRF', `${name}: Sec-Fetch-Site cross-site`);
    }
    const forged = await tech.request('POST', '/api/v1/overrides', { body: { domain: 'casino.example', group: 'pupils', minutes: 5, reason: 'forged by another page' }, headers: { 'x-csrf-token': 'A'.repeat(43) } });
    t.equal(forged.statusCode, 403, 'a wrong token is refused');
    const same = await tech.request('POST', '/api/v1/overrides', { body: { domain: 'casino.example', group: 'pupils', minutes: 5, reason: 'from the UI itself, same origin' }, headers: { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' } });
    t.equal(same.statusCode, 201, 'the same origin with the token is fine');
  });

  await t.test('bodies are validated against the table\'s schemas', async (t) => {
    const bad = { unexpected: 1 };
    let checked = 0;
    for (const [name, spec] of entries.filter(([, s]) => s.body)) {
      if (spec.body && Value.Check(spec.body, bad)) continue; // a loose body (a config object): the config service validates it
      const role = spec.access === 'public' ? 'technician' : spec.access[0];
      const r = await call(agents[role], spec, { body: bad });
      t.equal(r.statusCode, 400, `${name}: ${r.body.slice(0, 200)}`);
      t.match(json(r), { code: 'SG_BAD_INPUT', errors: [{ path: String, message: String }] });
      checked++;
    }
    t.ok(checked >= 20, `${checked} bodies checked`);
    const wrongType = await agents.technician.post('/api/v1/overrides', { domain: 'casino.example', group: 'pupils', minutes: 'soon', reason: 'a typed value is wrong here' });
    t.equal(wrongType.statusCode, 400);
    const notJson = await agents.technician.request('POST', '/api/v1/overrides', { body: '{"domain": ', headers: { 'content-type': 'application/json' } });
    t.equal(notJson.statusCode, 400, 'broken JSON');
    const huge = await agents.technician.post('/api/v1/overrides', { domain: 'x'.repeat(2_000_000), group: 'pupils', minutes: 5, reason: 'too big' });
    t.equal(huge.statusCode, 413);
  });

  await t.test('every JSON GET answers within its schema; the viewer\'s answers carry no address, MAC or user', async (t) => {
    const gets = entries.filter(([n, s]) => s.method === 'GET' && s.response && n !== 'myRequest' && n !== 'lookup');
    for (const role of ROLE_NAMES) {
      for (const [name, spec] of gets.filter(([, s]) => s.access === 'public' || s.access.includes(role))) {
        const r = await call(agents[role], spec);
        if (urlOf(spec).includes('x1') && r.statusCode === 404) continue;
        t.equal(r.statusCode, 200, `${role} ${name}: ${r.body.slice(0, 200)}`);
        const body = json(r);
        const errors = spec.response ? [...Value.Errors(spec.response, body)].slice(0, 3).map((e) => `${e.path}: ${e.message}`) : [];
        t.same(errors, [], `${role} ${name} fits its schema`);
        if (role === 'viewer') {
          t.notMatch(r.body, /10\.10\.1\.\d+|aa:bb:cc:dd:ee|alice|Alice/i, `viewer ${name}: anonymised`);
        }
      }
    }
    t.match(json(await agents.viewer.get('/api/v1/session')), { user: 'gov', role: 'viewer' }, 'a viewer\'s own session keeps the name');
    const tech = json<{ items: { client: string }[] }>(await agents.technician.get('/api/v1/querylog'));
    t.equal(tech.items[0].client, '10.10.1.25', 'the technician sees the device');
    const viewer = json<{ items: { client: string }[] }>(await agents.viewer.get('/api/v1/querylog'));
    t.match(viewer.items[0].client, /^device-[0-9a-f]{8}$/, 'the viewer sees a pseudonym');
    t.equal(new Set(viewer.items.map((i) => i.client)).size, 1, 'the same device, the same pseudonym');
    t.equal((await agents.viewer.get('/api/v1/querylog?client=10.10.1.25')).statusCode, 403, 'a viewer cannot search by device');
    const lookup = await agents.viewer.get('/api/v1/lookup?domain=casino.example&client=10.10.1.23');
    t.equal(lookup.statusCode, 200);
    t.notMatch(lookup.body, /10\.10\.1\.23/);
  });

  await t.test('metrics: Prometheus text, open without metrics.token', async (t) => {
    const r = await anonymous.get('/metrics');
    t.equal(r.statusCode, 200);
    t.match(r.headers['content-type'], /text\/plain; version=0\.0\.4/);
  });
});
