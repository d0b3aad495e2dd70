// The daemon's stages in start order (after the built-in list updater, recorder and control
// socket). Each entry says why it sits where it does.
import type { StageFactory } from './daemon/index.js';
import { createSyslogStage } from './syslog/index.js';
import { createFirewallStage } from './firewall/index.js';
import { createDnsStage } from './dns/index.js';
import { createServiceManagerStage } from './systemd/index.js';

export const DAEMON_STAGES: readonly StageFactory[] = [
  // Export listens to audit/incident/query events: it starts before anything that emits them.
  createSyslogStage,
  // DNS before the firewall: interception redirects LAN DNS to dns.listen, which must answer by then.
  (ctx) => (ctx.services.dns = createDnsStage(ctx)),
  // Firewall last: interception redirects LAN DNS to dns.listen, so DNS must be listening first.
  (ctx) => (ctx.services.firewall = createFirewallStage(ctx)),
  // systemd last: READY=1 waits for the daemon's "ready", and watchdog pings need DNS answering.
  createServiceManagerStage,
];
