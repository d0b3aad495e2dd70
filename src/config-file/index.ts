export { loadConfig, parseConfig, formatConfigError } from './load.js';
export type { ConfigError, LoadedConfig, LoadResult, CatalogReader } from './load.js';
export { PACKAGE_ROOT, DEV_PROFILE_NAME } from './dev-profile.js';
export { generateExample, readExampleValues, setPath, scalar } from './example-yaml.js';
export type { ExampleInput, ExampleResult } from './example-yaml.js';
