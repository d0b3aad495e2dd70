export * from './config.js';
export { compileGroupMatcher } from './group-matcher.js';
export type { GroupMatcher } from './group-matcher.js';
