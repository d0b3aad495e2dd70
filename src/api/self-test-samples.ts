// One name per category for the self-test, always one the compiled index really lists in that
// category (so a line tests the filter, not our guess): the configured name, else a built-in
// candidate, else the first usable line of the list's own file (local domain lists, UT1 folders).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { DomainIndex } from '../lists/index.js';
import { normaliseName } from '../lists/index.js';
import data from './self-test-domains.json' with { type: 'json' };

const CANDIDATES: Record<string, string[]> = data.candidates;
const MAX_LINES = 2000;

const listedIn = (index: DomainIndex, name: string, category: string) => index.categoriesOf(name).includes(category);

export async function sampleDomain(config: Config, index: DomainIndex, category: string): Promise<string | undefined> {
  const configured = config.admin.selfTest.domains[category];
  for (const name of [configured, ...(CANDIDATES[category] ?? [])]) {
    if (name && listedIn(index, name, category)) return name;
  }
  const meta = index.categories.find((c) => c.name === category);
  const list = config.lists.find((l) => l.name === meta?.list);
  if (!list || /^https?:\/\//i.test(list.source)) return undefined;
  const file = list.format === 'ut1' ? join(list.source, category, 'domains') : list.source;
  return firstListed(file, (name) => listedIn(index, name, category));
}

async function firstListed(file: string, ok: (name: string) => boolean): Promise<string | undefined> {
  if (!(await stat(file).then((s) => s.isFile(), () => false))) return undefined;
  const stream = createReadStream(file, { encoding: 'utf8', end: 1 << 20 });
  stream.on('error', () => undefined);
  const { createInterface } = await import('node:readline'); // on demand: see store/backup.ts
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      if (++n > MAX_LINES) break;
      // domain lists, hosts files ("0.0.0.0 name") and adblock-style "||name^" lines
      const token = line.trim().replace(/^\|\|/, '').replace(/\^.*$/, '').split(/\s+/).pop() ?? '';
      if (!token || token.startsWith('#')) continue;
      const name = normaliseName(token);
      if (name.ok && !name.name.startsWith('*') && ok(name.name)) return name.name;
    }
  } catch {
    return undefined;
  } finally {
    lines.close();
    stream.destroy();
  }
  return undefined;
}
