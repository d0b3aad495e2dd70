// The prefilter (a two-bit Bloom filter of h1's top bits and h2's low bits, built at load) may only say "not listed" for names
// that are not: every compiled name and its subdomains are still found, in string and wire form,
// at every prefilter size (bucket bits + 5, and capped at 2^24 bits), and so are the names of
// the runtime overlay (withAdditions), which are not in the bitmap.
import t from 'tap';
import { IndexBuilder } from '../../src/lists/index-builder.js';
import { decodeIndex, encodeIndex, FORMAT_VERSION } from '../../src/lists/index-file.js';
import type { IndexArrays, IndexMeta } from '../../src/lists/index-file.js';
import { DomainIndex } from '../../src/lists/index.js';
import { fingerprint } from '../../src/lists/domain-hash.js';
import { rng } from '../../bench/synthetic-lists.js';
import { wire } from './wire-name.js';

const categories = ['adult', 'games', 'malware'];
/** name i's category: a deterministic spread over the three */
const categoryOf = (i: number) => categories[i % 3];

function listedNames(n: number, seed: number): string[] {
  const next = rng(seed);
  const tlds = ['com', 'fr', 'example', 'org'];
  return Array.from({ length: n }, (_, i) => `${Math.floor(next() * 1e9).toString(36)}-${i}.${tlds[i % tlds.length]}`);
}

function compiled(names: string[]): DomainIndex {
  const b = new IndexBuilder();
  const ids = categories.map((c) => b.category(c, 'test', 'block'));
  names.forEach((name, i) => b.add(name, ids[i % 3]));
  const { meta, arrays } = b.build([], 'test', new Date('2026-01-01T00:00:00Z'));
  const d = decodeIndex(encodeIndex(meta, arrays));
  if (!d.ok) throw new Error(d.error);
  return new DomainIndex(d.meta, d.arrays);
}

/**
 * The same entries laid out with `bucketBits` chosen here (the builder picks it from the count):
 * so a small test reaches the bucket bits of 5M names and more, where the prefilter is capped.
 */
function withBucketBits(names: string[], bucketBits: number): DomainIndex {
  const rows = names.map((name, i) => {
    const [h1, h2] = fingerprint(name);
    return { bucket: h1 >>> (32 - bucketBits), key: ((h2 << 8) | ((h1 << bucketBits) >>> 24)) >>> 0, set: i % 3 };
  }).sort((x, y) => x.bucket - y.bucket || x.key - y.key);
  const bucketStarts = new Uint32Array(2 ** bucketBits + 1);
  for (const r of rows) bucketStarts[r.bucket + 1]++;
  for (let b = 0; b < 2 ** bucketBits; b++) bucketStarts[b + 1] += bucketStarts[b];
  const entries = new Uint8Array(rows.length * 5);
  rows.forEach((r, i) => entries.set([r.key >>> 24, (r.key >>> 16) & 0xff, (r.key >>> 8) & 0xff, r.key & 0xff, r.set], i * 5));
  const meta: IndexMeta = {
    version: FORMAT_VERSION, createdAt: '2026-01-01T00:00:00Z', listsKey: 'test', bucketBits, entries: rows.length, entryBytes: 5,
    categories: categories.map((name) => ({ name, kind: 'block', list: 'test', count: 0 })), catsets: [[0], [1], [2]], ips: {}, lists: [],
  };
  const arrays: IndexArrays = { bucketStarts, entries };
  const d = decodeIndex(encodeIndex(meta, arrays));
  if (!d.ok) throw new Error(d.error);
  return new DomainIndex(d.meta, d.arrays);
}

/** Names (of `names`) that `idx` does not answer with their own category, as a name and as two subdomains, string and wire form. */
function missing(idx: DomainIndex, names: string[], want: (i: number) => string): string[] {
  const bits = idx.newBits();
  const missed: string[] = [];
  names.forEach((name, i) => {
    for (const q of [name, `www.${name}`, `a.B.${name.toUpperCase()}`]) {
      const got = idx.lookupInto(q, bits) > 0 ? idx.namesOf(bits).join() : '';
      const w = wire(q);
      const gotWire = idx.lookupWireInto(w.buf, w.offsets, w.count, bits) > 0 ? idx.namesOf(bits).join() : '';
      if (got !== want(i) || gotWire !== want(i)) missed.push(`${q}: ${got} / ${gotWire}`);
    }
  });
  return missed;
}

