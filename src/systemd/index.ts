export { createServiceManagerStage } from './service-manager-stage.js';
export type { ServiceManagerOptions } from './service-manager-stage.js';
export { createNotifier, notifyEnv, field } from './sd-notify.js';
export type { Notifier, NotifyEnv, NotifyResult } from './sd-notify.js';
export { selfQuery, selfQueryTarget, SELF_QUERY_NAME } from './dns-self-query.js';
export type { SelfQueryResult, SelfQueryTarget } from './dns-self-query.js';
