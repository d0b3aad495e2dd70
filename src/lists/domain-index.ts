// Name → categories of the name and of every parent suffix. Lookups allocate nothing: results
// go into a caller-owned category bitset. The index holds fingerprints, not names: bucket bits
// and 8 more bits of one hash, 32 bits of another (48-64 bits); a probe matches a name not listed
// with probability ~ entries / 2^(40 + bucketBits) (5M entries, 20 bucket bits: ~5e-12).
import { fingerprint, walkSuffixes, walkWireSuffixes } from './domain-hash.js';
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
  private readonly shift: number;
  private readonly lowShift: number;
  /** catset id → bitset, `words` words each */
  private readonly catsetBits: Uint32Array;
  // Walk state, kept on the instance so the per-suffix visitor is allocated once.
  private out: CategoryBits;
  private hits = 0;
  /** names added at runtime (a reported site approved) until the next compile lists them */
  private overlay: Map<number, { h2: number; bits: Uint32Array }[]> | undefined;
  private readonly visit: (h1: number, h2: number) => boolean;

  constructor(meta: IndexMeta, arrays: IndexArrays) {
    this.meta = meta;
    this.categories = meta.categories;
    this.a = arrays;
    this.shift = 32 - meta.bucketBits;
    this.lowShift = this.shift - 8;
    this.words = Math.max(1, Math.ceil(meta.categories.length / 32));
    this.byName = new Map(meta.categories.map((c, i) => [c.name, i]));
    this.catsetBits = new Uint32Array(meta.catsets.length * this.words);
    meta.catsets.forEach((set, id) => {
      for (const c of set) this.catsetBits[id * this.words + (c >>> 5)] |= 1 << (c & 31);
    });
    this.out = new Uint32Array(this.words);
    this.visit = (h1, h2) => {
      const set = this.probe(h1, h2);
      if (set >= 0) {
        const base = set * this.words;
        for (let w = 0; w < this.words; w++) this.out[w] |= this.catsetBits[base + w];
        this.hits++;
      }
      if (this.overlay !== undefined) this.probeOverlay(h1, h2);
      return true;
    };
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

  /** ORs the categories of `name` and its parents into `out`; returns the number of suffixes listed. */
  lookupInto(name: string, out: CategoryBits): number {
    out.fill(0);
    this.out = out;
    this.hits = 0;
    walkSuffixes(name, this.visit);
    return this.hits;
  }

  /** The same for a wire-format question name (see walkWireSuffixes). */
  lookupWireInto(buf: Uint8Array, labelOffsets: Uint16Array, labelCount: number, out: CategoryBits): number {
    out.fill(0);
    this.out = out;
    this.hits = 0;
    walkWireSuffixes(buf, labelOffsets, labelCount, this.visit);
    return this.hits;
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
    const next = new DomainIndex(this.meta, this.a);
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

  private probeOverlay(h1: number, h2: number): void {
    const entry = this.overlay?.get(h1)?.find((e) => e.h2 === h2);
    if (!entry) return;
    for (let w = 0; w < this.words; w++) this.out[w] |= entry.bits[w];
    this.hits++;
  }

  /** Category-set id of the fingerprint, or -1. */
  private probe(h1: number, h2: number): number {
    const { bucketStarts, fp, fpLow, catset } = this.a;
    const b = h1 >>> this.shift;
    const low = (h1 >>> this.lowShift) & 0xff;
    for (let i = bucketStarts[b], end = bucketStarts[b + 1]; i < end; i++) {
      const f = fp[i];
      if (f === h2) {
        if (fpLow[i] === low) return catset[i];
      } else if (f > h2) {
        return -1;
      }
    }
    return -1;
  }
}
