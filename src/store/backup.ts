// Backup and restore of what a school cannot lose: config, users, overrides, the audit chain
// (and, on request, the logs). A backup is gzipped JSON lines: a header, then one record a line.
// A restore checks the backup's audit chain before it touches anything, and refuses a backup
// whose chain does not verify or that a newer schoolgate wrote.
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { renameDurable } from './atomic-file.js';
import { KINDS, STORE_VERSION } from './store.js';
import type { Store, StoreKind, Sublevel } from './store.js';

export const BACKUP_FORMAT = 'schoolgate-backup/1';

/** Always in a backup; the logs only with `withLogs`. Sessions are never kept. */
const ESSENTIAL: readonly StoreKind[] = ['settings', 'users', 'overrides', 'audit', 'requests', 'incidents', 'devices', 'visitors', 'proposals'];
const LOGS: readonly StoreKind[] = ['querylog', 'usage'];

export interface BackupHeader {
  format: string;
  storeVersion: number;
  createdAt: string;
  kinds: StoreKind[];
  config?: { file: string; text: string };
}

export interface BackupRecord {
  k: StoreKind;
  key: string;
  v: unknown;
}

export async function writeBackup(store: Store, path: string, opts: { withLogs: boolean; config?: { file: string; text: string }; now: Date }): Promise<{ records: number }> {
  const kinds = [...ESSENTIAL, ...(opts.withLogs ? LOGS : [])];
  const header: BackupHeader = { format: BACKUP_FORMAT, storeVersion: STORE_VERSION, createdAt: opts.now.toISOString(), kinds, config: opts.config };
  let records = 0;
  async function* lines() {
    yield `${JSON.stringify(header)}\n`;
    for (const k of kinds) {
      // The snapshot of each sublevel is taken by its iterator: consistent per kind.
      for await (const [key, v] of sub(store, k).iterator()) {
        records++;
        yield `${JSON.stringify({ k, key, v } satisfies BackupRecord)}\n`;
      }
    }
  }
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(tmp, { mode: 0o600 }));
    await renameDurable(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { records };
}

export type ReadBackup = { ok: true; header: BackupHeader; records: BackupRecord[] } | { ok: false; error: string };

export async function readBackup(path: string, knownKinds: readonly string[] = KINDS): Promise<ReadBackup> {
  const records: BackupRecord[] = [];
  let header: BackupHeader | undefined;
  try {
    // readline only here: the daemon, which can restore, should not hold it (~0.4 MB) until then
    const { createInterface } = await import('node:readline');
    const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (!line) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return { ok: false, error: `line ${n} is not JSON` };
      }
      if (!header) {
        header = parsed as BackupHeader;
        if (header.format !== BACKUP_FORMAT) return { ok: false, error: 'not a schoolgate backup' };
        if (header.storeVersion > STORE_VERSION) return { ok: false, error: `made by a newer schoolgate (store version ${header.storeVersion}; this one knows ${STORE_VERSION})` };
        continue;
      }
      const r = parsed as BackupRecord;
      if (!knownKinds.includes(r.k) || typeof r.key !== 'string') return { ok: false, error: `line ${n}: unknown record kind` };
      records.push(r);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, error: e.code === 'ENOENT' ? 'no such file' : /unexpected end|incorrect header|invalid/i.test(e.message) ? 'truncated or not gzip' : e.message };
  }
  if (!header) return { ok: false, error: 'empty backup' };
  return { ok: true, header, records };
}

/** Replaces the kinds in the backup with its records, in one atomic batch. */
export async function restoreRecords(store: Store, header: BackupHeader, records: readonly BackupRecord[]): Promise<void> {
  const ops: ({ type: 'del'; sublevel: Sublevel; key: string } | { type: 'put'; sublevel: Sublevel; key: string; value: unknown })[] = [];
  for (const k of header.kinds) {
    for await (const key of sub(store, k).keys()) ops.push({ type: 'del', sublevel: sub(store, k), key });
  }
  for (const r of records) ops.push({ type: 'put', sublevel: sub(store, r.k), key: r.key, value: r.v });
  await store.db.batch<string, unknown>(ops, { sync: true });
}

function sub(store: Store, kind: StoreKind): Sublevel {
  return store[kind];
}
