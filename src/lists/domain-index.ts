// Name → categories of the name and of every parent suffix. Lookups allocate nothing: results
// go into a caller-owned category bitset. The index holds fingerprints, not names: bucket bits
// and 8 more bits of one hash, 24 bits of another (40-56 bits); a probe matches a name not listed
// with probability ~ entries / 2^(32 + bucketBits) (1M entries, 17 bucket bits: ~2e-9).
// The lookup path inlines domain-hash.ts's walk (one pass from the end of the name, a probe at
// each dot) with its constants as literals: a visitor call a suffix, and imported bindings read
// in the per-character loop, cost more than the hashing (bench/out/lists.md). Layout and hash
// tests (test/lists/index-layout.test.ts) hold the two copies equal. A bitmap built at load (the
// prefilter: buildPrefilter) answers most unlisted suffixes without touching the table.
import { fingerprint, walkSuffixes } from './domain-hash.js';
import { decodeIndex, readIndexFile } from './index-file.js';
import type { CategoryMeta, IndexArrays, IndexMeta, ListReport } from './index-file.js';

/** One bit per category id, in 32-bit words. */
export type CategoryBits = Uint32Array;

export interface SuffixMatch {
  suffix: string;
  categories: string[];
}

let generations = 0;

export class DomainIndex {
  /** distinct per instance: what caches keep instead of a reference (one would keep a swapped-out index alive) */
  readonly generation = ++generations;
  readonly categories: readonly CategoryMeta[];
  readonly meta: IndexMeta;
  /** words per category bitset */
  readonly words: number;
  private readonly byName: Map<string, number>;
  private readonly a: IndexArrays;
  private readonly bucketStarts: Uint32Array;
  private readonly entries: Uint8Array;
  private readonly entryBytes: number;
  private readonly bucketBits: number;
  /** catset id → bitset, `words` words each */
  private readonly catsetBits: Uint32Array;
  /** one bit per value of h1's top `32 - prefilterShift` bits, set where an entry has them (see buildPrefilter) */
  private readonly prefilter: Uint32Array;
  private readonly prefilterShift: number;
  /** names added at runtime (a reported site approved) until the next compile lists them */
  private overlay: Map<number, { h2: number; bits: Uint32Array }[]> | undefined;

  constructor(meta: IndexMeta, arrays: IndexArrays, prefilter?: Uint32Array) {
    this.meta = meta;
    this.categories = meta.categories;
    this.a = arrays;
    this.bucketStarts = arrays.bucketStarts;
    this.entries = arrays.entries;
    this.entryBytes = meta.entryBytes;
    this.bucketBits = meta.bucketBits;
    this.words = Math.max(1, Math.ceil(meta.categories.length / 32));
    this.byName = new Map(meta.categories.map((c, i) => [c.name, i]));
    this.catsetBits = new Uint32Array(meta.catsets.length * this.words);
    meta.catsets.forEach((set, id) => {
      for (const c of set) this.catsetBits[id * this.words + (c >>> 5)] |= 1 << (c & 31);
    });
    this.prefilterShift = 32 - prefilterBits(meta.bucketBits);
    this.prefilter = prefilter ?? buildPrefilter(meta, arrays);
  }

