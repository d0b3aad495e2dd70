export * from './config.js';
export { writeFileAtomic, renameDurable } from './atomic-file.js';
export { openStore, STORE_VERSION, KINDS } from './store.js';
export type { Store, Sublevel, StoreKind, OpenStoreResult } from './store.js';
