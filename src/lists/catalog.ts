// What categories the configured lists provide, for check-config. Reads folders and cached
// copies; for a UT1 URL not downloaded yet it falls back to the published UT1 category names.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ListSource } from './config.js';
import { cachePaths, readCacheMeta } from './fetch-source.js';
import { listCacheDir } from './update.js';
import ut1 from './ut1-categories.json' with { type: 'json' };

export interface CategoryCatalog {
  categories: Map<string, { list: string; kind: 'block' | 'allow' }>;
  complete: boolean;
}

export async function readCategoryCatalog(dataDir: string, lists: readonly ListSource[]): Promise<CategoryCatalog> {
  const categories: CategoryCatalog['categories'] = new Map();
  let complete = true;
  for (const list of lists) {
    let names: string[] | undefined;
    if (list.format !== 'ut1') {
      names = [list.category ?? list.name];
    } else if (/^https?:\/\//i.test(list.source)) {
      const dir = listCacheDir(dataDir, list.name);
      const meta = await readCacheMeta(dir);
      names = meta?.url === list.source ? await ut1Names(cachePaths(dir).data) : undefined;
      names ??= ut1.categories;
    } else {
      names = await ut1Names(list.source);
      if (!names) complete = false;
    }
    for (const name of names ?? []) {
      if (list.categories && !list.categories.includes(name)) continue;
      if (!categories.has(name)) categories.set(name, { list: list.name, kind: list.kind ?? 'block' });
    }
  }
  return { categories, complete };
}

async function ut1Names(path: string): Promise<string[] | undefined> {
  try {
    if ((await stat(path)).isDirectory()) {
      const entries = await readdir(path, { withFileTypes: true });
      const found: string[] = [];
      for (const e of entries) {
        if (e.isDirectory() && (await stat(join(path, e.name, 'domains')).then(() => true, () => false))) found.push(e.name);
      }
      return found;
    }
    const found = new Set<string>();
    const { list: listTar } = await import('tar');
    await listTar({
      file: path,
      onReadEntry: (entry) => {
        const m = /(?:^|\/)([^/]+)\/domains$/.exec(entry.path);
        if (m) found.add(m[1]);
      },
    });
    return [...found];
  } catch {
    return undefined;
  }
}
