// The block page on port 80, any Host: says what was blocked, for which group and why; escapes
// what it reflects (hostile names and Host headers); its form asks for access, and a reload
// shows the answer. Portal devices are sent to the portal first.
import t from 'tap';
import type { Test } from 'tap';
import { createHash } from 'node:crypto';
import { buildBlockApp, pageCsp } from '../../src/api/block-app.js';
import { apiFixture, json } from './fixture.js';

async function blockApp(t: Test, extra = '') {
  const f = await apiFixture(t, { extra, directory: { macOf: (ip) => (ip === '10.10.9.5' ? 'aa:aa:aa:aa:aa:05' : undefined), hostnameOf: () => undefined, generation: 0 } });
  const app = await buildBlockApp(f.deps);
  t.teardown(() => app.close());
  const get = (host: string, ip = '10.10.1.20', url = '/') => app.inject({ url, headers: { host }, remoteAddress: ip });
  return { f, app, get };
}

t.test('names the blocked domain, its category, the group and why; a strict CSP', async (t) => {
  const { get } = await blockApp(t);
  const r = await get('casino.example');
  t.equal(r.statusCode, 403);
  t.match(r.headers['content-type'], /text\/html/);
  t.match(r.body, /<strong>casino\.example<\/strong> is blocked/);
  t.match(r.body, /<dt>Category<\/dt><dd>gambling<\/dd>/);
  t.match(r.body, /<dt>Your group<\/dt><dd>pupils<\/dd>/);
  t.match(r.body, /<dt>Why<\/dt><dd>blocked for this group \(category gambling\)<\/dd>/, 'the decision\'s own reason text');
  t.match(r.body, /<form method="post" action="\/requests">/);
  t.notMatch(r.body, /<script|src=|href="http/, 'no script, no external asset');
  const csp = String(r.headers['content-security-policy']);
  const style = /<style>([\s\S]*?)<\/style>/.exec(r.body)?.[1] ?? '';
  t.equal(csp, `default-src 'none'; style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`);
  t.equal(r.headers['cache-control'], 'no-store');
  t.equal(r.headers['x-frame-options'], 'DENY');
  t.ok(Buffer.byteLength(r.body) < 8192, `small: ${Buffer.byteLength(r.body)} bytes`);

  const locked = await get('www.csam.example:80');
  t.match(locked.body, /This category is locked under the school's e-safety policy/);
  t.notMatch(locked.body, /<form/, 'no request form for a locked category');
  const staff = await get('casino.example', '10.10.2.20');
  t.equal(staff.statusCode, 200, 'not blocked for staff');
  t.match(staff.body, /is not blocked for you now/);
});

t.test('hostile names and Host headers are escaped', async (t) => {
  const { app, get } = await blockApp(t);
  const hostile = ['<script>alert(1)</script>.example', '"><img src=x onerror=alert(1)>', "x'onmouseover='alert(1)", 'a&b<c>d'];
  for (const host of hostile) {
    const r = await get(host);
    t.notMatch(r.body, /<script>alert|<img src=x|onmouseover='/, `escaped: ${host}`);
    t.match(r.body, /&lt;|&quot;|&#39;|&amp;/, 'as entities');
  }
  const r = await get('<script>alert(1)</script>.example');
  t.match(r.body, /<code>&lt;script&gt;alert\(1\)&lt;\/script&gt;\.example<\/code>/, 'shown, escaped, as what was asked for');
  const form = await app.inject({ method: 'POST', url: '/requests', headers: { host: 'casino.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: `domain=${encodeURIComponent('<script>alert(1)</script>.example')}&reason=${encodeURIComponent('<b>bold</b> reason')}`, remoteAddress: '10.10.1.20' });
  t.equal(form.statusCode, 400);
  t.notMatch(form.body, /<script>alert/);
  t.match(form.body, /role="alert">that is not a domain name/);
});

t.test('the form sends an access request from this device; a reload shows its status', async (t) => {
  const { f, app, get } = await blockApp(t);
  const post = await app.inject({ method: 'POST', url: '/requests', headers: { host: 'casino.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'domain=casino.example&name=Sam&reason=statistics+homework', remoteAddress: '10.10.1.20' });
  t.equal(post.statusCode, 303);
  t.equal(post.headers.location, '/', 'back to the blocked name');
  const pending = await get('casino.example');
  t.match(pending.body, /Your request was sent \(2026-11-23 10:00 UTC\)/);
  t.notMatch(pending.body, /<form/);
  t.notMatch((await get('casino.example', '10.10.1.21')).body, /Your request was sent/, 'another device does not see it');
  const [request] = await f.core.requests.list();
  t.match(request, { domain: 'casino.example', client: '10.10.1.20', group: 'pupils', name: 'Sam' });
  const tess = await f.as('technician');
  t.equal((await tess.post(`/api/v1/requests/${request.id}/approve`, { minutes: 30, scope: 'device' })).statusCode, 200);
  const approved = await get('casino.example');
  t.equal(approved.statusCode, 200, 'the override applies to this device now');
  t.match(approved.body, /is not blocked for you now/);
  t.equal((await get('casino.example', '10.10.1.21')).statusCode, 403, 'still blocked for the next pupil (device scope)');

  const other = json<{ id: string }>(await app.inject({ method: 'POST', url: '/api/v1/requests', headers: { host: 'adult.example', accept: 'application/json' }, payload: { domain: 'adult.example', reason: 'biology lesson' }, remoteAddress: '10.10.1.20' }));
  await tess.post(`/api/v1/requests/${other.id}/decline`, { reason: 'use the textbook' });
  t.match((await get('adult.example')).body, /declined: use the textbook/);
});

t.test('the portal and report pages live on the same server; portal devices go there first', async (t) => {
  const { get } = await blockApp(t, 'portal: { groups: [guests] }');
  const guest = await get('captive.apple.com', '10.10.9.5', '/hotspot-detect.html');
  t.equal(guest.statusCode, 302);
  t.equal(guest.headers.location, 'http://10.10.0.1/portal');
  const page = await get('10.10.0.1', '10.10.9.5', '/portal');
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-security-policy'], /style-src 'sha256-/);
  t.equal((await get('10.10.0.1', '10.10.1.20', '/report')).statusCode, 200, 'report a site');
  const ip = await get('10.10.0.1', '10.10.1.20', '/');
  t.match(ip.body, /This page is blocked/, 'an address as Host: no name to explain');
});

t.test('pageCsp hashes every inline style', async (t) => {
  t.equal(pageCsp('<p>no style</p>'), "default-src 'none'; style-src 'none'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  t.match(pageCsp('<style>a{}</style><style>b{}</style>'), /style-src 'sha256-[^']+' 'sha256-[^']+';/);
});
