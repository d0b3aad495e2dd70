export { Users, hashPassword, checkPassword, ROLES, MIN_PASSWORD, LOCKOUT_AFTER, LOCKOUT_MS } from './users.js';
export type { User, TokenRecord, UserResult, LoginResult } from './users.js';
