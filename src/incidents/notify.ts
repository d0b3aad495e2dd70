// Immediate alerts for new incidents (DfE: high-risk alerts straight away): a webhook POST with
// the incident as JSON, and an e-mail through the school's SMTP relay. (Syslog export is its own
// stage.) Failures are logged, never thrown; sends are bounded in time and in number.
import type { Logger } from '../log.js';
import { parseHostPort } from '../schema/index.js';
import type { Incident } from './incident-service.js';

const MAX_IN_FLIGHT = 20;

export interface NotifyConfig {
  webhook?: string;
  email?: { smtp: string; from: string; to: string[] };
}

export function incidentText(i: Incident): { subject: string; body: string } {
  const what = i.type === 'locked' ? 'an attempt on a locked category' : i.type === 'burst' ? 'repeated blocked attempts' : 'an attempt to bypass the filter';
  const subject = `[schoolgate] incident: ${what} (${i.group}${i.category ? `, ${i.category}` : ''})`;
  const body = [
    `schoolgate recorded ${what}.`, '',
    `Device: ${i.client}${i.hostname ? ` (${i.hostname})` : ''}${i.mac ? ` ${i.mac}` : ''}`,
    `User: ${i.user ?? 'not known'}`,
    `Group: ${i.group}`,
    `Category: ${i.category ?? i.detail ?? '-'}`,
    `Domains: ${i.domains.join(', ')}`,
    `Time: ${i.firstAt}`, '',
    'Acknowledge it with the action taken and the outcome in the admin UI (Incidents).',
  ].join('\n');
  return { subject, body };
}

export function createNotifier(config: () => NotifyConfig, log: Logger): (incident: Incident, isNew: boolean) => void {
  let inFlight = 0;
  const track = (p: Promise<unknown>) => {
    inFlight++;
    void p.finally(() => inFlight--);
  };
  return (incident, isNew) => {
    if (!isNew) return;
    const { webhook, email } = config();
    if (inFlight >= MAX_IN_FLIGHT) {
      log.warn({ incident: incident.id }, 'incident notifications backed up; this one is not sent');
      return;
    }
    if (webhook) {
      track(fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: 'schoolgate', incident }), signal: AbortSignal.timeout(5000) })
        .then((r) => {
          if (!r.ok) log.warn({ status: r.status, incident: incident.id }, 'incident webhook refused');
          return r.body?.cancel();
        })
        .catch((err: Error) => log.warn({ err: err.message, incident: incident.id }, 'incident webhook failed')));
    }
    if (email) {
      const relay = parseHostPort(email.smtp, 25);
      if (!relay) return;
      track(sendMail(relay, email.from, email.to, incidentText(incident))
        .catch((err: Error) => log.warn({ err: err.message, incident: incident.id }, 'incident e-mail failed')));
    }
  };
}

async function sendMail(relay: { host: string; port: number }, from: string, to: string[], text: { subject: string; body: string }): Promise<void> {
  // nodemailer is loaded only by schools that turn e-mail on.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({ host: relay.host, port: relay.port, secure: false, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000, tls: { rejectUnauthorized: true } });
  try {
    await transport.sendMail({ from, to, subject: text.subject, text: text.body });
  } finally {
    transport.close();
  }
}
