// Immediate alerts for new incidents (DfE: high-risk alerts straight away): a webhook POST with
// the incident as JSON, and an RFC 5424 syslog line over UDP. Failures are logged, never thrown;
// sends are bounded in time and in how many can queue.
import { createSocket } from 'node:dgram';
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import { parseHostPort } from '../schema/index.js';
import type { Incident } from './incident-service.js';

const MAX_IN_FLIGHT = 20;

export interface NotifyConfig {
  webhook?: string;
  syslog?: string;
}

export function rfc5424(incident: Incident, host = hostname()): string {
  // PRI 132 = facility local0 (16) × 8 + severity warning (4).
  const sd = `[schoolgate@32473 type="${sdEscape(incident.type)}" client="${sdEscape(incident.client)}" group="${sdEscape(incident.group)}" category="${sdEscape(incident.category ?? '')}" id="${sdEscape(incident.id)}"]`;
  const msg = `incident ${incident.type}: ${incident.client} (${incident.group}) ${incident.category ?? incident.detail ?? ''} ${incident.domains.join(' ')}`.trim();
  return `<132>1 ${incident.lastAt} ${host.replace(/\s/g, '-') || '-'} schoolgate ${process.pid} incident ${sd} ${msg}`;
}

function sdEscape(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

export function createNotifier(config: () => NotifyConfig, log: Logger): (incident: Incident, isNew: boolean) => void {
  let inFlight = 0;
  return (incident, isNew) => {
    if (!isNew) return;
    const { webhook, syslog } = config();
    if (inFlight >= MAX_IN_FLIGHT) {
      log.warn({ incident: incident.id }, 'incident notifications backed up; this one is not sent');
      return;
    }
    if (webhook) {
      inFlight++;
      fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: 'schoolgate', incident }), signal: AbortSignal.timeout(5000) })
        .then((r) => {
          if (!r.ok) log.warn({ status: r.status, incident: incident.id }, 'incident webhook refused');
          return r.body?.cancel();
        })
        .catch((err: Error) => log.warn({ err: err.message, incident: incident.id }, 'incident webhook failed'))
        .finally(() => inFlight--);
    }
    if (syslog) {
      const target = parseHostPort(syslog, 514);
      if (!target) return;
      inFlight++;
      const sock = createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
      sock.send(rfc5424(incident), target.port, target.host, (err) => {
        if (err) log.warn({ err: err.message }, 'incident syslog send failed');
        sock.close();
        inFlight--;
      });
    }
  };
}
