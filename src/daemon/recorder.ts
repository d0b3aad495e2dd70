// Turns events into records: every query into the batched query log and the live stats, blocked
// attempts and bypasses into incidents; prunes the log past its retention once a day.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDuration, parseSize } from '../schema/index.js';
import { addDays, instantOf, localTime } from '../policy/index.js';
import type { DaemonContext, Stage } from './daemon.js';
import type { BypassEvent, QueryEvent } from './events.js';
import { SELF_TEST_CLIENT } from './services.js';
import { detectorRules } from './core-services.js';
import type { CoreServices } from './core-services.js';

const HOUR_MS = 3_600_000;

export function createRecorder(ctx: DaemonContext, core: CoreServices): Stage {
  const log = ctx.log.child({ stage: 'recorder' });
  const timers: NodeJS.Timeout[] = [];
  const config = () => ctx.state.current.config;

  const onQuery = (e: QueryEvent) => {
    // The self-test's probes are evidence of their own (kept with each run), not pupils' queries.
    if (e.client === SELF_TEST_CLIENT) return;
    // The event carries the device as the resolver identified it (hostname, user).
    core.queryLog.add(e);
    core.stats.add(e);
    if (e.action !== 'block') return;
    const trigger = core.detector.onBlocked({ client: e.client, domain: e.name, category: e.category, reason: e.reason }, e.time);
    if (trigger) {
      core.incidents.record(trigger, { mac: e.mac, hostname: e.hostname, user: e.user, group: e.group }).catch((err: Error) => log.error({ err: err.message }, 'incident not recorded'));
    }
  };
  const onBypass = (e: BypassEvent) => {
    const who = ctx.identity.identify(e.client);
    core.incidents
      .record({ type: 'bypass', client: e.client, category: e.category, domain: e.detail, count: 1 }, { mac: e.mac ?? who.mac, hostname: who.hostname, user: who.user, group: who.group.name, detail: e.kind })
      .catch((err: Error) => log.error({ err: err.message }, 'bypass incident not recorded'));
  };

  const onReload = () => core.detector.setRules(detectorRules(config()));

  // Over the size cap: drop the oldest tenth of the query log until under it (bounded), and say so.
  const enforceCap = async () => {
    const cap = parseSize(config().queryLog.maxStore) ?? 2e9;
    for (let round = 0; round < 5; round++) {
      const size = await dirSize(ctx.store.location);
      if (size <= cap) return;
      const removed = await core.queryLog.evictOldest(0.1);
      log.warn({ size, cap, removed }, 'store over its size cap: oldest query log entries removed');
      ctx.events.emit('store:full', { size, cap });
      if (removed === 0) return;
    }
  };
  // Off-hours housekeeping at 03:00 local: prune, compact (LevelDB rewrites files once, at night,
  // instead of during the school day on the SD card), check the cap.
  const nightly = async () => {
    prune();
    await ctx.store.db.compactRange('', '\uffff').catch((err: Error) => log.warn({ err: err.message }, 'compaction failed'));
    await enforceCap();
  };
  const scheduleNightly = () => {
    const zone = ctx.state.current.policy.timezone;
    const now = ctx.clock.now();
    const today = localTime(zone, now).date;
    let at = instantOf(zone, today, 3 * 3600);
    if (at <= now) at = instantOf(zone, addDays(today, 1), 3 * 3600);
    const timer = setTimeout(() => {
      void nightly().finally(scheduleNightly);
    }, Math.min(at - now, 2 ** 31 - 1));
    timers.push(timer);
  };

  const flush = () => core.queryLog.flush().catch((err: Error) => log.error({ err: err.message }, 'query log write failed'));
  const prune = () => {
    const retention = (parseDuration(config().queryLog.retention) ?? 30 * 86400) * 1000;
    core.queryLog.prune(ctx.clock.now() - retention).catch((err: Error) => log.error({ err: err.message }, 'query log prune failed'));
  };

  return {
    name: 'recorder',
    async start() {
      ctx.events.on('query', onQuery);
      ctx.events.on('bypass-attempt', onBypass);
      ctx.events.on('config:reloaded', onReload);
      const every = (parseDuration(config().queryLog.flushInterval) ?? 2) * 1000;
      timers.push(setInterval(() => void flush(), every));
      prune();
      scheduleNightly();
      timers.push(setInterval(() => void enforceCap(), HOUR_MS));
      ctx.metrics.register('schoolgate_querylog_written_total', 'Query events written to the store', 'counter', () => core.queryLog.written);
      ctx.metrics.register('schoolgate_querylog_dropped_total', 'Query events dropped because the write buffer was full', 'counter', () => core.queryLog.dropped);
      ctx.metrics.register('schoolgate_incidents_open', 'Unacknowledged incidents', 'gauge', () => core.incidents.openCount);
    },
    async stop() {
      ctx.events.off('query', onQuery);
      ctx.events.off('bypass-attempt', onBypass);
      ctx.events.off('config:reloaded', onReload);
      for (const t of timers) clearTimeout(t);
      await flush();
    },
  };
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isFile()) total += s.size;
  }
  return total;
}
