import { parseArgs } from 'node:util';
import { copyFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AuditLog, AUDIT_HEAD_KEY, verifyChain } from '../audit/index.js';
import { callDaemon } from '../control/index.js';
import { DEV_PROFILE_NAME } from '../config-file/index.js';
import { cliActor } from '../daemon/index.js';
import { openStore, readBackup, restoreRecords, writeBackup, writeFileAtomic } from '../store/index.js';
import type { Io } from './common.js';
import { UsageError, loadOrReport } from './common.js';
import { viaDaemonOr } from './offline.js';

/** schoolgate backup FILE [--with-logs] */
export async function backupCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' }, 'with-logs': { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('usage: schoolgate backup FILE [--with-logs] [--config FILE]');
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  const path = resolve(positionals[0]);
  const config = loaded.file === DEV_PROFILE_NAME ? undefined : { file: loaded.file, text: loaded.text };
  const withLogs = values['with-logs'] === true;
  const r = await viaDaemonOr<{ records: number }>(loaded, 'backup', { path, withLogs }, (_core, _state, store) =>
    writeBackup(store, path, { withLogs, config, now: new Date() }));
  if (!r.ok) {
    io.err(`schoolgate: backup failed: ${r.error}`);
    return 1;
  }
  io.out(`backup written: ${path} (${r.value.records} records${withLogs ? ', with logs' : ''})`);
  return 0;
}

/** schoolgate restore FILE [--with-config]: the daemon must be stopped. */
export async function restoreCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' }, 'with-config': { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('usage: schoolgate restore FILE [--with-config] [--config FILE]');
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  if ((await callDaemon(loaded.config.dataDir, 'status', {}, 5000)).kind !== 'not-running') {
    io.err('schoolgate: stop the daemon before a restore (systemctl stop schoolgate)');
    return 1;
  }
  const backup = await readBackup(positionals[0]);
  if (!backup.ok) {
    io.err(`schoolgate: ${positionals[0]}: ${backup.error}; nothing restored`);
    return 1;
  }
  const audit = backup.records.filter((r) => r.k === 'audit').sort((a, b) => (a.key < b.key ? -1 : 1)).map((r): [string, unknown] => [r.key, r.v]);
  const head = backup.records.find((r) => r.k === 'settings' && r.key === AUDIT_HEAD_KEY)?.v as { seq: number; hash: string } | undefined;
  const chain = await verifyChain(audit, head);
  if (!chain.ok) {
    io.err(`schoolgate: the backup's audit chain does not verify (entry ${chain.seq}: ${chain.problem}); nothing restored`);
    return 1;
  }
  const opened = await openStore(loaded.config.dataDir);
  if (!opened.ok) {
    io.err(`schoolgate: ${opened.error}`);
    return 1;
  }
  try {
    await restoreRecords(opened.store, backup.header, backup.records);
    const log = new AuditLog(opened.store, Date.now);
    await log.open();
    await log.append({ actor: cliActor(), action: 'store.restore', target: resolve(positionals[0]), details: { createdAt: backup.header.createdAt, records: backup.records.length, auditEntries: chain.entries } });
  } finally {
    await opened.store.close();
  }
  if (values['with-config'] && backup.header.config && loaded.file !== DEV_PROFILE_NAME) {
    await copyFile(loaded.file, `${loaded.file}.before-restore`).catch(() => undefined);
    await writeFileAtomic(loaded.file, backup.header.config.text, 0o640);
    io.out(`config restored to ${loaded.file} (the previous one is ${loaded.file}.before-restore)`);
  }
  io.out(`restored ${backup.records.length} records from ${backup.header.createdAt}; audit chain ok (${chain.entries} entries)`);
  return 0;
}
