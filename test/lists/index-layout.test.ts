// The compiled index's binary layout (format 4): entries of five bytes while there are ≤ 256
// category sets, six beyond; old and damaged files are clear errors, never a crash.
import t from 'tap';
import { crc32 } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IndexBuilder } from '../../src/lists/index-builder.js';
import { FORMAT_VERSION, decodeIndex, encodeIndex } from '../../src/lists/index-file.js';
import type { IndexMeta } from '../../src/lists/index-file.js';
import { DomainIndex } from '../../src/lists/index.js';
import { fingerprint, walkSuffixes } from '../../src/lists/domain-hash.js';
import { rng } from '../../bench/synthetic-lists.js';
import { tempDir } from '../helpers/daemon.js';
import { wire } from './wire-name.js';

/** `names` names, name i in the categories whose bit is set in combos[i % combos.length]. */
function build(categories: number, combos: number[], names: number) {
  const b = new IndexBuilder();
  const ids = Array.from({ length: categories }, (_, c) => b.category(`cat${c}`, 'test', 'block'));
  const want = new Map<string, string[]>();
  for (let i = 0; i < names; i++) {
    const name = `n${i}.example`;
    const combo = combos[i % combos.length];
    const cats: string[] = [];
    for (let c = 0; c < categories; c++) {
      if (combo & (1 << c)) {
        b.add(name, ids[c]);
        cats.push(`cat${c}`);
      }
    }
    want.set(name, cats);
  }
  return { ...b.build([], 'test', new Date('2026-01-01T00:00:00Z')), want };
}

function load(file: Buffer): DomainIndex {
  const d = decodeIndex(file);
  if (!d.ok) throw new Error(d.error);
  return new DomainIndex(d.meta, d.arrays);
}

/** Rewrites the metadata (and the checksum, so the structure checks are what answer). */
function withMeta(file: Buffer, edit: (meta: Record<string, unknown>) => void): Buffer {
  const metaLength = file.readUInt32LE(12);
  const meta = JSON.parse(file.toString('utf8', 16, 16 + metaLength)) as Record<string, unknown>;
  edit(meta);
  const bytes = Buffer.from(JSON.stringify(meta));
  const pad = ((metaLength + 7) & ~7) - metaLength;
  const rest = file.subarray(16 + metaLength + pad);
  const head = Buffer.alloc(16);
  file.copy(head, 0, 0, 8);
  head.writeUInt32LE(bytes.length, 12);
  const out = Buffer.concat([head, bytes, Buffer.alloc(((bytes.length + 7) & ~7) - bytes.length), rest]);
  out.writeUInt32LE(crc32(out.subarray(16)), 8);
  return out;
}

t.test('a few category sets: five bytes an entry, ~6 bytes a name in all', async (t) => {
  const n = 20_000;
  const { meta, arrays, want } = build(5, [1, 2, 4, 8, 16, 3, 5], n);
  t.equal(meta.entryBytes, 5);
  t.equal(arrays.entries.length, n * 5);
  const file = encodeIndex(meta, arrays);
  const metaBytes = file.readUInt32LE(12);
  const perName = (file.length - 16 - metaBytes) / n;
  t.ok(perName >= 5 && perName <= 6.1, `${perName.toFixed(2)} bytes a name`);
  const idx = load(file);
  for (const [name, cats] of want) {
    if (idx.categoriesOf(name).join() !== cats.join()) {
      t.fail(`${name}: ${idx.categoriesOf(name).join()} is not ${cats.join()}`);
      return;
    }
  }
  t.same(idx.categoriesOf(`www.n7.example`), want.get('n7.example'), 'subdomains inherit');
  t.same(idx.categoriesOf('n20000.example'), [], 'an unlisted name');
});

t.test('more than 256 category sets: six bytes an entry, same answers', async (t) => {
  // 10 categories, 300 distinct non-empty combinations.
  const combos = Array.from({ length: 300 }, (_, i) => i + 1);
  const { meta, arrays, want } = build(10, combos, 3000);
  t.equal(meta.catsets.length, 300);
  t.equal(meta.entryBytes, 6);
  t.equal(arrays.entries.length, 3000 * 6);
  const idx = load(encodeIndex(meta, arrays));
  let wrong = 0;
  for (const [name, cats] of want) if (idx.categoriesOf(name).join() !== cats.join()) wrong++;
  t.equal(wrong, 0, 'every name gets its own categories');
  t.same(idx.categoriesOf('x.n299.example'), want.get('n299.example'));
});

t.test('exactly 256 sets still fit in five bytes', async (t) => {
  const combos = Array.from({ length: 256 }, (_, i) => i + 1);
  const { meta, arrays, want } = build(9, combos, 1024);
  t.equal(meta.catsets.length, 256);
  t.equal(meta.entryBytes, 5);
  const idx = load(encodeIndex(meta, arrays));
  t.same(idx.categoriesOf('n255.example'), want.get('n255.example'));
});

