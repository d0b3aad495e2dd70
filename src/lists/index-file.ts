// The compiled index on disk and in memory: one ArrayBuffer, typed-array views into it, so a
// load is a read plus a CRC check, with no parsing of text.
//
// Layout (little-endian), format 4 (meta.version):
//   0  "SGINDEX1"            magic (the same for every format: the version is in the metadata)
//   8  u32 crc32             of every byte from offset 16 to the end
//   12 u32 metaLength        JSON metadata length in bytes
//   16 meta (UTF-8 JSON), zero-padded to a multiple of 8
//   .. u32[2^bucketBits + 1] bucket start offsets (entry numbers)
//   .. u8[entries × entryBytes] the entries, each one's fields side by side so a probe reads one
//      cache line (format 2 kept them in three arrays: three misses a probe). Sorted within a
//      bucket by key.
//        [key >>> 24, key >>> 16, key >>> 8, key, set]            entryBytes 5: ≤ 256 category sets
//        [key >>> 24, key >>> 16, key >>> 8, key, set, set >>> 8]  entryBytes 6: more
//      key: the second hash's low 24 bits, then the 8 bits of the first hash below the bucket
//      bits (32 bits beyond the bucket: a name not listed matches one with probability ~2e-9 a
//      probe); set: the category-set id (UT1 has a few dozen sets).
// About 5 bytes a name plus 0.5-1 for the bucket table: 5M names are ~30 MB in memory.
// Formats 1-3 are refused with "recompile" (format 3 kept all 32 bits of the second hash: 6 bytes an entry).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

export const MAGIC = 'SGINDEX1';
export const FORMAT_VERSION = 4;

export interface CategoryMeta {
  name: string;
  kind: 'block' | 'allow';
  /** the list (config name) it came from */
  list: string;
  /** distinct names listed */
  count: number;
}

export interface ListReport {
  name: string;
  source: string;
  format: string;
  /** ok: compiled from a fresh copy; kept: this run failed, the last good copy was used; failed: no usable copy */
  status: 'ok' | 'kept' | 'failed';
  error?: string;
  /** when the copy in use was fetched or read */
  fetchedAt?: string;
  accepted: number;
  rejected: Record<string, number>;
  skipped: number;
  ips: number;
}

export interface IndexMeta {
  version: number;
  createdAt: string;
  /** hash of the list configuration it was compiled from: a changed config needs a recompile */
  listsKey: string;
  bucketBits: number;
  entries: number;
  /** bytes an entry: 5 while there are ≤ 256 category sets, else 6 */
  entryBytes: 5 | 6;
  categories: CategoryMeta[];
  /** category-set id → category ids */
  catsets: number[][];
  /** IP addresses found in lists, per category (for the firewall's bypass sets) */
  ips: Record<string, string[]>;
  lists: ListReport[];
}

export interface IndexArrays {
  bucketStarts: Uint32Array;
  /** `entryBytes` bytes an entry (see the layout above) */
  entries: Uint8Array;
}

export type DecodeResult = { ok: true; meta: IndexMeta; arrays: IndexArrays } | { ok: false; error: string };

const align8 = (n: number) => (n + 7) & ~7;

/** Byte offsets of the arrays after the metadata, and the total size. */
function layout(metaLength: number, bucketBits: number, n: number, entryBytes: number) {
  const buckets = 2 ** bucketBits + 1;
  const bucketsAt = 16 + align8(metaLength);
  const entriesAt = bucketsAt + buckets * 4;
  return { buckets, bucketsAt, entriesAt, size: entriesAt + n * entryBytes };
}

export function encodeIndex(meta: IndexMeta, arrays: IndexArrays): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const at = layout(metaBytes.length, meta.bucketBits, meta.entries, meta.entryBytes);
  const out = Buffer.alloc(at.size);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(metaBytes.length, 12);
  metaBytes.copy(out, 16);
  const put = (arr: Uint32Array | Uint8Array, offset: number) => Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).copy(out, offset);
  put(arrays.bucketStarts, at.bucketsAt);
  put(arrays.entries, at.entriesAt);
  out.writeUInt32LE(crc32(out.subarray(16)), 8);
  return out;
}

