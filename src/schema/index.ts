export * from './types.js';
export * from './formats.js';
export { loadZone, parseTzif, parsePosixTz, zoneOffset } from './zone.js';
export type { Zone, ZoneResult } from './zone.js';
