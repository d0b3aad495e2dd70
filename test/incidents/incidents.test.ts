import t from 'tap';
import { IncidentDetector } from '../../src/incidents/index.js';
import type { QueryEvent } from '../../src/daemon/index.js';
import { createRecorder } from '../../src/daemon/recorder.js';
import { coreFixture } from '../fixtures/core.js';

t.test('detector: locked at once, bursts over the threshold within the window', async (t) => {
  const d = new IncidentDetector({ watched: new Set(['adult']), burst: 3, windowMs: 60_000 });
  const at = (s: number) => Date.parse('2026-11-23T10:00:00Z') + s * 1000;
  t.match(d.onBlocked({ client: 'a', domain: 'csam.example', category: 'illegal', reason: 'locked' }, at(0)), { type: 'locked' });
  t.equal(d.onBlocked({ client: 'a', domain: 'casino.example', category: 'gambling', reason: 'group-block' }, at(0)), undefined, 'unwatched category');
  for (let i = 0; i < 3; i++) t.equal(d.onBlocked({ client: 'a', domain: 'adult.example', category: 'adult', reason: 'group-block' }, at(i * 10)), undefined);
  t.match(d.onBlocked({ client: 'a', domain: 'porn.example', category: 'adult', reason: 'group-block' }, at(35)), { type: 'burst', count: 4 });
  for (let i = 0; i < 4; i++) t.equal(d.onBlocked({ client: 'b', domain: 'adult.example', category: 'adult', reason: 'group-block' }, at(i * 70)), undefined, 'spread out: no burst');
});

t.test('query events become incidents that raise the alert count until acknowledged', async (t) => {
  const f = await coreFixture(t);
  const ctx = { state: f.state, events: f.events, log: (await import('../../src/log.js')).silentLogger(), clock: { now: () => f.clock.now }, metrics: new (await import('../../src/daemon/index.js')).MetricsRegistry(), identity: { identify: (ip: string) => ({ ip, group: f.state.current.groups[0] }) } };
  const recorder = createRecorder(ctx as never, f.core);
  await recorder.start();
  t.teardown(() => recorder.stop());
  const open: number[] = [];
  f.events.on('incidents:open', (n) => open.push(n));
  const q = (name: string, category: string, reason = 'group-block'): QueryEvent => ({ time: f.clock.now, client: '10.10.1.5', group: 'pupils', name, type: 'A', action: 'block', reason, category, rcode: 'NOERROR', latency: 0.1, cached: false });
  f.events.emit('query', q('csam.example', 'illegal', 'locked'));
  await new Promise((r) => setTimeout(r, 50));
  t.same(open, [1], 'locked attempt: one open incident');
  f.events.emit('query', q('csam.example', 'illegal', 'locked'));
  await new Promise((r) => setTimeout(r, 50));
  const list = await f.core.incidents.list();
  t.equal(list.length, 1, 'a repeat folds into the open incident');
  t.equal(list[0].count, 2);
  for (let i = 0; i < 4; i++) f.events.emit('query', q(`x${i}.adult.example`, 'adult'));
  await new Promise((r) => setTimeout(r, 50));
  t.equal(f.core.incidents.openCount, 2, 'burst incident');
  f.events.emit('bypass-attempt', { time: f.clock.now, client: '10.10.1.5', kind: 'foreign-dns', detail: '198.51.100.53' });
  await new Promise((r) => setTimeout(r, 50));
  t.equal(f.core.incidents.openCount, 3, 'bypass incident');
  const ack = await f.core.incidents.acknowledge(list[0].id, { name: 'dina', kind: 'user', role: 'safeguarding' }, 'spoke to the pupil', 'parents informed');
  t.ok(ack.ok);
  t.equal(open[open.length - 1], 2, 'the alert count drops on acknowledgement');
  t.match(await f.core.incidents.acknowledge(list[0].id, { name: 'dina', kind: 'user' }, 'again', 'again'), { ok: false, code: 'SG_CONFLICT' });
  await recorder.stop();
  const page = await f.core.queryLog.search({ client: '10.10.1.5' });
  t.equal(page.items.length, 6, 'queries written on stop');
  t.ok((await f.core.audit.verify()).ok);
});