export function decodeIndex(buf: Buffer): DecodeResult {
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC) return { ok: false, error: 'not a schoolgate index (bad magic)' };
  if (crc32(buf.subarray(16)) !== buf.readUInt32LE(8)) return { ok: false, error: 'index checksum mismatch (corrupt file)' };
  const metaLength = buf.readUInt32LE(12);
  if (16 + metaLength > buf.length) return { ok: false, error: 'index metadata truncated' };
  let meta: IndexMeta;
  try {
    meta = JSON.parse(buf.toString('utf8', 16, 16 + metaLength)) as IndexMeta;
  } catch {
    return { ok: false, error: 'index metadata is not JSON' };
  }
  if (typeof meta !== 'object' || meta === null) return { ok: false, error: 'index metadata is not an object' };
  if (meta.version !== FORMAT_VERSION) return { ok: false, error: `index format ${String(meta.version)} is not ${FORMAT_VERSION}: recompile with "schoolgate lists update"` };
  const n = meta.entries;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(meta.bucketBits) || meta.bucketBits < 8 || meta.bucketBits > 24 || (meta.entryBytes !== 5 && meta.entryBytes !== 6)
    || !Array.isArray(meta.categories) || !Array.isArray(meta.catsets)) return { ok: false, error: 'index metadata is malformed' };
  const at = layout(metaLength, meta.bucketBits, n, meta.entryBytes);
  if (at.size !== buf.length) return { ok: false, error: 'index size does not match its metadata (truncated?)' };
  // Views need 4-byte alignment; a file read by readIndexFile is, a pooled Buffer may not be.
  const aligned = buf.byteOffset % 8 === 0 ? buf : Buffer.from(buf);
  const ab = aligned.buffer;
  const base = aligned.byteOffset;
  const arrays: IndexArrays = {
    bucketStarts: new Uint32Array(ab, base + at.bucketsAt, at.buckets),
    entries: new Uint8Array(ab, base + at.entriesAt, n * meta.entryBytes),
  };
  const check = validate(meta, arrays);
  return check ? { ok: false, error: check } : { ok: true, meta, arrays };
}

function validate(meta: IndexMeta, a: IndexArrays): string | undefined {
  const { bucketStarts, entries } = a;
  if (bucketStarts[0] !== 0 || bucketStarts[bucketStarts.length - 1] !== meta.entries) return 'bucket table does not span the entries';
  for (let i = 1; i < bucketStarts.length; i++) if (bucketStarts[i] < bucketStarts[i - 1]) return 'bucket table is not ordered';
  const sets = meta.catsets.length;
  const size = meta.entryBytes;
  for (let k = 0, i = 0; k < entries.length; k += size, i++) {
    const set = entries[k + 4] | (size === 6 ? entries[k + 5] << 8 : 0);
    if (set >= sets) return `entry ${i} names an unknown category set`;
  }
  for (const set of meta.catsets) {
    if (!Array.isArray(set)) return 'category set is not a list';
    for (const c of set) if (!(Number.isInteger(c) && c >= 0 && c < meta.categories.length)) return 'category set names an unknown category';
  }
  return undefined;
}

/** Reads a whole file into one 8-byte-aligned buffer that the index views share (no copy). */
export function readIndexFile(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.from(new ArrayBuffer(size));
    let done = 0;
    while (done < size) {
      const n = readSync(fd, buf, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return done === size ? buf : buf.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** Just the metadata of an index file (no arrays, no checksum): for reports and diffs. */
export async function readIndexMeta(path: string): Promise<IndexMeta | undefined> {
  try {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(16);
      await fh.read(head, 0, 16, 0);
      if (head.toString('latin1', 0, 8) !== MAGIC) return undefined;
      const length = head.readUInt32LE(12);
      if (length > 256 * 1024 * 1024) return undefined;
      const metaBytes = Buffer.alloc(length);
      await fh.read(metaBytes, 0, metaBytes.length, 16);
      return JSON.parse(metaBytes.toString('utf8')) as IndexMeta;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}
