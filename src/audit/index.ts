export { AuditLog, SYSTEM, entryHash, verifyChain, AUDIT_HEAD_KEY } from './audit-log.js';
export type { Actor, AuditEntry, AuditInput, Role, VerifyResult } from './audit-log.js';
export { canonicalJson } from './canonical-json.js';
