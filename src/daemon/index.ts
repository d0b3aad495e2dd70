export { Daemon, systemClock } from './daemon.js';
export type { Clock, DaemonContext, Stage, StageFactory, StartResult } from './daemon.js';
export { LED_NAMES, LED_PATTERNS, SELF_TEST_CLIENT } from './services.js';
export type {
  Services, FirewallService, DnsService, DnsCounters, UpstreamHealth, HealthService, LedName, LedPattern, LedStates, FlowRecord, TrafficService,
} from './services.js';
export type { ListUpdater } from './list-updater.js';
export { dueLists } from './list-updater.js';
export { EventBus } from './events.js';
export type { EventMap, QueryEvent, ResolvedEvent, BypassEvent } from './events.js';
export { MetricsRegistry } from './metrics.js';
export type { MetricType, Sample } from './metrics.js';
export { ensureIndex } from './index-loader.js';
export { lookupName, formatLookup } from './lookup.js';
export type { LookupAnswer, LookupResult } from './lookup.js';
export { StateHolder, buildState, withBindings, withConfig, withIndex, withOverrides, withRegister } from './state.js';
export type { PolicyState } from './state.js';
export { createCoreServices, normalise, overrideRules } from './core-services.js';
export type { CoreServices } from './core-services.js';
export { cliActor } from './control-stage.js';
export { ConfigService, RESTART_KEYS } from './config-service.js';
export type { ConfigChangeResult } from './config-service.js';
export { ProposalService } from './proposals.js';
export type { Proposal, ProposalResult } from './proposals.js';
