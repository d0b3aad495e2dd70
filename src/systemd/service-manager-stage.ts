// systemd integration for systemd/schoolgate.service (Type=notify, WatchdogSec=):
// READY=1 once the daemon is ready, then WATCHDOG=1 every half period — but only after a DNS
// self-query on the first dns.listen address was answered. A daemon that is alive but no
// longer answers DNS therefore misses its pings and systemd restarts it (Restart=always).
// Outside systemd ($NOTIFY_SOCKET unset) the stage does nothing.
import type { DaemonContext, Stage } from '../daemon/index.js';
import { createNotifier, field, notifyEnv } from './sd-notify.js';
import type { Notifier, NotifyEnv } from './sd-notify.js';
import { selfQuery, selfQueryTarget } from './dns-self-query.js';
import type { SelfQueryTarget } from './dns-self-query.js';

export interface ServiceManagerOptions {
  env?: NotifyEnv;
  notifier?: Notifier;
}

export function createServiceManagerStage(ctx: DaemonContext, opts: ServiceManagerOptions = {}): Stage {
  const log = ctx.log.child({ stage: 'systemd' });
  const env = opts.env ?? notifyEnv(process.env, process.pid);
  const notifier = opts.notifier ?? createNotifier(env, process.pid);
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  let failing = false;
  let failures = 0;
  let pings = 0;
  let stopped = false;

  const send = async (fields: string[]) => {
    if (stopped && !fields.includes('STOPPING=1')) return false;
    const r = await notifier.send(fields);
    if (!r.ok) log.error({ err: r.message, fields }, 'service manager notification failed');
    return r.ok;
  };

  const check = async (target: SelfQueryTarget, timeoutMs: number) => {
    if (checking) return; // the previous self-query is still waiting: never stack them up
    checking = true;
    try {
      const r = await selfQuery(target, timeoutMs);
      if (r.ok) {
        if (failing) log.info({ rcode: r.rcode, ms: Math.round(r.ms) }, 'DNS self-query answered again; watchdog pings resume');
        if (await send(failing ? ['WATCHDOG=1', field('STATUS', 'serving DNS')] : ['WATCHDOG=1'])) pings++;
        failing = false;
        return;
      }
      failures++;
      // Log the first failure of a run (and then every tenth) so a dying daemon explains itself
      // in the journal before systemd's watchdog kills it, without flooding it.
      if (!failing || failures % 10 === 0) log.warn({ err: r.message, failures }, 'DNS self-query failed: watchdog ping withheld');
      if (!failing) await send([field('STATUS', `DNS self-query failing: ${r.message}`)]);
      failing = true;
    } finally {
      checking = false;
    }
  };

  const startWatchdog = () => {
    if (env.watchdogUsec === undefined) return;
    const periodMs = Math.max(Math.floor(env.watchdogUsec / 2000), 100);
    const listen = ctx.state.current.config.dns.listen[0];
    const target = selfQueryTarget(listen);
    if ('error' in target) {
      log.error({ err: target.error }, 'watchdog cannot ask our own DNS: no WATCHDOG=1 will be sent and systemd will restart the daemon');
      return;
    }
    // The answer must come well inside one period, so a slow answer still counts before the next tick.
    const timeoutMs = Math.min(Math.floor(periodMs / 2), 2000);
    log.info({ periodMs, target: `${target.host}:${target.port}` }, 'watchdog: pinging after each answered DNS self-query');
    void check(target, timeoutMs);
    timer = setInterval(() => void check(target, timeoutMs), periodMs);
  };

  const onReady = () => {
    void send(['READY=1', field('STATUS', `ready: DNS on ${ctx.state.current.config.dns.listen.join(', ')}`)]).then(startWatchdog);
  };

  return {
    name: 'systemd',
    async start() {
      if (!notifier.enabled) return;
      ctx.events.once('ready', onReady);
      ctx.metrics.register('schoolgate_watchdog_pings_total', 'WATCHDOG=1 notifications sent (each after an answered DNS self-query)', 'counter', () => pings);
      ctx.metrics.register('schoolgate_watchdog_selfquery_failures_total', 'DNS self-queries of the watchdog that got no good answer', 'counter', () => failures);
    },
    async stop() {
      stopped = true;
      ctx.events.off('ready', onReady);
      clearInterval(timer);
      timer = undefined;
      if (notifier.enabled) await send(['STOPPING=1', field('STATUS', 'stopping')]);
    },
  };
}