t.test('an index of a previous format asks for a recompile', async (t) => {
  const { meta, arrays } = build(3, [1, 2, 4], 100);
  for (const version of [1, 2, 3]) {
    const r = decodeIndex(withMeta(encodeIndex(meta, arrays), (m) => { m.version = version; delete m.entryBytes; m.entryWords = 3; }));
    t.notOk(r.ok, `format ${version}`);
    if (!r.ok) t.match(r.error, new RegExp(`index format ${version} is not ${FORMAT_VERSION}: recompile with "schoolgate lists update"`));
  }
  // A real format-2 file (written by the format-2 compiler: 40 names, one category).
  const old = readFileSync(new URL('../fixtures/index-format2.sgi', import.meta.url));
  const r2 = decodeIndex(old);
  t.notOk(r2.ok);
  if (!r2.ok) t.match(r2.error, /index format 2 is not 4: recompile/);
  // From disk, as the daemon loads it at start (it then recompiles: src/daemon/index-loader.ts).
  const d = tempDir();
  t.teardown(d.cleanup);
  writeFileSync(join(d.dir, 'current.sgi'), old);
  const loaded = DomainIndex.fromFile(join(d.dir, 'current.sgi'));
  t.notOk(loaded.ok);
  if (!loaded.ok) t.match(loaded.error, /recompile/);
});

t.test('damaged metadata with a valid checksum: a clear error', async (t) => {
  const { meta, arrays } = build(3, [1, 2, 4], 500);
  const file = encodeIndex(meta, arrays);
  const cases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
    ['entries off by one', (m) => { m.entries = (m.entries as number) + 1; }, /size does not match/],
    ['negative entries', (m) => { m.entries = -4; }, /malformed/],
    ['huge bucketBits', (m) => { m.bucketBits = 40; }, /malformed/],
    ['bucketBits 0', (m) => { m.bucketBits = 0; }, /malformed/],
    ['entryBytes 4', (m) => { m.entryBytes = 4; }, /malformed/],
    ['entryBytes missing', (m) => { delete m.entryBytes; }, /malformed/],
    ['entryBytes 6 on a five-byte file', (m) => { m.entryBytes = 6; }, /size does not match/],
    ['a set naming a missing category', (m) => { (m.catsets as number[][])[0] = [99]; }, /unknown category/],
    ['catsets not a list', (m) => { m.catsets = 'x'; }, /malformed/],
    ['fewer sets than the ids use', (m) => { m.catsets = [[0]]; }, /unknown category set/],
  ];
  for (const [name, edit, want] of cases) {
    const r = decodeIndex(withMeta(file, edit));
    t.notOk(r.ok, name);
    if (!r.ok) t.match(r.error, want, name);
  }
  const notObject = decodeIndex(withMeta(file, () => undefined).fill(0x20, 16, 16 + file.readUInt32LE(12)));
  t.notOk(notObject.ok, 'blank metadata');
});

t.test('fuzz: every truncation and random damage is an error or a working index, never a throw', async (t) => {
  const { meta, arrays } = build(4, [1, 2, 4, 8, 3], 2000);
  const file = encodeIndex(meta, arrays);
  const next = rng(42);
  let errors = 0;
  let loads = 0;
  const tryDecode = (buf: Buffer) => {
    const r = decodeIndex(buf);
    if (!r.ok) {
      errors++;
      return;
    }
    loads++;
    const idx = new DomainIndex(r.meta, r.arrays);
    for (let i = 0; i < 50; i++) idx.categoriesOf(`www.n${i}.example`);
  };
  for (let len = 0; len < file.length; len += 1 + Math.floor(next() * 61)) tryDecode(file.subarray(0, len));
  for (let round = 0; round < 300; round++) {
    const damaged = Buffer.from(file);
    const flips = 1 + Math.floor(next() * 8);
    for (let f = 0; f < flips; f++) damaged[16 + Math.floor(next() * (damaged.length - 16))] ^= 1 << Math.floor(next() * 8);
    // Half the time with a matching checksum, so the structure checks (not the CRC) answer.
    if (round % 2 === 0) damaged.writeUInt32LE(crc32(damaged.subarray(16)), 8);
    tryDecode(damaged);
  }
  t.ok(errors > 0, `${errors} refused, ${loads} loaded (damage in the fingerprints only changes answers)`);
});

t.test('the metadata records what the loader needs', async (t) => {
  const { meta } = build(2, [1, 2], 10);
  const keys: (keyof IndexMeta)[] = ['version', 'bucketBits', 'entries', 'entryBytes', 'catsets', 'categories'];
  for (const k of keys) t.ok(k in meta, k);
  t.equal(meta.version, FORMAT_VERSION);
});

t.test('one pass from the end yields every suffix, shortest first, case folded', async (t) => {
  const seen: [number, number, number][] = [];
  walkSuffixes('www.Example.COM', (h1, h2, start) => {
    seen.push([h1, h2, start]);
    return true;
  });
  t.same(seen.map((s) => s[2]), [12, 4, 0], 'where each suffix starts');
  t.same(seen.map((s) => [s[0], s[1]]), ['com', 'example.com', 'www.example.com'].map(fingerprint));
  const stopped: number[] = [];
  walkSuffixes('a.b.c', (_h1, _h2, start) => { stopped.push(start); return false; });
  t.same(stopped, [4], 'the visitor can stop the walk');
});

