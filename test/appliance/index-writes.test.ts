// SD-card care: the compiled index is written once per list update (one atomic rename onto
// index/current.sgi, no in-place writes) and never because of queries.
import t from 'tap';
import { watch, statSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callDaemon } from '../../src/control/index.js';
import { REPO, tempDir } from '../helpers/daemon.js';
import { freePort } from '../systemd/peers.js';
import { answersDns, startQueryLoad } from './query-load.js';
import { runCompiledDaemon } from './compiled-daemon.js';

const BLOCKED = readFileSync(join(REPO, 'firmware/lists/ut1-sample/blacklists/gambling/domains'), 'utf8').split('\n')[0].trim();

t.test('one write of the index per list update, none per query', async (t) => {
  const dir = tempDir('sg-index-writes-');
  t.teardown(dir.cleanup);
  const port = await freePort();
  const data = join(dir.dir, 'data');
  const config = join(dir.dir, 'schoolgate.yaml');
  writeFileSync(config, `dataDir: ${data}
dns: { listen: ["127.0.0.1:${port}"], upstreams: ["127.0.0.1:9"], rateLimit: { qps: 0 } }
lists:
  - { name: ut1, format: ut1, source: ${REPO}/firmware/lists/ut1-sample/blacklists }
groups:
  - { name: everyone, default: true, block: [gambling] }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`);
  const daemon = await runCompiledDaemon(config);
  t.teardown(async () => {
    daemon.proc.kill('SIGKILL');
    await daemon.exited;
  });
  const indexDir = join(data, 'index');
  const events: { type: string; file: string }[] = [];
  const watcher = watch(indexDir, (type, file) => events.push({ type, file: String(file) }));
  t.teardown(() => watcher.close());

  for (let update = 1; update <= 2; update++) {
    const inode = statSync(join(indexDir, 'current.sgi')).ino;
    events.length = 0;
    const r = await callDaemon(data, 'lists.update', {}, 120_000);
    t.equal(r.kind, 'ok', `lists update ${update}: ${r.kind === 'error' ? r.error : r.kind}`);
    await new Promise((res) => setTimeout(res, 300)); // inotify events are delivered asynchronously
    const onIndex = events.filter((e) => e.file === 'current.sgi');
    t.same(onIndex.map((e) => e.type), ['rename'], `update ${update}: current.sgi replaced by one rename, never written in place`);
    t.equal(new Set(events.filter((e) => e.file !== 'current.sgi').map((e) => e.file)).size, 1, `update ${update}: through one temp file`);
    t.not(statSync(join(indexDir, 'current.sgi')).ino, inode, `update ${update}: a new file`);
  }

  if (!(await answersDns('127.0.0.1', port))) {
    t.comment('no DNS stage in this build: the "no index writes per query" half needs queries');
    return;
  }
  events.length = 0;
  const before = statSync(join(indexDir, 'current.sgi'));
  const load = startQueryLoad({ host: '127.0.0.1', port, qps: 2000, domain: BLOCKED, prefix: 'iw-' });
  await new Promise((res) => setTimeout(res, 4000));
  await load.stop();
  t.ok(load.answered.length > 4000, `${load.answered.length} queries answered`);
  t.same(events, [], 'no writes in index/ while serving');
  t.equal(statSync(join(indexDir, 'current.sgi')).mtimeMs, before.mtimeMs);
});
