// The API's request/response schemas and route table, for the server and the web UI. TypeBox
// only: safe to bundle for the browser (import this file, not src/api/index.ts, for values).
export * from './common.js';
export * from './auth.js';
export * from './status.js';
export * from './overrides.js';
export * from './querylog.js';
export * from './incidents.js';
export * from './audit.js';
export * from './lookup.js';
export * from './requests.js';
export * from './visitors.js';
export * from './policy.js';
export * from './devices.js';
export * from './lists.js';
export * from './bandwidth.js';
export * from './users.js';
export * from './reports.js';
export * from './self-test.js';
export * from './events.js';
export * from './traffic.js';
export * from './routes.js';
export { ERRORS, statusOf, isErrorCode } from '../errors.js';
export type { ErrorCode } from '../errors.js';
