// The list engine end to end on small files: parse, normalise, compile, load, look up.
import t from 'tap';
import type { Test } from 'tap';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DomainIndex, compileLists, indexPath } from '../../src/lists/index.js';
import type { ListSource } from '../../src/lists/index.js';
import { tempDir } from '../helpers/daemon.js';

const defaults = { update: '24h', timeout: '10s', maxSize: '50MB' };
const list = (l: Partial<ListSource> & Pick<ListSource, 'name' | 'format' | 'source'>): ListSource => ({ ...defaults, ...l });



t.test('lookup semantics', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const file = join(d.dir, 'deny.txt');
  const long63 = 'a'.repeat(63);
  const name253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  writeFileSync(file, [
    '# comment', '', 'Example.COM', 'deep.sub.example.org.', 'bücher.example', `${long63}.test`, name253,
    'example.com', 'EXAMPLE.com   # duplicate with a trailing comment',
  ].join('\r\n'));
  const r = await compileLists({ dataDir: d.dir, lists: [list({ name: 'deny', format: 'domains', category: 'deny', source: file })], now: () => new Date(), fetch: 'always' });
  t.ok(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  t.equal(r.meta.categories[0].count, 5, 'duplicates counted once');
  t.same(r.meta.lists[0].rejected, {});
  t.equal(r.meta.lists[0].skipped, 2, 'comment and blank line skipped');
  const loaded = DomainIndex.fromFile(indexPath(d.dir));
  t.ok(loaded.ok);
  if (!loaded.ok) return;
  const idx = loaded.index;
  const cases: [string, string[]][] = [
    ['example.com', ['deny']],
    ['www.example.com', ['deny']],
    ['a.b.c.EXAMPLE.com', ['deny']],
    ['example.com.', []],
    ['notexample.com', []],
    ['com', []],
    ['sub.example.org', []],
    ['deep.sub.example.org', ['deny']],
    ['x.deep.sub.example.org', ['deny']],
    ['xn--bcher-kva.example', ['deny']],
    ['www.xn--bcher-kva.example', ['deny']],
    [`${long63}.test`, ['deny']],
    [`x.${long63}.test`, ['deny']],
    [name253, ['deny']],
    [name253.slice(2), []],
  ];
  for (const [name, want] of cases) t.same(idx.categoriesOf(name), want, name);
  t.same(idx.explain('www.example.com'), [{ suffix: 'example.com', categories: ['deny'] }]);
});

t.test('a name in several categories and lists gets all of them', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  writeFileSync(join(d.dir, 'a.txt'), 'shared.example\nonly-a.example\n');
  writeFileSync(join(d.dir, 'b.hosts'), '0.0.0.0 shared.example www.only-b.example\n127.0.0.1 localhost\n::1 ip6-localhost\nbogus line\n');
  writeFileSync(join(d.dir, 'c.txt'), '! adblock\n[Adblock Plus 2.0]\n||shared.example^\n||ads.example^$third-party\n@@||ok.example^\n/banner/*\n||parent.example^\n');
  const r = await compileLists({
    dataDir: d.dir,
    lists: [
      list({ name: 'a', format: 'domains', category: 'cat-a', source: join(d.dir, 'a.txt') }),
      list({ name: 'b', format: 'hosts', category: 'cat-b', source: join(d.dir, 'b.hosts') }),
      list({ name: 'c', format: 'adblock', category: 'cat-c', source: join(d.dir, 'c.txt'), kind: 'allow' }),
    ],
    now: () => new Date(),
    fetch: 'always',
  });
  t.ok(r.ok);
  if (!r.ok) return;
  const idx = DomainIndex.fromFile(r.path);
  if (!idx.ok) throw new Error(idx.error);
  t.same(idx.index.categoriesOf('shared.example'), ['cat-a', 'cat-b', 'cat-c']);
  t.same(idx.index.categoriesOf('x.parent.example'), ['cat-c']);
  t.same(idx.index.categoriesOf('only-b.example'), [], 'hosts entries are exact names plus subdomains, not parents');
  const b = r.meta.lists.find((l) => l.name === 'b');
  t.equal(b?.skipped, 2, 'localhost housekeeping skipped');
  t.same(b?.rejected, { 'unsupported-rule': 1 });
  const c = r.meta.lists.find((l) => l.name === 'c');
  t.same(c?.rejected, { 'unsupported-rule': 3 }, 'options, exceptions and path rules skipped and counted');
  t.equal(r.meta.categories.find((x) => x.name === 'cat-c')?.kind, 'allow');
});

