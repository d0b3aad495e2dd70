// Fetches (when due), parses and compiles every configured list into one index file.
// Keep-last-good: a failed or corrupt download falls back to the previous copy; a list with no
// usable copy at all refuses the whole update, so the index in use never silently loses a
// category (a filter must not fail open).
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ListSource } from './config.js';
import { parseDuration, parseSize } from '../schema/index.js';
import { writeFileAtomic } from '../store/index.js';
import { cachePaths, dropCandidate, fetchSource, promoteCandidate, readCacheMeta } from './fetch-source.js';
import { IndexBuilder } from './index-builder.js';
import { encodeIndex, readIndexMeta } from './index-file.js';
import type { IndexMeta, ListReport } from './index-file.js';
import { readSource } from './read-source.js';
import type { SourceCounts } from './formats.js';

export interface CompileOptions {
  dataDir: string;
  lists: readonly ListSource[];
  now: () => Date;
  /** 'always': conditional GET of every URL now (CLI); 'when-due': only lists past their interval */
  fetch: 'always' | 'when-due';
}

export interface CategoryChange {
  category: string;
  before: number;
  after: number;
}

export type CompileResult =
  | { ok: true; path: string; meta: IndexMeta; changes: CategoryChange[] }
  | { ok: false; error: string; reports: ListReport[] };

export const indexPath = (dataDir: string) => join(dataDir, 'index', 'current.sgi');
export const listCacheDir = (dataDir: string, list: string) => join(dataDir, 'lists', list);

export async function compileLists(opts: CompileOptions): Promise<CompileResult> {
  const builder = new IndexBuilder();
  const reports: ListReport[] = [];
  for (const list of opts.lists) reports.push(await compileOne(builder, list, opts));
  const failed = reports.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    return { ok: false, error: failed.map((r) => `list ${r.name}: ${r.error}`).join('; '), reports };
  }
  const { meta, arrays } = builder.build(reports, listsKey(opts.lists), opts.now());
  const path = indexPath(opts.dataDir);
  await mkdir(join(opts.dataDir, 'index'), { recursive: true });
  const previous = await readIndexMeta(path);
  await writeFileAtomic(path, encodeIndex(meta, arrays));
  return { ok: true, path, meta, changes: categoryChanges(previous, meta) };
}

async function compileOne(builder: IndexBuilder, list: ListSource, opts: CompileOptions): Promise<ListReport> {
  const base = { name: list.name, source: list.source, format: list.format };
  const tryRead = async (path: string) => {
    const mark = builder.mark();
    const outcome = await readSource(builder, list, path);
    if (!outcome.ok) builder.rollback(mark);
    return outcome;
  };
  const counted = (status: ListReport['status'], outcome: { counts: SourceCounts }, fetchedAt?: string, error?: string): ListReport => ({
    ...base, status, error, fetchedAt, ...outcome.counts,
  });

  if (!/^https?:\/\//i.test(list.source)) {
    const outcome = await tryRead(list.source);
    return outcome.ok ? counted('ok', outcome, opts.now().toISOString()) : { ...base, ...emptyCounts(), status: 'failed', error: outcome.error };
  }

  const cacheDir = listCacheDir(opts.dataDir, list.name);
  const cached = await readCacheMeta(cacheDir);
  const lastGood = cached?.url === list.source ? cachePaths(cacheDir).data : undefined;
  const due = !cached || opts.fetch === 'always' || opts.now().getTime() - Date.parse(cached.fetchedAt) >= (parseDuration(list.update) ?? 86400) * 1000;
  let error: string | undefined;
  if (due) {
    const fetched = await fetchSource(list.source, cacheDir, {
      timeoutMs: (parseDuration(list.timeout) ?? 120) * 1000,
      maxBytes: parseSize(list.maxSize) ?? 200e6,
      now: opts.now(),
    });
    if (fetched.kind === 'fresh') {
      const outcome = await tryRead(fetched.candidate);
      if (outcome.ok) {
        await promoteCandidate(cacheDir, fetched.meta);
        return counted('ok', outcome, fetched.meta.fetchedAt);
      }
      await dropCandidate(cacheDir);
      error = `new download rejected: ${outcome.error}`;
    } else if (fetched.kind === 'not-modified') {
      await writeFileAtomic(cachePaths(cacheDir).meta, JSON.stringify({ ...fetched.meta, fetchedAt: opts.now().toISOString() }, null, 2));
    } else {
      error = `download failed: ${fetched.error}`;
    }
  }
  if (!lastGood) return { ...base, ...emptyCounts(), status: 'failed', error: error ?? 'no copy downloaded yet' };
  const outcome = await tryRead(lastGood);
  if (!outcome.ok) return { ...base, ...emptyCounts(), status: 'failed', error: `${error ? `${error}; ` : ''}last good copy unreadable: ${outcome.error}` };
  return counted(error ? 'kept' : 'ok', outcome, cached?.fetchedAt, error);
}

function emptyCounts(): SourceCounts {
  return { accepted: 0, rejected: {}, skipped: 0, ips: 0 };
}

function categoryChanges(before: IndexMeta | undefined, after: IndexMeta): CategoryChange[] {
  const old = new Map((before?.categories ?? []).map((c) => [c.name, c.count]));
  const changes: CategoryChange[] = [];
  for (const c of after.categories) {
    const prev = old.get(c.name) ?? 0;
    if (prev !== c.count) changes.push({ category: c.name, before: prev, after: c.count });
    old.delete(c.name);
  }
  for (const [name, count] of old) changes.push({ category: name, before: count, after: 0 });
  return changes;
}

/** Identifies a list configuration: an index compiled from another one is out of date. */
export function listsKey(lists: readonly ListSource[]): string {
  const relevant = lists.map((l) => [l.name, l.format, l.source, l.category ?? null, l.kind ?? null, l.categories ?? null]);
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 32);
}
