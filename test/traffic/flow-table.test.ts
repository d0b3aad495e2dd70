// The traffic view's table: newest flows first within a bounded ring, repeats folded, top
// talkers bounded to the most recent devices.
import t from 'tap';
import { FlowTable } from '../../src/traffic/flow-table.js';
import type { FlowRecord } from '../../src/daemon/index.js';

const flow = (client: string, time: number, server = 'a.example'): FlowRecord => ({
  time, client, group: 'pupils', server, proto: 'tls', dst: '203.0.113.10', dport: 443, action: 'allow', reason: 'default',
});

t.test('recent flows: newest first, bounded, filtered by client', async (t) => {
  const table = new FlowTable({ recent: 5, devices: 100, repeatMs: 2000 });
  for (let i = 0; i < 12; i++) table.add(flow(i % 2 ? '10.0.0.2' : '10.0.0.1', i));
  t.same(table.recentFlows({ limit: 100 }).map((f) => f.time), [11, 10, 9, 8, 7], 'the last 5 only');
  t.same(table.recentFlows({ client: '10.0.0.1' }).map((f) => f.time), [10, 8]);
  t.same(table.recentFlows({ limit: 2 }).map((f) => f.time), [11, 10]);
});

t.test('repeats within repeatMs are one flow', async (t) => {
  const table = new FlowTable({ recent: 5, devices: 100, repeatMs: 2000 });
  t.ok(table.isNew('k', 0));
  t.notOk(table.isNew('k', 1999));
  t.ok(table.isNew('k', 4000));
  t.equal(table.repeats, 1);
});

t.test('top talkers: most flows first; memory bounded by devices', async (t) => {
  const table = new FlowTable({ recent: 10, devices: 100, repeatMs: 0 });
  for (let i = 0; i < 5; i++) table.add(flow('10.0.0.1', i));
  for (let i = 0; i < 3; i++) table.add(flow('10.0.0.2', i));
  table.add(flow('10.0.0.3', 0));
  t.same(table.topTalkers(2), [{ client: '10.0.0.1', flows: 5, bytes: 0 }, { client: '10.0.0.2', flows: 3, bytes: 0 }]);
  for (let i = 0; i < 10_000; i++) table.add(flow(`10.1.${i >> 8}.${i & 255}`, i));
  t.ok(table.topTalkers(1e6).length <= 100, 'at most `devices` devices kept');
  table.add(flow('10.9.9.9', 1));
  t.ok(table.topTalkers(1e6).some((d) => d.client === '10.9.9.9'), 'the newest device is there');
});
