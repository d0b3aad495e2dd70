// Gateway mode in the kernel: nftables (DNS interception, bypass blocking, per-device counters)
// and tc (per-group caps, per-device fairness and over-quota rates). Renderers are pure; the
// appliers run nft and tc.
export * from './config.js';
export { createFirewallStage } from './firewall-stage.js';
export type { FirewallStage, FirewallStageOptions } from './firewall-stage.js';
export type { DeviceUsage, ResetResult, UsageService } from './usage-service.js';
export { buildPlan, TC_MAJOR, classId } from './plan.js';
export type { FirewallPlan, GroupPlan, PlanResult } from './plan.js';
export { renderRuleset, emptyElements, planGeneration, TABLE, TABLE_REF, setNames } from './nft-render.js';
export type { DynamicElements } from './nft-render.js';
export { renderFlowBlock, renderLearn, renderBlocking, renderListedDiff, renderOverQuotaAdd, renderOverQuotaDelete } from './nft-elements.js';
export { renderTcBatch, renderTcPrune, renderTcRemoval, tcClasses, shapedDevices } from './tc-render.js';
export type { TcClass, LeafQdisc, Direction } from './tc-render.js';
export { createNftCli, createTcCli } from './appliers.js';
export type { NftApplier, TcApplier, KernelResult, CliOptions } from './appliers.js';
export { parseUsage, parseSeen, parseAddresses, parseOverQuota, parseTableIdentity, parseFlowBlocks } from './nft-read.js';
export type { FlowBlock } from './nft-read.js';
export { parseTcClasses, parseTcRootIsOurs } from './tc-read.js';
export { LearnedAddresses } from './learned-addresses.js';
export { UsageLedger } from './usage-ledger.js';
export type { DeviceDay } from './usage-ledger.js';
export { bypassState } from './bypass-state.js';
export { attemptKind } from './bypass-attempts.js';
