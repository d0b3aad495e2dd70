export * from './config.js';
export { compileGroupMatcher } from './group-matcher.js';
export type { GroupMatcher } from './group-matcher.js';
export { IdentityService, emptyDirectory } from './identity-service.js';
export type { ClientIdentity, DeviceDirectory, IdentitySource } from './identity-service.js';
export { KernelDeviceDirectory, parseIpNeigh, parseLeases, parseProcArp } from './device-directory.js';
export type { DirectoryOptions } from './device-directory.js';
