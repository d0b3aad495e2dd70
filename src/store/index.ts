export * from './config.js';
export { writeFileAtomic, renameDurable } from './atomic-file.js';
export { openStore, putDurable, STORE_VERSION, KINDS, MIGRATIONS } from './store.js';
export type { Store, Sublevel, StoreKind, OpenStoreResult, Migration, OpenOptions } from './store.js';
export { writeBackup, readBackup, restoreRecords, BACKUP_FORMAT } from './backup.js';
export type { BackupHeader, BackupRecord, ReadBackup } from './backup.js';
