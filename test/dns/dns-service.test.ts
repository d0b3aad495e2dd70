// The stage's contract with the rest of the daemon: DnsService.answer() (as the listeners would,
// or as a named group), counters(), and /metrics text that promtool accepts, histogram included.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createDnsStage } from '../../src/dns/index.js';
import { IdentityService } from '../../src/identity/index.js';
import { MetricsRegistry } from '../../src/daemon/index.js';
import type { DaemonContext, QueryEvent } from '../../src/daemon/index.js';
import { silentLogger } from '../../src/log.js';
import { coreFixture } from '../fixtures/core.js';
import { decodeAnswer, encodeQuery } from './dns-client.js';

t.test('answer(), counters() and the metrics exposition', async (t) => {
  const f = await coreFixture(t, `
timezone: Europe/London
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"], blocking: { answer: nxdomain } }
locked: [illegal]
groups:
  - { name: pupils, match: { subnets: ["10.10.1.0/24"] }, block: [illegal, adult] }
  - { name: staff, match: { subnets: ["10.10.2.0/24"] }, block: [illegal] }
  - { name: guests, default: true, block: [illegal] }
`);
  const metrics = new MetricsRegistry();
  const ctx = {
    loaded: { config: f.state.current.config, file: '<test>', baseDir: '/', text: '' }, log: silentLogger(), clock: { now: () => f.clock.now },
    store: f.store, state: f.state, events: f.events, identity: new IdentityService(() => f.state.current), metrics, core: f.core, services: {},
  } as unknown as DaemonContext;
  const stage = createDnsStage(ctx);
  await stage.start();
  t.teardown(() => stage.stop());
  const events: QueryEvent[] = [];
  f.events.on('query', (e) => events.push(e));

  const blocked = decodeAnswer(Buffer.from(await stage.answer(encodeQuery('www.adult.example', { edns: 1232 }), { ip: '10.10.1.5' })));
  t.equal(blocked.rcode, 'NXDOMAIN', 'a pupil: blocked');
  const asStaff = decodeAnswer(Buffer.from(await stage.answer(encodeQuery('www.adult.example'), { ip: '10.10.1.5', group: 'staff' })));
  t.equal(asStaff.rcode, 'SERVFAIL', 'as staff: allowed, so forwarded (and the only upstream refuses)');
  t.same(events.map((e) => [e.group, e.action, e.reason, e.category ?? '', e.rcode]), [
    ['pupils', 'block', 'group-block', 'adult', 'NXDOMAIN'],
    ['staff', 'error', 'default', '', 'SERVFAIL'],
  ], 'each query is an event for the recorder');
  t.match(stage.counters(), { queries: 2, blocked: 1, servfail: 1, upstreams: [{ address: '127.0.0.1:9', failures: 1 }] });
  t.match(stage.addresses[0], /^127\.0\.0\.1:\d+$/, 'port 0: the bound port is reported');
  const text = metrics.render();
  t.match(text, /schoolgate_dns_queries_total\{action="block"\} 1/);
  t.match(text, /schoolgate_dns_answer_duration_seconds_bucket\{path="local",le="\+Inf"\} 1/);
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
