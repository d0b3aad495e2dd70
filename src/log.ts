// Structured JSON logs (pino). The daemon makes one logger and hands each stage a child with a
// `stage` field; field names stay stable: client, group, domain, category, action, reason.
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['password', '*.password', 'token', '*.token', 'setupCode', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  }, pino.destination({ dest: (destination as { fd?: number }).fd ?? 1, sync: false }));
}

/** A logger that drops everything (tests, CLI verbs that print their own output). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
