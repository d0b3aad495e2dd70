// Downloads a URL source into its cache folder with a conditional GET (ETag / Last-Modified),
// a timeout and a size cap. The new copy stays a candidate until it parses; the caller then
// promotes it, or drops it and keeps the last good copy.
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { renameDurable, writeFileAtomic } from '../store/index.js';

export interface CacheMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  fetchedAt: string;
  bytes: number;
}

export type FetchOutcome =
  /** a new copy downloaded to `candidate` */
  | { kind: 'fresh'; candidate: string; meta: CacheMeta }
  /** the server says the cached copy is current */
  | { kind: 'not-modified'; meta: CacheMeta }
  | { kind: 'failed'; error: string };

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** skip the conditional headers (force a full download) */
  force?: boolean;
  /** the time recorded as fetchedAt */
  now: Date;
}

export const cachePaths = (cacheDir: string) => ({
  data: join(cacheDir, 'data'),
  candidate: join(cacheDir, 'data.new'),
  meta: join(cacheDir, 'meta.json'),
});

export async function readCacheMeta(cacheDir: string): Promise<CacheMeta | undefined> {
  try {
    return JSON.parse(await readFile(cachePaths(cacheDir).meta, 'utf8')) as CacheMeta;
  } catch {
    return undefined;
  }
}

export async function fetchSource(url: string, cacheDir: string, opts: FetchOptions): Promise<FetchOutcome> {
  await mkdir(cacheDir, { recursive: true });
  const paths = cachePaths(cacheDir);
  const previous = await readCacheMeta(cacheDir);
  const haveCopy = previous !== undefined && previous.url === url;
  const headers: Record<string, string> = { 'user-agent': 'schoolgate list updater' };
  if (haveCopy && !opts.force) {
    if (previous.etag) headers['if-none-match'] = previous.etag;
    if (previous.lastModified) headers['if-modified-since'] = previous.lastModified;
  }
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    const res = await fetch(url, { headers, signal, redirect: 'follow' });
    if (res.status === 304 && haveCopy) {
      await res.body?.cancel();
      return { kind: 'not-modified', meta: previous };
    }
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      return { kind: 'failed', error: `HTTP ${res.status} from ${url}` };
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > opts.maxBytes) {
      await res.body.cancel();
      return { kind: 'failed', error: `download is ${declared} bytes, over the ${opts.maxBytes}-byte cap` };
    }
    let bytes = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done(bytes > opts.maxBytes ? new Error(`download exceeds the ${opts.maxBytes}-byte cap`) : null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), cap, createWriteStream(paths.candidate), { signal });
    const meta: CacheMeta = {
      url,
      etag: res.headers.get('etag') ?? undefined,
      lastModified: res.headers.get('last-modified') ?? undefined,
      fetchedAt: opts.now.toISOString(),
      bytes,
    };
    return { kind: 'fresh', candidate: paths.candidate, meta };
  } catch (err) {
    await rm(paths.candidate, { force: true });
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { kind: 'failed', error: `timed out after ${opts.timeoutMs} ms` };
    return { kind: 'failed', error: e.cause?.message ?? e.cause?.code ?? e.message };
  }
}

/** The candidate parsed: it becomes the copy in use. */
export async function promoteCandidate(cacheDir: string, meta: CacheMeta): Promise<void> {
  const paths = cachePaths(cacheDir);
  await renameDurable(paths.candidate, paths.data);
  await writeFileAtomic(paths.meta, JSON.stringify(meta, null, 2));
}

export async function dropCandidate(cacheDir: string): Promise<void> {
  await rm(cachePaths(cacheDir).candidate, { force: true });
}
