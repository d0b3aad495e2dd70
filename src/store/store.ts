// LevelDB under dataDir, one sublevel per kind of record. Values are JSON. One process at a
// time holds the store: CLI verbs reach a running daemon over its control socket instead.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
// classic-level is what `level` uses on Node; we use it directly for compactRange (night-time compaction).
import { ClassicLevel } from 'classic-level';
import type { AbstractSublevel } from 'abstract-level';

/** Bumped when the layout of stored records changes; migrations live in migrate.ts. */
export const STORE_VERSION = 1;

export const KINDS = ['settings', 'overrides', 'audit', 'querylog', 'incidents', 'usage', 'users', 'requests', 'sessions', 'devices', 'visitors', 'proposals'] as const;
export type StoreKind = (typeof KINDS)[number];

export type JsonValue = unknown;
export type Db = ClassicLevel<string, JsonValue>;
export type Sublevel = AbstractSublevel<Db, string | Buffer | Uint8Array, string, JsonValue>;

export interface Store {
  readonly db: Db;
  readonly location: string;
  readonly settings: Sublevel;
  readonly overrides: Sublevel;
  readonly audit: Sublevel;
  readonly querylog: Sublevel;
  readonly incidents: Sublevel;
  readonly usage: Sublevel;
  readonly users: Sublevel;
  /** access requests from the block page, and site reports */
  readonly requests: Sublevel;
  readonly sessions: Sublevel;
  /** the device register (mac → user, group) */
  readonly devices: Sublevel;
  /** visitor codes and the visitors' log */
  readonly visitors: Sublevel;
  /** four-eyes policy change proposals */
  readonly proposals: Sublevel;
  close(): Promise<void>;
}

/**
 * Migrations, by the version they upgrade from: MIGRATIONS[n] turns a version-n store into n+1.
 * Each must be safe to run again (a crash between a step and its version bump repeats it).
 */
export type Migration = (store: Store) => Promise<void>;
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

/**
 * LevelDB's defaults are sized for servers. The block cache (8 MB) fills as the UI pages through
 * the query log and stays resident: 2 MB bound it on a Pi (reads here are few and mostly recent).
 * Each open table file holds its index block: 74 files are plenty for this store. The write buffer
 * keeps its 4 MB default: a smaller one flushes more, smaller level-0 files to the SD card, and
 * the bench (bench/out/lists.md) showed no resident gain from it.
 */
export const LEVEL_OPTIONS = { cacheSize: 2 * 1024 * 1024, maxOpenFiles: 74 } as const;

export interface OpenOptions {
  /** for tests: the version this code writes and the migrations that lead to it */
  version?: number;
  migrations?: Readonly<Record<number, Migration>>;
}

export type OpenStoreResult = { ok: true; store: Store } | { ok: false; code: 'SG_STORE_LOCKED' | 'SG_STORE_NEWER' | 'SG_STORE_ERROR'; error: string };

export async function openStore(dataDir: string, opts: OpenOptions = {}): Promise<OpenStoreResult> {
  const current = opts.version ?? STORE_VERSION;
  const migrations = opts.migrations ?? MIGRATIONS;
  const location = join(dataDir, 'store');
  await mkdir(location, { recursive: true, mode: 0o750 });
  const db: Db = new ClassicLevel<string, JsonValue>(location, { valueEncoding: 'json', ...LEVEL_OPTIONS });
  try {
    await db.open();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      return { ok: false, code: 'SG_STORE_LOCKED', error: `${location} is in use by another process (is the daemon running?)` };
    }
    return { ok: false, code: 'SG_STORE_ERROR', error: `cannot open ${location}: ${(err as Error).message}` };
  }
  const sub = (name: StoreKind): Sublevel => db.sublevel<string, JsonValue>(name, { valueEncoding: 'json' });
  const store: Store = {
    db,
    location,
    settings: sub('settings'),
    overrides: sub('overrides'),
    audit: sub('audit'),
    querylog: sub('querylog'),
    incidents: sub('incidents'),
    usage: sub('usage'),
    users: sub('users'),
    requests: sub('requests'),
    sessions: sub('sessions'),
    devices: sub('devices'),
    visitors: sub('visitors'),
    proposals: sub('proposals'),
    close: () => db.close(),
  };
  let version = (await store.settings.get('storeVersion')) as number | undefined;
  if (version !== undefined && version > current) {
    await db.close();
    return { ok: false, code: 'SG_STORE_NEWER', error: `the store was written by a newer schoolgate (store version ${version}, this one knows ${current}); install that version or restore a backup` };
  }
  if (version === undefined) {
    // A new store (or one from before versions were recorded, which is empty of records).
    await store.settings.put('storeVersion', current);
    return { ok: true, store };
  }
  while (version < current) {
    const step = migrations[version];
    if (!step) {
      await db.close();
      return { ok: false, code: 'SG_STORE_ERROR', error: `no migration from store version ${version}` };
    }
    try {
      await step(store);
    } catch (err) {
      await db.close();
      return { ok: false, code: 'SG_STORE_ERROR', error: `migration from store version ${version} failed: ${(err as Error).message}; the store is left at version ${version}` };
    }
    version++;
    await putDurable(store, store.settings, 'storeVersion', version);
  }
  return { ok: true, store };
}

/** A put flushed to disk before it resolves (fsync): for records a power cut must not lose. */
export function putDurable(store: Store, sublevel: Sublevel, key: string, value: JsonValue): Promise<void> {
  return store.db.batch<string, JsonValue>([{ type: 'put', sublevel, key, value }], { sync: true });
}
