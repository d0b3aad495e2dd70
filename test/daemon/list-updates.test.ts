// The running daemon keeps its index current: `lists update` (through the daemon), a changed
// local list file, and a corrupt download that keeps the last good copy — all without a restart.
import t from 'tap';
import type { Test } from 'tap';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO, startDaemon, tempDir } from '../helpers/daemon.js';

// Async, not spawnSync: the list server lives in this process and must keep answering.
const cli = (args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
  execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) => {
    resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
  });
});

/** The daemon with a local deny list (first line `localName`) and any `extraLists` before it; a lookup through it. */
async function localListDaemon(t: Test, localName: string, extraLists: { yaml: string; category: string }[] = []) {
  const d = tempDir();
  t.teardown(d.cleanup);
  const local = join(d.dir, 'deny.txt');
  writeFileSync(local, `${localName}\n`);
  const yaml = `dataDir: ${d.dir}/data
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"] }
lists:
${extraLists.map((l) => `  - ${l.yaml}\n`).join('')}  - { name: deny, format: domains, category: deny, source: ${local} }
groups: [{ name: everyone, default: true, block: [${[...extraLists.map((l) => l.category), 'deny'].join(', ')}] }]
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`;
  const cfg = join(d.dir, 'sg.yaml');
  writeFileSync(cfg, yaml);
  const daemon = await startDaemon({ config: yaml });
  t.teardown(() => daemon.stop('SIGKILL'));
  const categories = async (name: string) => JSON.parse((await cli(['lookup', name, '--json', '--config', cfg])).stdout).categories as string[];
  return { dir: d.dir, local, cfg, daemon, categories };
}

t.test('updates while serving', async (t) => {
  let body = 'first.example\n';
  const srv = createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }));
  const remote = { yaml: `{ name: remote, format: domains, category: remote, source: "http://127.0.0.1:${(srv.address() as AddressInfo).port}/list.txt" }`, category: 'remote' };
  const { local, cfg, daemon, categories } = await localListDaemon(t, 'local-one.example', [remote]);
  t.same(await categories('first.example'), ['remote']);

  body = 'second.example\n';
  const u = await cli(['lists', 'update', '--config', cfg]);
  t.equal(u.status, 0, u.stderr);
  t.same(await categories('second.example'), ['remote'], 'the daemon swapped in the new index');
  t.same(await categories('first.example'), []);

  body = '\u0000\u0001 not a list'.repeat(10);
  const bad = await cli(['lists', 'update', '--config', cfg]);
  t.same(await categories('second.example'), ['remote'], 'junk download: the names stay (junk lines are rejects)');
  void bad;

  writeFileSync(local, 'local-one.example\nlocal-two.example\n');
  await daemon.waitForLog((l) => l.msg === 'index swapped' && l.why === 'local list changed', 20_000);
  t.same(await categories('local-two.example'), ['deny'], 'an edited local list is picked up by itself');

  const audit = (await cli(['audit', 'export', '--config', cfg])).stdout;
  t.match(audit, /lists\.update/);
  t.match((await cli(['audit', 'verify', '--config', cfg])).stdout, /audit chain ok/);
});

t.test('an index file put in place by another process is swapped in once; the same file again is not reloaded', async (t) => {
  const { dir, local, daemon, categories } = await localListDaemon(t, 'old-name.example');
  const index = join(dir, 'data', 'index', 'current.sgi');
  const saved = join(dir, 'old.sgi');
  copyFileSync(index, saved);
  writeFileSync(local, 'new-name.example\n');
  await daemon.waitForLog((l) => l.msg === 'index swapped' && l.why === 'local list changed', 20_000);
  const swaps = () => daemon.logs.filter((l) => l.msg === 'index swapped').length;
  const before = swaps();
  await new Promise((r) => setTimeout(r, 1000));
  t.equal(swaps(), before, 'the watcher does not swap in again the index the update just swapped in');

  // a restored copy (another process's rename into the folder) is picked up by the watcher
  const put = (from: string) => {
    copyFileSync(from, `${index}.tmp`);
    renameSync(`${index}.tmp`, index);
  };
  put(saved);
  await daemon.waitForLog((l) => l.msg === 'index swapped' && l.why === 'file changed', 10_000);
  t.same(await categories('old-name.example'), ['deny'], 'the restored index is the one in use');
  const after = swaps();
  put(saved);
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(swaps(), after, 'the same index written again is not swapped in (nor loaded) a second time');
});
