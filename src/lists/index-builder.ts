// Collects (fingerprint, category) pairs from the parsers and compiles them into the index
// arrays: counting sort by bucket, sort inside each bucket, merge duplicates into category sets.
// Names are hashed as they arrive and never kept, so 5M names cost ~12 bytes each here.
import { fingerprint } from './domain-hash.js';
import type { CategoryMeta, IndexArrays, IndexMeta, ListReport } from './index-file.js';
import { FORMAT_VERSION } from './index-file.js';

class GrowableU32 {
  data = new Uint32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

export interface BuilderMark {
  entries: number;
  categories: Map<string, number>;
  ips: number;
}

export class IndexBuilder {
  private readonly h1 = new GrowableU32();
  private readonly h2 = new GrowableU32();
  private readonly cat = new GrowableU32();
  private readonly categoryIds = new Map<string, number>();
  private readonly categoryList: CategoryMeta[] = [];
  private readonly ipEntries: { cat: string; ip: string }[] = [];

  /** Registers a category (first list to name it owns it). */
  category(name: string, list: string, kind: 'block' | 'allow'): number {
    let id = this.categoryIds.get(name);
    if (id === undefined) {
      id = this.categoryList.length;
      if (id >= 0xffff) throw new Error('too many categories');
      this.categoryIds.set(name, id);
      this.categoryList.push({ name, kind, list, count: 0 });
    }
    return id;
  }

  setKind(name: string, kind: 'block' | 'allow'): void {
    const id = this.categoryIds.get(name);
    if (id !== undefined) this.categoryList[id].kind = kind;
  }

  /** Adds a normalised name. */
  add(name: string, categoryId: number): void {
    const [a, b] = fingerprint(name);
    this.h1.push(a);
    this.h2.push(b);
    this.cat.push(categoryId);
  }

  addIp(category: string, ip: string): void {
    this.ipEntries.push({ cat: category, ip });
  }

  get pending(): number {
    return this.h1.length;
  }

  /** A point to roll back to if a source turns out corrupt halfway through. */
  mark(): BuilderMark {
    return { entries: this.h1.length, categories: new Map(this.categoryIds), ips: this.ipEntries.length };
  }

  rollback(mark: BuilderMark): void {
    this.h1.length = this.h2.length = this.cat.length = mark.entries;
    this.ipEntries.length = mark.ips;
    for (const name of [...this.categoryIds.keys()]) if (!mark.categories.has(name)) this.categoryIds.delete(name);
    this.categoryList.length = this.categoryIds.size;
  }

  /** Once: it reuses the collected arrays. */
  build(lists: ListReport[], listsKey: string, now: Date): { meta: IndexMeta; arrays: IndexArrays } {
    const n = this.h1.length;
    // 4-8 entries a bucket: the table costs 0.5-1 byte a name, a probe scans a few sorted entries in one or two cache lines.
    const bucketBits = Math.max(8, Math.min(24, Math.floor(Math.log2(Math.max(1, n / 4)))));
    const shift = 32 - bucketBits;
    const buckets = 2 ** bucketBits;
    const h1 = this.h1.data;
    const h2 = this.h2.data;
    const cat = this.cat.data;

    // Counting sort of entry numbers by bucket.
    const starts = new Uint32Array(buckets + 1);
    for (let i = 0; i < n; i++) starts[(h1[i] >>> shift) + 1]++;
    for (let b = 0; b < buckets; b++) starts[b + 1] += starts[b];
    const order = new Uint32Array(n);
    const fill = starts.slice(0, buckets);
    for (let i = 0; i < n; i++) order[fill[h1[i] >>> shift]++] = i;

    // Inside each bucket: sort by key (h2's low 24 bits, then 8 more bits of h1: see
    // index-file.ts), then merge equal keys. The set ids are known only after the merge, so
    // entries are packed once the width is known.
    const outKeys = new Uint32Array(n);
    const catsetOf = new Uint16Array(n);
    const outStarts = new Uint32Array(buckets + 1);
    const catsetIds = new Map<string, number>();
    const catsets: number[][] = [];
    const counts = new Uint32Array(this.categoryList.length);
    let out = 0;
    // The keys replace the second hashes in place (build is the builder's last step).
    const key = h2;
    for (let i = 0; i < n; i++) key[i] = (h2[i] << 8) | ((h1[i] << bucketBits) >>> 24);
    const cmp = (x: number, y: number) => key[x] - key[y] || cat[x] - cat[y];
    for (let b = 0; b < buckets; b++) {
      outStarts[b] = out;
      const slice = order.subarray(starts[b], starts[b + 1]);
      insertionSort(slice, cmp);
      for (let k = 0; k < slice.length; ) {
        const first = key[slice[k]];
        const cats: number[] = [];
        while (k < slice.length && key[slice[k]] === first) {
          const c = cat[slice[k]];
          if (cats[cats.length - 1] !== c) cats.push(c);
          k++;
        }
        for (const c of cats) counts[c]++;
        const setKey = cats.join(',');
        let id = catsetIds.get(setKey);
        if (id === undefined) {
          id = catsets.length;
          if (id > 0xffff) throw new Error('too many distinct category combinations');
          catsetIds.set(setKey, id);
          catsets.push(cats);
        }
        outKeys[out] = first;
        catsetOf[out] = id;
        out++;
      }
    }
    outStarts[buckets] = out;
    const entryBytes = catsets.length <= 256 ? 5 : 6;
    const entries = new Uint8Array(out * entryBytes);
    for (let i = 0, k = 0; i < out; i++, k += entryBytes) {
      const v = outKeys[i];
      entries[k] = v >>> 24;
      entries[k + 1] = v >>> 16;
      entries[k + 2] = v >>> 8;
      entries[k + 3] = v;
      entries[k + 4] = catsetOf[i];
      if (entryBytes === 6) entries[k + 5] = catsetOf[i] >>> 8;
    }

    const ips: Record<string, string[]> = {};
    for (const { cat: c, ip } of this.ipEntries) (ips[c] ??= []).push(ip);
    for (const list of Object.values(ips)) list.splice(0, list.length, ...new Set(list));
    const categories = this.categoryList.map((c, i) => ({ ...c, count: counts[i] }));
    const meta: IndexMeta = { version: FORMAT_VERSION, createdAt: now.toISOString(), listsKey, bucketBits, entries: out, entryBytes, categories, catsets, ips, lists };
    return { meta, arrays: { bucketStarts: outStarts, entries } };
  }
}

/** Buckets hold ~4 entries: insertion sort in place beats allocating an array per bucket. */
function insertionSort(a: Uint32Array, cmp: (x: number, y: number) => number): void {
  for (let i = 1; i < a.length; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && cmp(a[j], v) > 0) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}
