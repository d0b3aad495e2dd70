// Gets a usable domain index for the current list config: the compiled file when it matches,
// otherwise a fresh compile; when that fails, the previous index (keep last good) if any.
import { stat } from 'node:fs/promises';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { DomainIndex, compileInChild, compileLists, indexPath, listsKey } from '../lists/index.js';
import type { CompileResult } from '../lists/index.js';

export type EnsureIndexResult = { ok: true; index: DomainIndex; compiled?: CompileResult } | { ok: false; error: string };

export async function ensureIndex(config: Config, log: Logger, where: 'child' | 'inline'): Promise<EnsureIndexResult> {
  const path = indexPath(config.dataDir);
  const existing = DomainIndex.fromFile(path);
  if (existing.ok && existing.index.meta.listsKey === listsKey(config.lists) && !(await localSourcesNewer(config, Date.parse(existing.index.meta.createdAt)))) {
    return { ok: true, index: existing.index };
  }
  if (!existing.ok && existing.error !== 'no compiled index yet') log.warn({ err: existing.error }, 'compiled index unusable; recompiling');
  log.info({ lists: config.lists.map((l) => l.name) }, 'compiling lists');
  const req = { dataDir: config.dataDir, lists: config.lists, fetch: 'when-due' as const };
  const compiled = where === 'child' ? await compileInChild(req) : await compileLists({ ...req, now: () => new Date() });
  if (compiled.ok) {
    const fresh = DomainIndex.fromFile(compiled.path);
    if (fresh.ok) return { ok: true, index: fresh.index, compiled };
    return { ok: false, error: `the index just compiled does not load: ${fresh.error}` };
  }
  if (existing.ok) {
    log.error({ err: compiled.error }, 'list compile failed; keeping the last good index');
    return { ok: true, index: existing.index, compiled };
  }
  return { ok: false, error: compiled.error };
}

/** A local list file changed after the index was compiled (edited while the daemon was down). */
async function localSourcesNewer(config: Config, compiledAt: number): Promise<boolean> {
  for (const l of config.lists) {
    if (/^https?:\/\//i.test(l.source)) continue;
    const s = await stat(l.source).catch(() => undefined);
    if (s && s.isFile() && s.mtimeMs > compiledAt) return true;
  }
  return false;
}
