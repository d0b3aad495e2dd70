// Turns events into records: every query into the batched query log and the live stats, blocked
// attempts and bypasses into incidents; prunes the log past its retention once a day.
import { parseDuration } from '../schema/index.js';
import type { DaemonContext, Stage } from './daemon.js';
import type { BypassEvent, QueryEvent } from './events.js';
import { detectorRules } from './core-services.js';
import type { CoreServices } from './core-services.js';

const DAY_MS = 86_400_000;

export function createRecorder(ctx: DaemonContext, core: CoreServices): Stage {
  const log = ctx.log.child({ stage: 'recorder' });
  const timers: NodeJS.Timeout[] = [];
  const config = () => ctx.state.current.config;

  const onQuery = (e: QueryEvent) => {
    // The identity is cached per client: this is a map read, not a lookup of the tables.
    const who = ctx.identity.identify(e.client);
    const hostname = who.hostname ?? core.devices.hostnameOf(e.mac, e.client);
    core.queryLog.add(hostname || who.user ? { ...e, hostname, user: who.user } : e);
    core.stats.add(e);
    if (e.action !== 'block') return;
    const trigger = core.detector.onBlocked({ client: e.client, domain: e.name, category: e.category, reason: e.reason }, e.time);
    if (trigger) {
      core.incidents.record(trigger, { mac: e.mac, hostname, user: who.user, group: e.group }).catch((err: Error) => log.error({ err: err.message }, 'incident not recorded'));
    }
  };
  const onBypass = (e: BypassEvent) => {
    const who = ctx.identity.identify(e.client);
    core.incidents
      .record({ type: 'bypass', client: e.client, category: e.category, domain: e.detail, count: 1 }, { mac: e.mac ?? who.mac, hostname: who.hostname, user: who.user, group: who.group.name, detail: e.kind })
      .catch((err: Error) => log.error({ err: err.message }, 'bypass incident not recorded'));
  };

  const onReload = () => core.detector.setRules(detectorRules(config()));

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
      timers.push(setInterval(prune, DAY_MS));
      ctx.metrics.register('schoolgate_querylog_written_total', 'Query events written to the store', 'counter', () => core.queryLog.written);
      ctx.metrics.register('schoolgate_querylog_dropped_total', 'Query events dropped because the write buffer was full', 'counter', () => core.queryLog.dropped);
      ctx.metrics.register('schoolgate_incidents_open', 'Unacknowledged incidents', 'gauge', () => core.incidents.openCount);
    },
    async stop() {
      ctx.events.off('query', onQuery);
      ctx.events.off('bypass-attempt', onBypass);
      ctx.events.off('config:reloaded', onReload);
      for (const t of timers) clearInterval(t);
      await flush();
    },
  };
}