  static fromFile(path: string): { ok: true; index: DomainIndex } | { ok: false; error: string } {
    let buf: Buffer;
    try {
      buf = readIndexFile(path);
    } catch (err) {
      return { ok: false, error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no compiled index yet' : String(err) };
    }
    const decoded = decodeIndex(buf);
    return decoded.ok ? { ok: true, index: new DomainIndex(decoded.meta, decoded.arrays) } : decoded;
  }

  get size(): number {
    return this.meta.entries;
  }

  /** Whether the prefilter lets `name` (the whole name, not its parents) through to the table (slow path: tests). */
  passesPrefilter(name: string): boolean {
    const [h1, h2] = fingerprint(name);
    const bit = h1 >>> this.prefilterShift;
    const mask = (1 << (bit & 31)) | (1 << (h2 & 31));
    return (this.prefilter[bit >>> 5] & mask) === mask;
  }

  /** memory of the prefilter bitmap (see buildPrefilter) */
  get prefilterBytes(): number {
    return this.prefilter.byteLength;
  }

  get lists(): readonly ListReport[] {
    return this.meta.lists;
  }

  newBits(): CategoryBits {
    return new Uint32Array(this.words);
  }

  categoryId(name: string): number | undefined {
    return this.byName.get(name);
  }

  /** Bitset of the named categories (names this index does not know are ignored). */
  bitsOf(names: Iterable<string>): CategoryBits {
    const bits = this.newBits();
    for (const n of names) {
      const id = this.byName.get(n);
      if (id !== undefined) bits[id >>> 5] |= 1 << (id & 31);
    }
    return bits;
  }

  /**
   * ORs the categories of `name` and its parents into `out`; returns the number of suffixes listed.
   * One function with the prefilter test (and both fmix) written out: whether TurboFan inlined the
   * per-suffix calls differed from process to process (inlined bytecode 804 or 867), and a
   * process that got the smaller did 0.75-1.05M lookups/s instead of 1.5-2.7M. What is left as a
   * call runs only for suffixes that pass the prefilter.
   */
  lookupInto(name: string, out: CategoryBits): number {
    for (let w = 0; w < out.length; w++) out[w] = 0;
    if (name.length === 0) return 0;
    const prefilter = this.prefilter;
    const shift = this.prefilterShift;
    const overlay = this.overlay !== undefined;
    let h1 = 0x811c9dc5 | 0;
    let h2 = 0x9747b28c | 0;
    let hits = 0;
    // From the last character to one before the first, which counts as a dot: a probe at each
    // dot and one for the whole name.
    for (let i = name.length - 1; ; i--) {
      let c = i >= 0 ? name.charCodeAt(i) : 0x2e;
      if (c - 65 >>> 0 < 26) c |= 0x20;
      if (c === 0x2e) {
        let f = h1 ^ (h1 >>> 16);
        f = Math.imul(f, 0x85ebca6b);
        f ^= f >>> 13;
        f = Math.imul(f, 0xc2b2ae35);
        f = (f ^ (f >>> 16)) >>> 0;
        let g = h2 ^ (h2 >>> 16);
        g = Math.imul(g, 0x85ebca6b);
        g ^= g >>> 13;
        g = Math.imul(g, 0xc2b2ae35);
        g = (g ^ (g >>> 16)) >>> 0;
        const bit = f >>> shift;
        const mask = (1 << (bit & 31)) | (1 << (g & 31));
        if ((prefilter[bit >>> 5] & mask) === mask || overlay) hits += this.suffixInto(f, g, out);
        if (i < 0) return hits;
      }
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul((h2 + c) | 0, 0x5bd1e995);
    }
  }

  /** The same for a wire-format question name (see walkWireSuffixes), written out the same way. */
  lookupWireInto(buf: Uint8Array, labelOffsets: Uint16Array, labelCount: number, out: CategoryBits): number {
    for (let w = 0; w < out.length; w++) out[w] = 0;
    const prefilter = this.prefilter;
    const shift = this.prefilterShift;
    const overlay = this.overlay !== undefined;
    let h1 = 0x811c9dc5 | 0;
    let h2 = 0x9747b28c | 0;
    let hits = 0;
    for (let l = labelCount - 1; l >= 0; l--) {
      if (l !== labelCount - 1) {
        h1 = Math.imul(h1 ^ 0x2e, 0x01000193);
        h2 = Math.imul((h2 + 0x2e) | 0, 0x5bd1e995);
      }
      const at = labelOffsets[l];
      for (let i = at + buf[at]; i > at; i--) {
        let c = buf[i];
        if (c - 65 >>> 0 < 26) c |= 0x20;
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul((h2 + c) | 0, 0x5bd1e995);
      }
      let f = h1 ^ (h1 >>> 16);
      f = Math.imul(f, 0x85ebca6b);
      f ^= f >>> 13;
      f = Math.imul(f, 0xc2b2ae35);
      f = (f ^ (f >>> 16)) >>> 0;
      let g = h2 ^ (h2 >>> 16);
      g = Math.imul(g, 0x85ebca6b);
      g ^= g >>> 13;
      g = Math.imul(g, 0xc2b2ae35);
      g = (g ^ (g >>> 16)) >>> 0;
      const bit = f >>> shift;
      const mask = (1 << (bit & 31)) | (1 << (g & 31));
      if ((prefilter[bit >>> 5] & mask) === mask || overlay) hits += this.suffixInto(f, g, out);
    }
    return hits;
  }

  namesOf(bits: CategoryBits): string[] {
    const names: string[] = [];
    for (let id = 0; id < this.categories.length; id++) {
      if (bits[id >>> 5] & (1 << (id & 31))) names.push(this.categories[id].name);
    }
    return names;
  }

  categoriesOf(name: string): string[] {
    const bits = this.newBits();
    this.lookupInto(name, bits);
    return this.namesOf(bits);
  }

  /** Which listed suffix gave which categories (slow path: lookup explanations). */
  explain(name: string): SuffixMatch[] {
    const matches: SuffixMatch[] = [];
    walkSuffixes(name, (h1, h2, start) => {
      const set = this.probe(h1, h2);
      const extra = this.overlay?.get(h1)?.find((e) => e.h2 === h2);
      const ids = [...(set >= 0 ? this.meta.catsets[set] : [])];
      if (extra) for (let id = 0; id < this.categories.length; id++) if (extra.bits[id >>> 5] & (1 << (id & 31)) && !ids.includes(id)) ids.push(id);
      if (ids.length > 0) matches.push({ suffix: name.slice(start).toLowerCase(), categories: ids.map((c) => this.categories[c].name) });
      return true;
    });
    return matches.reverse();
  }

  /**
   * The same index plus `additions` (normalised names with a category it already has), for
   * names that must count from the next query, before a recompile lists them.
   */
  withAdditions(additions: readonly { name: string; category: string }[]): DomainIndex {
    const next = new DomainIndex(this.meta, this.a, this.prefilter);
    const overlay = new Map<number, { h2: number; bits: Uint32Array }[]>();
    for (const { name, category } of additions) {
      const id = this.byName.get(category);
      if (id === undefined) continue;
      const [h1, h2] = fingerprint(name);
      const bucket = overlay.get(h1) ?? [];
      let entry = bucket.find((e) => e.h2 === h2);
      if (!entry) {
        entry = { h2, bits: new Uint32Array(this.words) };
        bucket.push(entry);
      }
      entry.bits[id >>> 5] |= 1 << (id & 31);
      overlay.set(h1, bucket);
    }
    next.overlay = overlay.size > 0 ? overlay : undefined;
    return next;
  }

  /**
   * ORs the categories of one suffix (table and overlay) into `out`; 1 if it is listed.
   */
  private suffixInto(h1: number, h2: number, out: CategoryBits): number {
    let listed = 0;
    const bit = h1 >>> this.prefilterShift;
    const mask = (1 << (bit & 31)) | (1 << (h2 & 31));
    if ((this.prefilter[bit >>> 5] & mask) === mask) {
      const set = this.probe(h1, h2);
      if (set >= 0) {
        const base = set * this.words;
        for (let w = 0; w < out.length; w++) out[w] |= this.catsetBits[base + w];
        listed = 1;
      }
    }
    if (this.overlay !== undefined) {
      const entry = this.overlay.get(h1)?.find((e) => e.h2 === h2);
      if (entry) {
        for (let w = 0; w < out.length; w++) out[w] |= entry.bits[w];
        listed = 1;
      }
    }
    return listed;
  }

  /** Category-set id of the fingerprint, or -1 (entries sorted by key: see index-file.ts). */
  private probe(h1: number, h2: number): number {
    const e = this.entries;
    const size = this.entryBytes;
    const b = h1 >>> (32 - this.bucketBits);
    // The key's top byte settles most entries of a bucket; the other three only on a tie.
    const top = (h2 >>> 16) & 0xff;
    const rest = ((h2 & 0xffff) << 8) | ((h1 << this.bucketBits) >>> 24);
    for (let k = this.bucketStarts[b] * size, end = this.bucketStarts[b + 1] * size; k < end; k += size) {
      const t = e[k];
      if (t < top) continue;
      if (t > top) return -1;
      const r = (e[k + 1] << 16) | (e[k + 2] << 8) | e[k + 3];
      if (r < rest) continue;
      if (r > rest) return -1;
      return e[k + 4] | (size === 6 ? e[k + 5] << 8 : 0);
    }
    return -1;
  }
}

/**
 * The prefilter's size: the top bits of h1, the bucket bits and 5 more (~4-8 bits an entry, a
 * false positive rate of ~15 % at 1M names), at most 2^24 (2 MB, half this machine's per-core L2: at 5M
 * names that is 20 bucket bits and 4 more).
 */
export function prefilterBits(bucketBits: number): number {
  return Math.min(bucketBits + 5, 24);
}

/**
 * The prefilter, a Bloom filter of two bits an entry in one 32-bit word: the word and the first
 * bit are h1 >>> (32 - prefilterBits) (its bucket and the top bits of its tail), the second bit is
 * h2's low 5 bits. Most suffixes a lookup probes are not listed; for them this one read, in a
 * bitmap small enough to stay in L2, replaces a bucket-table read and a scan of the bucket: two
 * cache misses in a table bigger than L2. With the second bit ~15 % of unlisted suffixes pass at
 * 1M names instead of ~21 %, for the same memory (bench/out/lists.md).
 */
function buildPrefilter(meta: IndexMeta, arrays: IndexArrays): Uint32Array {
  const drop = meta.bucketBits + 8 - prefilterBits(meta.bucketBits);
  const bits = new Uint32Array(2 ** (prefilterBits(meta.bucketBits) - 5));
  const { bucketStarts, entries } = arrays;
  const size = meta.entryBytes;
  for (let b = 0, end = bucketStarts.length - 1; b < end; b++) {
    const high = b << 8;
    for (let i = bucketStarts[b] * size, stop = bucketStarts[b + 1] * size; i < stop; i += size) {
      // the key's last byte is the tail of h1, the one before it h2's low byte
      const bit = (high | entries[i + 3]) >>> drop;
      bits[bit >>> 5] |= (1 << (bit & 31)) | (1 << (entries[i + 2] & 31));
    }
  }
  return bits;
}

