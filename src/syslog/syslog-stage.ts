// Fleet export: incidents, audit entries and (optionally pseudonymised) query events to the
// trust's syslog collector, as RFC 5424 with structured data a SIEM can index.
import { createHmac, randomBytes } from 'node:crypto';
import type { DaemonContext, QueryEvent, Stage } from '../daemon/index.js';
import type { AuditEntry } from '../audit/index.js';
import type { Incident } from '../incidents/index.js';
import { parseHostPort } from '../schema/index.js';
import { SyslogSender } from './syslog-sender.js';

const SD_ID = 'schoolgate@32473';

export function createSyslogStage(ctx: DaemonContext): Stage {
  const cfg = ctx.state.current.config.syslog;
  const log = ctx.log.child({ stage: 'syslog' });
  let sender: SyslogSender | undefined;
  let salt = '';
  const pseudo = (v: string | undefined) => (v ? createHmac('sha256', salt).update(v).digest('hex').slice(0, 12) : '');
  const facility = cfg.facility;

  const onIncident = (i: Incident, isNew: boolean) => {
    if (!isNew) return;
    sender?.send({
      facility, severity: i.type === 'bypass' ? 5 : 4, time: i.lastAt, msgid: 'incident',
      structured: { [SD_ID]: { id: i.id, type: i.type, client: i.client, group: i.group, category: i.category ?? '', user: i.user ?? '', count: String(i.count) } },
      text: `incident ${i.type}: ${i.client} (${i.group}) ${i.category ?? i.detail ?? ''} ${i.domains.join(' ')}`,
    });
  };
  const onAudit = (e: AuditEntry) => sender?.send({
    facility, severity: 5, time: e.time, msgid: 'audit',
    structured: { [SD_ID]: { seq: String(e.seq), actor: e.actor.name, role: e.actor.role ?? e.actor.kind, action: e.action, target: e.target ?? '', hash: e.hash } },
    text: `${e.actor.name} ${e.action}${e.target ? ` ${e.target}` : ''}${e.reason ? `: ${e.reason}` : ''}`,
  });
  const onQuery = (q: QueryEvent) => {
    const full = cfg.queries === 'full';
    const client = full ? q.client : pseudo(q.client);
    sender?.send({
      facility, severity: 6, time: new Date(q.time).toISOString(), msgid: 'query',
      structured: { [SD_ID]: { client, group: q.group, name: q.name, type: q.type, action: q.action, reason: q.reason, category: q.category ?? '', rcode: q.rcode } },
      text: `${client} ${q.group} ${q.name} ${q.type} ${q.action}${q.category ? ` ${q.category}` : ''}`,
    });
  };

  return {
    name: 'syslog',
    async start() {
      if (!cfg.target) return;
      const target = parseHostPort(cfg.target, cfg.transport === 'tls' ? 6514 : 514);
      if (!target) return;
      let warned = 0;
      sender = new SyslogSender({
        ...target, transport: cfg.transport, ca: cfg.ca, serverName: cfg.serverName,
        onError: (message) => {
          if (Date.now() - warned > 60_000) log.warn({ err: message, target: cfg.target }, 'syslog collector unreachable; messages queue');
          warned = Date.now();
        },
      });
      salt = ((await ctx.store.settings.get('syslog.salt')) as string | undefined) ?? '';
      if (!salt) {
        salt = randomBytes(16).toString('hex');
        await ctx.store.settings.put('syslog.salt', salt);
      }
      if (cfg.incidents) ctx.events.on('incident', onIncident);
      if (cfg.audit) ctx.events.on('audit', onAudit);
      if (cfg.queries !== 'off') ctx.events.on('query', onQuery);
      ctx.metrics.register('schoolgate_syslog_sent_total', 'Messages handed to the syslog collector', 'counter', () => sender?.sent ?? 0);
      ctx.metrics.register('schoolgate_syslog_dropped_total', 'Messages dropped while the collector was away', 'counter', () => sender?.dropped ?? 0);
      log.info({ target: cfg.target, transport: cfg.transport, queries: cfg.queries }, 'syslog export on');
    },
    async stop() {
      ctx.events.off('incident', onIncident);
      ctx.events.off('audit', onAudit);
      ctx.events.off('query', onQuery);
      sender?.stop();
    },
  };
}
