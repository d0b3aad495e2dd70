// The queue and the records: access requests and site reports (anonymous, rate-limited, then
// approved or declined), incidents acknowledged with action and outcome, the audit chain (verify,
// CSV), visitor codes, the device register import, lists, bandwidth, the weekly and governors'
// reports (JSON and CSV), and the self-test's refusal without a DNS stage.
import t from 'tap';
import { Value } from '@sinclair/typebox/value';
import { GovernorsReport, WeeklyReport } from '../../src/api/index.js';
import { apiFixture, json } from './fixture.js';

t.test('access requests and site reports: anonymous, rate-limited, then decided', async (t) => {
  const f = await apiFixture(t);
  const tess = await f.as('technician', { name: 'tess' });
  const pupil = f.agent('10.10.1.31');
  const r = await pupil.post('/api/v1/requests', { domain: 'Casino.Example.', reason: 'statistics coursework', name: 'Sam' });
  t.equal(r.statusCode, 201, r.body);
  const id = json<{ id: string }>(r).id;
  t.match(json(await pupil.get('/api/v1/requests/mine?domain=casino.example')), { found: true, status: 'open' });
  t.equal((await pupil.post('/api/v1/requests', { domain: 'not a domain', reason: 'x'.repeat(10) })).statusCode, 400);
  const list = json<{ items: { id: string; type: string; client: string; group: string }[] }>(await tess.get('/api/v1/requests?status=open'));
  t.match(list.items[0], { id, type: 'access', client: '10.10.1.31', group: 'pupils' });
  const approved = await tess.post(`/api/v1/requests/${id}/approve`, { minutes: 50, scope: 'device', note: 'for this lesson' });
  t.equal(approved.statusCode, 200, approved.body);
  const overrideId = json<{ overrideId: string }>(approved).overrideId;
  t.ok(f.core.overrides.get(overrideId), 'an override with the request\'s reason');
  t.match(f.core.overrides.get(overrideId)?.reason, /statistics coursework/);
  t.match(json(await pupil.get('/api/v1/requests/mine?domain=casino.example')), { status: 'approved', expiresAt: String });
  t.equal((await tess.post(`/api/v1/requests/${id}/decline`, { reason: 'too late' })).statusCode, 409, 'decided once');

  const second = json<{ id: string }>(await pupil.post('/api/v1/requests', { domain: 'arcade.example', reason: 'I like games' })).id;
  t.equal((await tess.post(`/api/v1/requests/${second}/decline`, { reason: 'not for lessons' })).statusCode, 200);
  t.match(json(await pupil.get('/api/v1/requests/mine?domain=arcade.example')), { status: 'declined', decision: 'not for lessons' });

  const report = await f.agent('10.10.1.32').post('/api/v1/reports', { domain: 'nasty.example', reason: 'shows violent videos', category: 'violence' });
  t.equal(report.statusCode, 201, report.body);
  const reportId = json<{ id: string }>(report).id;
  const queue = json<{ items: { id: string; type: string }[] }>(await tess.get('/api/v1/requests?type=report'));
  t.same(queue.items.map((i) => i.id), [reportId], 'reports join the queue as their own type');
  const added = await tess.post(`/api/v1/requests/${reportId}/approve`, {});
  t.equal(added.statusCode, 200, added.body);
  const look = json<{ decisions: { decision: { action: string; category: string } }[] }>(await tess.get('/api/v1/lookup?domain=nasty.example&client=10.10.1.32'));
  t.match(look.decisions[0].decision, { action: 'block', category: 'school-deny' }, 'on the deny list for the next query');

  let limited = 0;
  const flood = f.agent('10.10.1.33');
  for (let i = 0; i < 12; i++) if ((await flood.post('/api/v1/reports', { domain: `spam${i}.example`, reason: 'spam spam spam' })).statusCode === 429) limited++;
  t.equal(limited, 2, 'a device sends at most 10 reports and requests an hour');
  const burst = f.agent('10.10.1.34');
  const codes = [];
  for (let i = 0; i < 32; i++) codes.push((await burst.post('/api/v1/requests', { domain: 'x', reason: 'bad request body' })).statusCode);
  t.equal(codes.filter((c) => c === 429).length, 2, 'and at most 30 calls a minute, good or bad');
});

