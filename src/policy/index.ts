export * from './config.js';
export { decide } from './decide.js';
export type { DecideRequest } from './decide.js';
export { compilePolicy } from './compile.js';
export type { CompiledGroup, CompiledPolicy } from './compile.js';
export { REASONS, describeDecision } from './reason.js';
export type { Action, Decision, Reason } from './reason.js';
export {
  checkOverride, compileOverrides, overrideStatus, maxDurationSeconds, domainCovers,
} from './overrides.js';
export type {
  ActiveOverride, Override, OverrideCheck, OverrideInput, OverrideRules, OverrideScope, OverrideStatus, OverrideTarget,
} from './overrides.js';
export { isOpen, nextChange, compileSchedule } from './schedule.js';
export type { CompiledSchedule } from './schedule.js';
export { localTime, localDay, instantOf, addDays } from './local-time.js';
