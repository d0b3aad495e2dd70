// Malformed UT1 sources (issue 3's acceptance): each is a clear error that compiles nothing, or
// counted rejects with the good names kept — never a crash or a hang.
import t from 'tap';
import type * as Tap from 'tap';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { DomainIndex, compileLists } from '../../src/lists/index.js';
import type { ListSource } from '../../src/lists/index.js';
import { tempDir } from '../helpers/daemon.js';

const ut1 = (source: string): ListSource => ({ name: 'ut1', format: 'ut1', source, update: '24h', timeout: '10s', maxSize: '50MB' });
const garbage = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7919 + 13) % 256));

/** Compiles into a data dir that lives until the test ends (the index file is read after). */
function compile(t: Tap.Test, source: string) {
  const data = tempDir();
  t.teardown(data.cleanup);
  return compileLists({ dataDir: data.dir, lists: [ut1(source)], now: () => new Date(), fetch: 'always' });
}

t.test('archives that are not archives: clear errors', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const cases: [string, Buffer][] = [
    ['a 0-byte .tar.gz', Buffer.alloc(0)],
    ['binary garbage named .tar.gz', garbage(100_000)],
    ['gzip of garbage (not a tar)', gzipSync(garbage(100_000))],
  ];
  for (const [name, bytes] of cases) {
    const file = join(d.dir, `${name.replace(/\W+/g, '-')}.tar.gz`);
    writeFileSync(file, bytes);
    const r = await compile(t, file);
    t.notOk(r.ok, name);
    if (!r.ok) t.match(r.error, /ut1|gzip|tar|archive|corrupt|truncated/i, `${name}: ${r.error}`);
  }
});

t.test('a UT1 folder with damaged category files: counted rejects, good names kept', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const root = join(d.dir, 'blacklists');
  const files: Record<string, Buffer | string> = {
    garbage: Buffer.concat([Buffer.from('good-before.example\n'), garbage(50_000), Buffer.from('\ngood-after.example\n')]),
    empty: '',
    crlf: 'one.example\r\ntwo.example\r\n# comment\r\n\r\none.example\r\n',
    longline: `short.example\n${'z'.repeat(10 * 1024 * 1024)}\n`,
  };
  for (const [cat, content] of Object.entries(files)) {
    mkdirSync(join(root, cat), { recursive: true });
    writeFileSync(join(root, cat, 'domains'), content);
    writeFileSync(join(root, cat, 'usage'), 'black\n');
  }
  mkdirSync(join(root, 'nousage'), { recursive: true });
  writeFileSync(join(root, 'nousage', 'domains'), 'no-usage-file.example\n');
  const check = async (source: string, what: string) => {
    const r = await compile(t, source);
    t.ok(r.ok, `${what}: compiled`);
    if (!r.ok) return;
    const count = (cat: string) => r.meta.categories.find((c) => c.name === cat)?.count;
    t.equal(count('garbage'), 2, `${what}: the names around the garbage kept`);
    t.ok(Object.values(r.meta.lists[0].rejected).reduce((a, b) => a + b, 0) > 0, `${what}: the garbage counted as rejects`);
    t.notOk(count('empty'), `${what}: an empty category has no names`);
    t.equal(count('crlf'), 2, `${what}: CRLF, comments and a duplicate`);
    t.equal(count('longline'), 1, `${what}: the 10 MB line rejected, its neighbour kept`);
    t.ok((r.meta.lists[0].rejected['line-too-long'] ?? 0) >= 1, `${what}: line-too-long counted`);
    const idx = DomainIndex.fromFile(r.path);
    t.ok(idx.ok && idx.index.categoriesOf('www.good-after.example').includes('garbage'), `${what}: lookups work`);
  };
  await check(root, 'folder');
  execFileSync('tar', ['-czf', join(d.dir, 'b.tar.gz'), '-C', d.dir, 'blacklists']);
  await check(join(d.dir, 'b.tar.gz'), 'tar.gz');
});