t.test('incidents, audit chain, visitors, device register, lists, bandwidth', async (t) => {
  const f = await apiFixture(t);
  const tess = await f.as('technician', { name: 'tess' });
  const dina = await f.as('safeguarding', { name: 'dina' });
  const viewer = await f.as('viewer');
  const inc = await f.core.incidents.record({ type: 'locked', client: '10.10.1.40', category: 'illegal', domain: 'csam.example', count: 1 }, { group: 'pupils', user: 'sam.p' });
  t.equal(json(await dina.get('/api/v1/incidents?status=open')).open, 1);
  t.equal((await dina.post(`/api/v1/incidents/${inc.id}/acknowledge`, { action: 'x', outcome: 'y' })).statusCode, 400, 'action and outcome are required');
  const ack = await dina.post(`/api/v1/incidents/${inc.id}/acknowledge`, { action: 'spoke with the pupil and parents', outcome: 'no further concern; logged with the DSL' });
  t.equal(ack.statusCode, 200, ack.body);
  t.match(json(ack), { status: 'acknowledged', ack: { by: 'dina', action: /spoke/, outcome: /no further/ } });
  t.equal((await viewer.post(`/api/v1/incidents/${inc.id}/acknowledge`, { action: 'viewer tries', outcome: 'refused' })).statusCode, 403);

  const verify = json<{ ok: boolean; entries: number }>(await viewer.get('/api/v1/audit/verify'));
  t.match(verify, { ok: true });
  t.ok(verify.entries > 3);
  const page1 = json<{ items: { seq: number }[]; next?: number }>(await tess.get('/api/v1/audit?limit=2'));
  t.equal(page1.items.length, 2);
  const page2 = json<{ items: { seq: number }[] }>(await tess.get(`/api/v1/audit?limit=2&before=${page1.next}`));
  t.ok(page2.items[0].seq < page1.items[1].seq, 'paging goes older');
  const csv = await dina.get('/api/v1/audit/export.csv');
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /text\/csv/);
  t.match(csv.headers['content-disposition'], /attachment; filename="schoolgate-audit-\d{4}-\d{2}-\d{2}\.csv"/);
  t.match(csv.body, /^seq,time,actor/);
  t.match(csv.body, /incident\.acknowledge/);

  const code = await tess.post('/api/v1/visitor-codes', { hours: 8, devices: 2, note: 'supply teacher' });
  t.equal(code.statusCode, 201, code.body);
  t.match(json(code), { code: /^[A-Z0-9]{8}$/, expiresAt: new Date(f.clock.now + 8 * 3600_000).toISOString() });
  t.equal((await tess.post('/api/v1/visitor-codes', { hours: 1, minutes: 5 })).statusCode, 400);
  const visitors = json<{ log: { event: string; issuer: string }[] }>(await dina.get('/api/v1/visitors'));
  t.match(visitors.log[0], { event: 'code.issued', issuer: 'tess' });
  t.equal((await tess.delete(`/api/v1/visitor-codes/${json<{ code: string }>(code).code}`)).statusCode, 200);

  const bad = await tess.post('/api/v1/devices/import', { csv: 'mac,user,group\naa:bb:cc:dd:ee:01,sam.p,pupils\nnot-a-mac,jo,pupils\n', from: 'mis-export.csv' });
  t.equal(bad.statusCode, 400);
  t.match(json(bad), { message: /nothing imported: mis-export\.csv:3: /, errors: [{ path: 'mis-export.csv:3' }] });
  t.same(json(await tess.get('/api/v1/devices')).items, [], 'a bad line changes nothing');
  const good = await tess.request('POST', '/api/v1/devices/import', { body: 'mac,user,group,class\naa:bb:cc:dd:ee:01,sam.p,pupils,7B\n', headers: { 'content-type': 'text/csv' } });
  t.equal(good.statusCode, 200, good.body);
  t.same(json(good), { ok: true, added: 1, changed: 0, removed: 0, devices: 1 });
  t.match(json(await dina.get('/api/v1/devices')).items, [{ mac: 'aa:bb:cc:dd:ee:01', user: 'sam.p', class: '7B' }]);
  const rows = Array.from({ length: 40_000 }, (_, i) => `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')},pupil${i},pupils`);
  const big = await tess.post('/api/v1/devices/import', { csv: `mac,user,group\n${rows.join('\n')}\n`, from: 'whole-school.csv' });
  t.equal(big.statusCode, 200, `a whole school's register (${Math.round((rows.join('').length) / 1024)} kB) in one upload`);
  t.match(json(big), { devices: 40_000 });

  const lists = json<{ lists: { name: string; categories: { name: string; count: number }[] }[]; index: { domains: number } }>(await viewer.get('/api/v1/lists'));
  t.match(lists.lists.find((l) => l.name === 'adult'), { categories: [{ name: 'adult', count: 2 }] });
  t.equal((await tess.post('/api/v1/lists/update')).statusCode, 503, 'no list updater in this fixture: said so');
  const bw = json(await viewer.get('/api/v1/bandwidth'));
  t.match(bw, { available: false, note: /gateway mode only/, items: [] });
  t.equal((await tess.post('/api/v1/bandwidth/10.10.1.40/reset', {})).statusCode, 409);
  t.equal(json(await tess.post('/api/v1/self-test')).code, 'SG_UNAVAILABLE', 'no DNS stage: the self-test says so');
});

