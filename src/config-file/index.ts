export { loadConfig, parseConfig, formatConfigError } from './load.js';
export type { ConfigError, LoadedConfig, LoadResult, CatalogReader } from './load.js';
export { PACKAGE_ROOT, DEV_PROFILE_NAME } from './dev-profile.js';