t.test('malformed inputs never crash the loader', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const p = (n: string) => join(d.dir, n);
  writeFileSync(p('garbage.bin'), Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919) % 256)));
  writeFileSync(p('empty.txt'), '');
  writeFileSync(p('longline.txt'), `ok-before.example\n${'x'.repeat(10 * 1024 * 1024)}\nok-after.example\n`);
  writeFileSync(p('longlast.txt'), `ok.example\n${'y'.repeat(5 * 1024 * 1024)}`);
  writeFileSync(p('crlf.txt'), 'one.example\r\ntwo.example\r\n\r\n');
  const good = gzipSync(Buffer.from('zipped.example\n'));
  writeFileSync(p('list.gz'), good);
  writeFileSync(p('truncated.gz'), good.subarray(0, good.length - 10));
  const cases: { name: string; file: string; want: (t: Test, r: Awaited<ReturnType<typeof compileLists>>) => void }[] = [
    { name: 'binary garbage: counted rejects', file: 'garbage.bin', want: (t, r) => { t.ok(r.ok); if (r.ok) t.ok(Object.values(r.meta.lists[0].rejected).reduce((a, b) => a + b, 0) > 0); } },
    { name: '0-byte file: an empty list', file: 'empty.txt', want: (t, r) => { t.ok(r.ok); if (r.ok) t.equal(r.meta.lists[0].accepted, 0); } },
    { name: '10 MB single line: one reject, neighbours kept', file: 'longline.txt', want: (t, r) => { t.ok(r.ok); if (r.ok) { t.equal(r.meta.lists[0].accepted, 2); t.same(r.meta.lists[0].rejected, { 'line-too-long': 1 }); } } },
    { name: 'over-long last line without newline', file: 'longlast.txt', want: (t, r) => { t.ok(r.ok); if (r.ok) { t.equal(r.meta.lists[0].accepted, 1); t.same(r.meta.lists[0].rejected, { 'line-too-long': 1 }); } } },
    { name: 'CRLF line ends', file: 'crlf.txt', want: (t, r) => { t.ok(r.ok); if (r.ok) t.equal(r.meta.lists[0].accepted, 2); } },
    { name: 'gzip file', file: 'list.gz', want: (t, r) => { t.ok(r.ok); if (r.ok) t.equal(r.meta.lists[0].accepted, 1); } },
    { name: 'truncated gzip: a clear error, nothing compiled', file: 'truncated.gz', want: (t, r) => { t.notOk(r.ok); if (!r.ok) t.match(r.error, /truncated or corrupt gzip/); } },
    { name: 'missing file: a clear error', file: 'nope.txt', want: (t, r) => { t.notOk(r.ok); if (!r.ok) t.match(r.error, /no such file/); } },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const data = tempDir();
      t.teardown(data.cleanup);
      const r = await compileLists({ dataDir: data.dir, lists: [list({ name: 'x', format: 'domains', category: 'x', source: p(c.file) })], now: () => new Date(), fetch: 'always' });
      c.want(t, r);
    });
  }
});

t.test('ut1 from a folder and from a .tar.gz give the same index; a truncated tar.gz is refused', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const root = join(d.dir, 'blacklists');
  for (const [cat, usage, names] of [['adult', 'black\n', 'porn.example\nx.porn.example\n'], ['white', 'white\n', 'school.example\n'], ['both', 'black\nwhite\n', 'both.example\n']] as const) {
    mkdirSync(join(root, cat), { recursive: true });
    writeFileSync(join(root, cat, 'domains'), names);
    writeFileSync(join(root, cat, 'usage'), usage);
    writeFileSync(join(root, cat, 'urls'), 'porn.example/path\n');
  }
  const { execFileSync } = await import('node:child_process');
  execFileSync('tar', ['-czf', join(d.dir, 'blacklists.tar.gz'), '-C', d.dir, 'blacklists']);
  const whole = readFileSync(join(d.dir, 'blacklists.tar.gz'));
  writeFileSync(join(d.dir, 'truncated.tar.gz'), whole.subarray(0, Math.floor(whole.length * 0.6)));
  writeFileSync(join(d.dir, 'notatar.tar.gz'), gzipSync(Buffer.from('just text\n')));

  const run = async (source: string) => {
    const data = tempDir();
    t.teardown(data.cleanup);
    return compileLists({ dataDir: data.dir, lists: [list({ name: 'ut1', format: 'ut1', source })], now: () => new Date(), fetch: 'always' });
  };
  const fromDir = await run(root);
  const fromTar = await run(join(d.dir, 'blacklists.tar.gz'));
  t.ok(fromDir.ok && fromTar.ok);
  if (!fromDir.ok || !fromTar.ok) return;
  const kinds = (m: typeof fromDir.meta) => Object.fromEntries(m.categories.map((c) => [c.name, [c.kind, c.count]]));
  t.same(kinds(fromDir.meta), { adult: ['block', 2], both: ['block', 1], white: ['allow', 1] });
  t.same(kinds(fromTar.meta), kinds(fromDir.meta));
  const truncated = await run(join(d.dir, 'truncated.tar.gz'));
  t.notOk(truncated.ok, 'truncated archive refused');
  if (!truncated.ok) t.match(truncated.error, /truncated|corrupt|unexpected end/i);
  const notTar = await run(join(d.dir, 'notatar.tar.gz'));
  t.notOk(notTar.ok);
});

t.test('a corrupt index file is a clear error, not a crash', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  writeFileSync(join(d.dir, 'l.txt'), 'a.example\nb.example\n');
  const r = await compileLists({ dataDir: d.dir, lists: [list({ name: 'l', format: 'domains', category: 'l', source: join(d.dir, 'l.txt') })], now: () => new Date(), fetch: 'always' });
  if (!r.ok) throw new Error(r.error);
  const bytes = readFileSync(r.path);
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 3] ^= 0xff;
  const cases: [string, Buffer, RegExp][] = [
    ['flipped byte', flipped, /checksum/],
    ['truncated', bytes.subarray(0, bytes.length - 8), /checksum|size/],
    ['not an index', Buffer.from('hello world, not an index'), /bad magic/],
    ['empty', Buffer.alloc(0), /bad magic/],
  ];
  for (const [name, buf, want] of cases) {
    writeFileSync(r.path, buf);
    const loaded = DomainIndex.fromFile(r.path);
    t.notOk(loaded.ok, name);
    if (!loaded.ok) t.match(loaded.error, want, name);
  }
});