t.test('the weekly safeguarding report and the anonymised governors\' report', async (t) => {
  const f = await apiFixture(t);
  const dina = await f.as('safeguarding', { name: 'dina' });
  const governor = await f.as('viewer', { name: 'governor' });
  const tess = await f.as('technician', { name: 'tess' });
  const monday = Date.parse('2026-11-16T09:00:00Z');
  for (let i = 0; i < 30; i++) {
    f.core.queryLog.add({ time: monday + i * 60_000, client: '10.10.1.50', mac: 'aa:bb:cc:dd:ee:50', user: 'sam.p', group: 'pupils', name: i % 3 ? 'web.example' : 'porn.example', type: 'A', action: i % 3 ? 'allow' : 'block', reason: i % 3 ? 'default' : 'group-block', category: i % 3 ? undefined : 'adult', rcode: 'NOERROR', latency: 1, cached: false });
  }
  f.core.queryLog.add({ time: monday + 86_400_000, client: '10.10.2.9', group: 'staff', name: 'casino.example', type: 'A', action: 'allow', reason: 'default', rcode: 'NOERROR', latency: 1, cached: false });
  await f.core.queryLog.flush();
  f.clock.now = Date.parse('2026-11-12T10:00:00Z');
  await f.core.incidents.record({ type: 'burst', client: '10.10.1.50', category: 'adult', domain: 'porn.example', count: 6 }, { group: 'pupils', user: 'sam.p', mac: 'aa:bb:cc:dd:ee:50' });
  f.clock.now = monday + 2 * 86_400_000;
  await tess.post('/api/v1/overrides', { domain: 'casino.example', group: 'pupils', minutes: 30, reason: 'probability lesson in maths' });
  await f.agent('10.10.1.50').post('/api/v1/reports', { domain: 'nasty.example', reason: 'should be blocked', category: 'violence' });
  f.clock.now = Date.parse('2026-11-23T10:00:00Z');

  const weekly = await dina.get('/api/v1/reports/weekly?from=2026-11-16&to=2026-11-22');
  t.equal(weekly.statusCode, 200, weekly.body);
  const w = json<WeeklyReport>(weekly);
  t.same([...Value.Errors(WeeklyReport, w)].map((e) => e.path), []);
  t.match(w, { totals: { queries: 31, blocked: 10 }, blockedByCategory: [{ name: 'adult', count: 10 }], blockedByGroup: [{ name: 'pupils', count: 10 }] });
  t.match(w.topBlockedDevices[0], { device: 'aa:bb:cc:dd:ee:50', user: 'sam.p', count: 10 });
  t.equal(w.incidents.items.length, 0, 'the incident before the period is not in it');
  t.match(w.overrides, { created: 1 });
  t.match(w.requests.reportedSites, [{ domain: 'nasty.example', category: 'violence', status: 'open' }]);
  t.equal(w.coverage.daysWithLog, 2);
  const cached = json<WeeklyReport>(await dina.get('/api/v1/reports/weekly?from=2026-11-16&to=2026-11-22'));
  t.equal(cached.coverage.rowsScanned, 0, 'finished days are counted once and kept');
  t.same(cached.totals, w.totals);
  const prior = json<WeeklyReport>(await dina.get('/api/v1/reports/weekly?from=2026-11-09&to=2026-11-15'));
  t.equal(prior.incidents.items.length, 1, 'the week the incident happened');

  const gov = await governor.get('/api/v1/reports/governors?from=2026-11-09&to=2026-11-22');
  t.equal(gov.statusCode, 200, gov.body);
  const g = json<GovernorsReport>(gov);
  t.same([...Value.Errors(GovernorsReport, g)].map((e) => e.path), []);
  t.match(g, { totals: { queries: 31, blocked: 10 }, incidents: { total: 1, byType: [{ type: 'locked', total: 0 }, { type: 'burst', total: 1, open: 1 }] }, queriesByGroup: [{ name: 'pupils', count: 30 }, { name: 'staff', count: 1 }] });
  t.notMatch(gov.body, /10\.10\.|aa:bb|sam\.p|nasty|casino/, 'no addresses, devices, users or domains');
  const govCsv = await governor.get('/api/v1/reports/governors.csv?from=2026-11-09&to=2026-11-22');
  t.equal(govCsv.statusCode, 200);
  t.match(govCsv.body, /blocked by category\r\nname,count\r\nadult,10/);
  t.notMatch(govCsv.body, /10\.10\.|aa:bb|sam\.p/);
  t.equal((await governor.get('/api/v1/reports/weekly')).statusCode, 403, 'the weekly report names pupils: not for viewers');
  const wcsv = await dina.get('/api/v1/reports/weekly.csv?from=2026-11-16&to=2026-11-22');
  t.match(wcsv.body, /devices with most blocked queries\r\ndevice,user,group,blocked\r\naa:bb:cc:dd:ee:50,sam\.p,pupils,10/);
  t.equal((await dina.get('/api/v1/reports/weekly?from=2026-11-22&to=2026-11-16')).statusCode, 400);
});
