// The daemon's stages in start order (after the built-in list updater, recorder and control
// socket). Each entry says why it sits where it does.
import type { StageFactory } from './daemon/index.js';
import { createSyslogStage } from './syslog/index.js';
import { createFirewallStage } from './firewall/index.js';
import { createTrafficStage } from './traffic/index.js';
import { createHealthStage } from './health/index.js';
import { createDnsStage } from './dns/index.js';
import { createApiStage } from './api/index.js';
import { createServiceManagerStage } from './systemd/index.js';

export const DAEMON_STAGES: readonly StageFactory[] = [
  // Health and LEDs first: the LED self-test runs while the rest starts, and the LEDs say
  // "starting" until the health model has its first facts. Stopped last, so they go dark last.
  createHealthStage,
  // Export listens to audit/incident/query events: it starts before anything that emits them.
  createSyslogStage,
  // DNS before the firewall: interception redirects LAN DNS to dns.listen, which must answer by then.
  (ctx) => (ctx.services.dns = createDnsStage(ctx)),
  // Firewall after DNS: interception redirects LAN DNS to dns.listen, so DNS must be listening first.
  (ctx) => (ctx.services.firewall = createFirewallStage(ctx)),
  // Traffic after the firewall: a blocked server name becomes an element of the firewall's
  // flow-block set, which exists once the firewall has applied its table. Gateway mode only.
  (ctx) => {
    const c = ctx.state.current.config;
    return c.mode === 'gateway' && c.traffic.enabled ? (ctx.services.traffic = createTrafficStage(ctx)) : [];
  },
  // The API after the data path: it reports what the stages above offer (ctx.services), and its
  // listeners open once the daemon filters.
  createApiStage,
  // systemd last: READY=1 waits for the daemon's "ready", and watchdog pings need DNS answering.
  createServiceManagerStage,
];
