export * from './config.js';
export { createSyslogStage } from './syslog-stage.js';
export { SyslogSender, formatRfc5424 } from './syslog-sender.js';
export type { SyslogMessage, Transport } from './syslog-sender.js';