t.test('an entry is one packed record: 24 bits of the second hash, 8 bits of the first, category set', async (t) => {
  const b = new IndexBuilder();
  b.category('zero', 'test', 'block');
  const one = b.category('one', 'test', 'block');
  b.add('only.example', one);
  const { meta, arrays } = b.build([], 'test', new Date('2026-01-01T00:00:00Z'));
  const file = encodeIndex(meta, arrays);
  // Read the entry back from the file's bytes, not from the builder's arrays.
  const entriesAt = 16 + ((file.readUInt32LE(12) + 7) & ~7) + (2 ** meta.bucketBits + 1) * 4;
  t.equal(file.length - entriesAt, 5, 'one entry, five bytes');
  const [h1, h2] = fingerprint('only.example');
  t.equal(file.readUIntBE(entriesAt, 3), h2 & 0xffffff, 'bytes 0-2: the second hash\'s low 24 bits, high byte first');
  t.equal(file[entriesAt + 3], (h1 << meta.bucketBits) >>> 24, 'byte 3: the first hash below the bucket bits');
  t.same(meta.catsets[file[entriesAt + 4]], [one], 'byte 4: the category set');
  const bucket = h1 >>> (32 - meta.bucketBits);
  const starts = new Uint32Array(file.buffer, file.byteOffset + entriesAt - (2 ** meta.bucketBits + 1) * 4, 2 ** meta.bucketBits + 1);
  t.same([starts[bucket], starts[bucket + 1]], [0, 1], 'the bucket of the first hash holds it');
  t.same(load(file).categoriesOf('www.only.example'), ['one']);
});

t.test('wire-form and string lookups agree (upper case, subdomains, unlisted, 63-byte labels)', async (t) => {
  const { meta, arrays } = build(6, [1, 2, 4, 8, 16, 32, 3, 12], 5000);
  for (const { meta: m, arrays: a, bytes } of [{ meta, arrays, bytes: 5 }, { ...build(10, Array.from({ length: 300 }, (_, i) => i + 1), 3000), bytes: 6 }]) {
    t.equal(m.entryBytes, bytes);
    const idx = load(encodeIndex(m, a));
    const s = idx.newBits();
    const w = idx.newBits();
    const next = rng(bytes);
    let listed = 0;
    let wrong = 0;
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(next() * 6000);
      const name = [`n${n}.example`, `WWW.N${n}.Example`, `${'x'.repeat(63)}.n${n}.example`, `n${n}.example.org`, `a.b.c.n${n}.example`][i % 5];
      const q = wire(name);
      const hs = idx.lookupInto(name, s);
      const hw = idx.lookupWireInto(q.buf, q.offsets, q.count, w);
      if (hs !== hw || s.join() !== w.join()) wrong++;
      if (hs > 0) listed++;
    }
    t.equal(wrong, 0, `${bytes} bytes: same answers`);
    t.ok(listed > 1000, `${listed} of 3000 listed`);
  }
});

t.test('single-label entries (not from lists: the normaliser rejects them) and the empty name', async (t) => {
  const b = new IndexBuilder();
  const tld = b.category('tld', 'test', 'block');
  const site = b.category('site', 'test', 'block');
  b.add('zz', tld);
  b.add('a.zz', site);
  b.add('zz.example', site);
  const withTop = b.build([], 'test', new Date('2026-01-01T00:00:00Z'));
  const idx = load(encodeIndex(withTop.meta, withTop.arrays));
  t.same(idx.categoriesOf('zz'), ['tld']);
  t.same(idx.categoriesOf('x.a.zz'), ['tld', 'site']);
  t.same(idx.categoriesOf('b.zz'), ['tld']);
  t.same(idx.categoriesOf('zz.example'), ['site']);
  const q = wire('x.A.zz');
  const bits = idx.newBits();
  t.equal(idx.lookupWireInto(q.buf, q.offsets, q.count, bits), 2, 'wire form: both suffixes');

  const { meta, arrays } = build(2, [1, 2], 50);
  const plain = load(encodeIndex(meta, arrays));
  t.same(plain.categoriesOf('www.n1.example'), ['cat1']);
  t.same(plain.categoriesOf('example'), []);
  t.equal(plain.lookupInto('', plain.newBits()), 0, 'the empty name');
});

t.test('damaged entries: a set id beyond the sets in either width is refused', async (t) => {
  for (const [combos, cats, n] of [[[1, 2, 4], 3, 200], [Array.from({ length: 300 }, (_, i) => i + 1), 10, 600]] as const) {
    const { meta, arrays } = build(cats, [...combos], n);
    const bytes = meta.entryBytes;
    // Last entry: the set id's byte (5 bytes), or its high byte (6 bytes), out of range.
    const k = arrays.entries.length - bytes;
    if (bytes === 5) arrays.entries[k + 4] = 0xff;
    else arrays.entries[k + 5] = 0x7f;
    const r = decodeIndex(encodeIndex(meta, arrays));
    t.notOk(r.ok, `${bytes} bytes`);
    if (!r.ok) t.match(r.error, /entry \d+ names an unknown category set/);
  }
});
