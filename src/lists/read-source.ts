// Reads one list copy (a file, a folder or a .tar.gz) into the builder. Failures come back as
// values; the caller rolls the builder back and falls back to the last good copy.
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ReadEntry } from 'tar';
import type { ListSource } from './config.js';
import { CategoryCollector, newCounts } from './formats.js';
import type { LineFormat, SourceCounts } from './formats.js';
import type { IndexBuilder } from './index-builder.js';
import { LineSplitter, readLines } from './line-reader.js';

export type ReadOutcome = { ok: true; counts: SourceCounts } | { ok: false; error: string };

export async function readSource(builder: IndexBuilder, list: ListSource, path: string): Promise<ReadOutcome> {
  const counts = newCounts();
  try {
    const info = await stat(path);
    if (list.format === 'ut1') {
      if (info.isDirectory()) await readUt1Folder(builder, list, path, counts);
      else await readUt1Archive(builder, list, path, counts);
    } else {
      if (!info.isFile()) return { ok: false, error: `${path} is not a file` };
      const category = list.category ?? list.name;
      const id = builder.category(category, list.name, list.kind ?? 'block');
      const collector = new CategoryCollector(builder, category, id, list.format, counts);
      await readLines(await openMaybeGzip(path), collector);
    }
  } catch (err) {
    return { ok: false, error: describeReadError(err, path) };
  }
  if (list.format === 'ut1' && counts.accepted === 0) return { ok: false, error: 'no category folders with domains found' };
  return { ok: true, counts };
}

async function openMaybeGzip(path: string) {
  const fh = await open(path, 'r');
  const head = Buffer.alloc(2);
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  return head[0] === 0x1f && head[1] === 0x8b ? stream.pipe(createGunzip()) : stream;
}

function wanted(list: ListSource, category: string): boolean {
  return !list.categories || list.categories.includes(category);
}

function kindFromUsage(text: string): 'block' | 'allow' {
  const words = new Set(text.split(/\s+/).map((w) => w.trim().toLowerCase()).filter((w) => w && !w.startsWith('#')));
  return words.has('white') && !words.has('black') ? 'allow' : 'block';
}

async function readUt1Folder(builder: IndexBuilder, list: ListSource, dir: string, counts: SourceCounts): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const category of entries) {
    if (!wanted(list, category)) continue;
    const domains = join(dir, category, 'domains');
    const exists = await stat(domains).then((s) => s.isFile(), () => false);
    if (!exists) continue;
    const usage = await readFile(join(dir, category, 'usage'), 'utf8').catch(() => 'black');
    const id = builder.category(category, list.name, kindFromUsage(usage));
    await readLines(createReadStream(domains, { highWaterMark: 256 * 1024 }), new CategoryCollector(builder, category, id, 'domains', counts));
  }
}

/** `<anything>/<category>/domains` and `…/usage` entries of a (gzipped) tar; `urls` is ignored. */
async function readUt1Archive(builder: IndexBuilder, list: ListSource, path: string, counts: SourceCounts): Promise<void> {
  const kinds = new Map<string, 'block' | 'allow'>();
  // Loaded on demand: only the list compiler reads archives, the daemon never does.
  const { Parser } = await import('tar');
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const m = /(?:^|\/)([^/]+)\/(domains|usage)$/.exec(entry.path);
      if (!m || entry.type !== 'File' || !wanted(list, m[1])) {
        entry.resume();
        return;
      }
      const category = m[1];
      if (m[2] === 'usage') {
        const parts: Buffer[] = [];
        entry.on('data', (c: Buffer) => parts.length < 64 && parts.push(c));
        entry.on('end', () => kinds.set(category, kindFromUsage(Buffer.concat(parts).toString('utf8'))));
        return;
      }
      const id = builder.category(category, list.name, 'block');
      const splitter = new LineSplitter(new CategoryCollector(builder, category, id, 'domains' satisfies LineFormat, counts));
      entry.on('data', (c: Buffer) => splitter.push(c));
      entry.on('end', () => splitter.end());
    },
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (parser.write(chunk)) done();
      else parser.once('drain', () => done());
    },
    final(done) {
      parser.end(() => done());
    },
  });
  const failure = new Promise<never>((_, reject) => parser.on('error', reject));
  await Promise.race([pipeline(createReadStream(path, { highWaterMark: 256 * 1024 }), sink), failure]);
  if (kinds.size === 0 && counts.accepted === 0) throw new Error('not a UT1 archive: no <category>/domains entries');
  for (const [category, kind] of kinds) builder.setKind(category, kind);
}

function describeReadError(err: unknown, path: string): string {
  const e = err as NodeJS.ErrnoException & { code?: string };
  if (e.code === 'ENOENT') return `${path}: no such file or folder`;
  if (e.code === 'EACCES') return `${path}: permission denied`;
  if (e.code === 'Z_BUF_ERROR' || e.code === 'Z_DATA_ERROR' || /unexpected end of file/i.test(e.message ?? '')) return `${path}: truncated or corrupt gzip data`;
  if (e.code?.startsWith('TAR_')) return `${path}: corrupt tar archive (${e.message})`;
  return `${path}: ${e.message ?? String(err)}`;
}
