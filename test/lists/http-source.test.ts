// URL sources against a local HTTP server: conditional GET, keep-last-good, size cap, timeout.
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { compileLists, DomainIndex } from '../../src/lists/index.js';
import type { ListSource } from '../../src/lists/index.js';
import { tempDir } from '../helpers/daemon.js';

interface Served { status: number; body: Buffer; etag?: string; delayMs?: number; lastModified?: string }

async function server(t: Test) {
  const state: { served: Served; requests: { ifNoneMatch?: string; ifModifiedSince?: string }[] } = {
    served: { status: 200, body: Buffer.from('') },
    requests: [],
  };
  const srv = createServer((req, res) => {
    state.requests.push({ ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'] });
    const s = state.served;
    const send = () => {
      if (s.etag && req.headers['if-none-match'] === s.etag) {
        res.writeHead(304).end();
        return;
      }
      const headers: Record<string, string> = {};
      if (s.etag) headers.etag = s.etag;
      if (s.lastModified) headers['last-modified'] = s.lastModified;
      res.writeHead(s.status, headers).end(s.body);
    };
    if (s.delayMs) setTimeout(send, s.delayMs).unref();
    else send();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }));
  return { state, url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/list.txt` };
}

import type { Test } from 'tap';

t.test('conditional GET, keep-last-good and caps', async (t) => {
  const { state, url } = await server(t);
  const data = tempDir();
  t.teardown(data.cleanup);
  const list: ListSource = { name: 'remote', format: 'domains', category: 'remote', source: url, update: '24h', timeout: '1s', maxSize: '1KB' };
  const run = (overrides: Partial<ListSource> = {}) =>
    compileLists({ dataDir: data.dir, lists: [{ ...list, ...overrides }], now: () => new Date(), fetch: 'always' });
  const names = (path: string) => {
    const idx = DomainIndex.fromFile(path);
    if (!idx.ok) throw new Error(idx.error);
    return ['first.example', 'second.example'].filter((n) => idx.index.categoriesOf(n).length > 0);
  };

  state.served = { status: 200, body: Buffer.from('first.example\n'), etag: '"v1"', lastModified: 'Tue, 24 Nov 2026 08:00:00 GMT' };
  const r1 = await run();
  t.ok(r1.ok, 'first download');
  if (!r1.ok) return;
  t.equal(r1.meta.lists[0].status, 'ok');
  t.same(names(r1.path), ['first.example']);

  const r2 = await run();
  t.same(state.requests[1], { ifNoneMatch: '"v1"', ifModifiedSince: 'Tue, 24 Nov 2026 08:00:00 GMT' }, 'conditional headers sent');
  t.ok(r2.ok && r2.meta.lists[0].status === 'ok', '304 keeps the cached copy, status ok');

  state.served = { status: 200, body: gzipSync(Buffer.from('second.example\n')).subarray(0, 12), etag: '"v2"' };
  const r3 = await run();
  t.ok(r3.ok, 'a corrupt download still compiles, from the last good copy');
  if (r3.ok) {
    t.equal(r3.meta.lists[0].status, 'kept');
    t.match(r3.meta.lists[0].error, /new download rejected: .*corrupt gzip/);
    t.same(names(r3.path), ['first.example']);
  }

  state.served = { status: 500, body: Buffer.from('oops') };
  const r4 = await run();
  t.ok(r4.ok && r4.meta.lists[0].status === 'kept' && /HTTP 500/.test(r4.meta.lists[0].error ?? ''), 'server error: kept');

  state.served = { status: 200, body: Buffer.from('second.example\n'.repeat(100)), etag: '"big"' };
  const r5 = await run();
  t.ok(r5.ok && r5.meta.lists[0].status === 'kept' && /cap/.test(r5.meta.lists[0].error ?? ''), 'over the size cap: kept');

  state.served = { status: 200, body: Buffer.from('second.example\n'), etag: '"slow"', delayMs: 3000 };
  const r6 = await run();
  t.ok(r6.ok && r6.meta.lists[0].status === 'kept' && /timed out/.test(r6.meta.lists[0].error ?? ''), 'timeout: kept');

  state.served = { status: 200, body: Buffer.from('second.example\n'), etag: '"v3"' };
  const r7 = await run();
  t.ok(r7.ok && r7.meta.lists[0].status === 'ok');
  if (r7.ok) t.same(names(r7.path), ['second.example'], 'a good new copy replaces the old');
});

t.test('a URL that never downloaded refuses the update (the previous index stays)', async (t) => {
  const data = tempDir();
  t.teardown(data.cleanup);
  const r = await compileLists({
    dataDir: data.dir,
    lists: [{ name: 'remote', format: 'domains', category: 'remote', source: 'http://127.0.0.1:9/none.txt', update: '24h', timeout: '1s', maxSize: '1MB' }],
    now: () => new Date(),
    fetch: 'always',
  });
  t.notOk(r.ok);
  if (!r.ok) t.match(r.error, /list remote: download failed/);
});

t.test('a list is fetched only when due unless asked', async (t) => {
  const { state, url } = await server(t);
  const data = tempDir();
  t.teardown(data.cleanup);
  state.served = { status: 200, body: Buffer.from('first.example\n') };
  const list: ListSource = { name: 'r', format: 'domains', category: 'r', source: url, update: '1h', timeout: '2s', maxSize: '1MB' };
  let now = Date.parse('2026-11-24T10:00:00Z');
  const run = (fetch: 'always' | 'when-due') => compileLists({ dataDir: data.dir, lists: [list], now: () => new Date(now), fetch });
  await run('when-due');
  t.equal(state.requests.length, 1, 'first run fetches');
  now += 30 * 60_000;
  await run('when-due');
  t.equal(state.requests.length, 1, 'not due after 30 minutes');
  await run('always');
  t.equal(state.requests.length, 2, 'an explicit update fetches');
  now += 2 * 3600_000;
  await run('when-due');
  t.equal(state.requests.length, 3, 'due after the interval');
});