t.test('every compiled name and its subdomains are found (200k names, prefilter 2^20 bits)', async (t) => {
  const names = listedNames(200_000, 1);
  const idx = compiled(names);
  t.equal(idx.meta.bucketBits, 15);
  t.equal(idx.prefilterBytes, 2 ** 20 / 8, 'bucket bits + 5: 128 KiB');
  const missed = missing(idx, names, categoryOf);
  t.equal(missed.length, 0, `missed: ${missed.slice(0, 5).join('; ')}`);
  // Unlisted names and parents stay unlisted (the prefilter passes some; the table answers them).
  const bits = idx.newBits();
  let falseHits = 0;
  for (const name of listedNames(20_000, 2)) if (idx.lookupInto(`x.${name}`, bits) > 0) falseHits++;
  t.equal(falseHits, 0, 'no unlisted name found');
  // Two bits an entry: at ~6 entries a word, ~11 % of unlisted names pass (one bit: ~17 %).
  const unlisted = listedNames(20_000, 5).map((n) => `x.${n}`);
  const passed = unlisted.filter((n) => idx.passesPrefilter(n)).length / unlisted.length;
  t.ok(passed > 0.08 && passed < 0.14, `unlisted names passing the prefilter: ${(passed * 100).toFixed(1)} %`);
  t.ok(names.slice(0, 1000).every((n) => idx.passesPrefilter(n)), 'listed names pass');
});

t.test('at the bucket bits of 5M names and beyond, the capped prefilter hides nothing', async (t) => {
  const names = listedNames(30_000, 3);
  for (const [bucketBits, bytes] of [[8, 2 ** 13 / 8], [19, 2 ** 24 / 8], [20, 2 ** 24 / 8], [22, 2 ** 24 / 8], [24, 2 ** 24 / 8]]) {
    const idx = withBucketBits(names, bucketBits);
    t.equal(idx.prefilterBytes, bytes, `${bucketBits} bucket bits: ${bytes} bytes`);
    const missed = missing(idx, names, categoryOf);
    t.equal(missed.length, 0, `${bucketBits} bucket bits, missed: ${missed.slice(0, 5).join('; ')}`);
    t.same(idx.categoriesOf('not-listed-at-all.example'), []);
  }
});

t.test('overlay names (not in the prefilter) are found, with their subdomains; the table still is', async (t) => {
  const names = listedNames(50_000, 4);
  const base = compiled(names);
  const added = listedNames(2_000, 5).map((name) => `added-${name}`);
  const idx = base.withAdditions(added.map((name, i) => ({ name, category: categoryOf(i + 1) })));
  t.equal(idx.prefilterBytes, base.prefilterBytes, 'the overlay index shares the bitmap');
  const missedAdded = missing(idx, added, (i) => categoryOf(i + 1));
  t.equal(missedAdded.length, 0, `every added name; missed: ${missedAdded.slice(0, 5).join('; ')}`);
  const missedListed = missing(idx, names, categoryOf);
  t.equal(missedListed.length, 0, `every compiled name; missed: ${missedListed.slice(0, 5).join('; ')}`);
  t.same(base.categoriesOf(`www.${added[0]}`), [], 'the index it came from does not have them');
  // An addition to a name the table lists: both categories.
  const both = base.withAdditions([{ name: names[0], category: 'malware' }]);
  t.same(both.categoriesOf(`www.${names[0]}`), ['adult', 'malware']);
  t.same(both.explain(`www.${added[0]}`), []);
  t.same(idx.explain(`www.${added[0]}`), [{ suffix: added[0], categories: [categoryOf(1)] }]);
});
