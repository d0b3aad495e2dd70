export { QueryLog, keyOf } from './query-log.js';
export type { QueryPage, QuerySearch } from './query-log.js';
export { QueryStats } from './stats.js';
export type { StatsSnapshot } from './stats.js';
