// The alert and filter LEDs with the real daemon in this process (store, lists, incident and
// override services, every stage of src/stages.ts) and the file backend: an incident on a locked
// category lights the alert LED until the safeguarding lead acknowledges it; an override and
// "filtering off" show on the filter LED. ctx.services.health.leds() (what GET /status reports),
// the leds:changed events and the file always agree.
//
// The blocked query is emitted as the DNS stage emits it (test/health/incident-lab.test.ts asks
// it for real); the incident, the override and the approval go through the real services.
import t from 'tap';
import { isDeepStrictEqual } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../src/config-file/index.js';
import { Daemon } from '../../src/daemon/index.js';
import type { DaemonContext, LedStates } from '../../src/daemon/index.js';
import { readCategoryCatalog } from '../../src/lists/index.js';
import { DAEMON_STAGES } from '../../src/stages.js';
import type { Actor } from '../../src/audit/index.js';
import { tempDir } from '../helpers/daemon.js';
import { until } from '../lab/exec.js';

const TECH: Actor = { name: 'tech', kind: 'user', role: 'technician' };
const DSL: Actor = { name: 'dsl', kind: 'user', role: 'safeguarding' };

t.test('alert and filter LEDs follow incidents and overrides', async (t) => {
  const d = tempDir('sg-health-');
  t.teardown(d.cleanup);
  writeFileSync(join(d.dir, 'locked.txt'), 'csam.test\n');
  writeFileSync(join(d.dir, 'games.txt'), 'games.test\n');
  const ledsFile = join(d.dir, 'run', 'leds.json');
  const yaml = `
mode: dns-only
dataDir: ${d.dir}/data
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"] }
lists:
  - { name: locked, format: domains, category: illegal-test, source: ${d.dir}/locked.txt }
  - { name: games, format: domains, category: games, source: ${d.dir}/games.txt }
locked: [illegal-test]
groups:
  - { name: pupils, match: { subnets: ["10.10.1.0/24"] }, block: [illegal-test, games] }
  - { name: guests, default: true, block: [illegal-test] }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
leds: { backend: file, path: ${ledsFile}, selfTest: false }
`;
  const parsed = await parseConfig(yaml, join(d.dir, 'schoolgate.yaml'), d.dir, (c) => readCategoryCatalog(c.dataDir, c.lists));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>); } });
  const daemon = new Daemon(parsed.loaded, log, DAEMON_STAGES);
  const started = await daemon.start();
  if (!started.ok || !daemon.ctx) throw new Error(started.ok ? 'no context' : started.error);
  t.teardown(() => daemon.stop());
  const ctx: DaemonContext = daemon.ctx;
  const health = ctx.services.health;
  if (!health) throw new Error('the health stage did not set ctx.services.health');
  const events: LedStates[] = [];
  ctx.events.on('leds:changed', (s) => events.push(s));

  const file = (): LedStates => JSON.parse(readFileSync(ledsFile, 'utf8')) as LedStates;
  // Every check: the file, leds(), the last event and the last log line are one and the same.
  const shows = async (what: Partial<Record<keyof LedStates, string>>, timeoutMs = 5000) => {
    const ok = await until(() => {
      try {
        const f = file();
        // The file is written after leds() changes (atomically, with an fsync): wait until it caught up.
        return isDeepStrictEqual(f, health.leds()) && Object.entries(what).every(([led, p]) => f[led as keyof LedStates].pattern === p);
      } catch {
        return false;
      }
    }, timeoutMs, 50);
    t.ok(ok, `shows ${JSON.stringify(what)} (file: ${JSON.stringify(file())})`);
    t.same(file(), health.leds(), 'the file backend shows what leds() reports');
    t.same(events.at(-1) ?? health.leds(), health.leds(), 'the last leds:changed event is leds()');
    const logged = lines.filter((l) => l.msg === 'LEDs changed').at(-1);
    t.same(logged?.leds, health.leds(), 'the last log line says the same');
  };

  await t.test('at rest: filtering, nothing to attend to', async () => {
    await shows({ filter: 'on', alert: 'off', power: 'slow-blink' });
    t.match(health.leds().power.why, /no admin account/);
  });

  let incidentId = '';
  await t.test('an attempt on a locked category lights the alert LED', async (t) => {
    ctx.events.emit('query', {
      time: ctx.clock.now(), client: '10.10.1.10', group: 'pupils', name: 'csam.test', type: 'A',
      action: 'block', reason: 'locked', category: 'illegal-test', rcode: 'NXDOMAIN', latency: 1, cached: false,
    });
    await shows({ alert: 'fast-blink' });
    t.equal(health.leds().alert.why, '1 unacknowledged incident');
    const [incident] = await ctx.core.incidents.list({ status: 'open' });
    t.match(incident, { type: 'locked', category: 'illegal-test', client: '10.10.1.10' });
    incidentId = incident.id;
    const snap = health.snapshot() as { incidentsOpen: number; conditions: { id: string }[] };
    t.equal(snap.incidentsOpen, 1);
    t.ok(snap.conditions.some((c) => c.id === 'incident-open'), 'the dashboard\'s facts say why');
  });

  await t.test('it stays lit until acknowledged', async (t) => {
    await new Promise((r) => setTimeout(r, 2500));
    t.equal(file().alert.pattern, 'fast-blink', 'still lit 2.5 s later (several re-evaluations)');
    t.match(await ctx.core.incidents.acknowledge(incidentId, DSL, 'x', 'y'), { ok: false, code: 'SG_BAD_INPUT' }, 'an acknowledgement without action and outcome is refused');
    t.equal(file().alert.pattern, 'fast-blink', 'and the LED stays');
    t.match(await ctx.core.incidents.acknowledge(incidentId, DSL, 'spoke with the pupil', 'device checked, parents informed'), { ok: true });
    await shows({ alert: 'off' });
    t.equal(health.leds().alert.why, 'nothing needs attention');
  });

  let overrideId = '';
  await t.test('an active override shows on the filter LED', async (t) => {
    const r = await ctx.core.overrides.create({ domain: 'games.test', group: 'pupils', minutes: 30, reason: 'lesson on game design' }, TECH);
    if (!r.ok) throw new Error(r.message);
    overrideId = r.value.id;
    await shows({ filter: 'slow-blink' });
    t.equal(health.leds().filter.why, '1 override in force (games.test for group pupils)');
  });

  await t.test('filtering off shows its own pattern, once approved', async (t) => {
    const r = await ctx.core.overrides.create({ all: true, group: 'pupils', minutes: 20, reason: 'exam revision on open web' }, TECH);
    if (!r.ok) throw new Error(r.message);
    await new Promise((res) => setTimeout(res, 1500));
    t.equal(file().filter.pattern, 'slow-blink', 'waiting for the second person: not off yet');
    const ok = await ctx.core.overrides.approve(r.value.id, DSL, 'agreed with head of year');
    t.match(ok, { ok: true });
    await shows({ filter: 'fast-blink' });
    t.equal(health.leds().filter.why, 'filtering off for group pupils');
    await ctx.core.overrides.revoke(r.value.id, TECH, 'session over');
    await shows({ filter: 'slow-blink' });
    await ctx.core.overrides.revoke(overrideId, TECH, 'lesson over');
    await shows({ filter: 'on' });
  });

  await t.test('a stop leaves the file saying so', async (t) => {
    await daemon.stop();
    t.same(file().power, { pattern: 'off', why: 'schoolgate is not running' });
  });
});
