import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CLI, REPO, startDaemon, tempDir } from '../helpers/daemon.js';

function cli(args: string[], input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', cwd: REPO, input });
}

t.test('backup and restore, live and offline; a tampered backup is refused', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const cfg = join(d.dir, 'sg.yaml');
  const yaml = `dataDir: ${d.dir}/data
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"] }
lists: [{ name: deny, format: domains, category: deny, source: ${REPO}/firmware/lists/school-deny.txt }]
groups:
  - { name: pupils, match: { subnets: ["10.10.1.0/24"] }, block: [deny] }
  - { name: staff, default: true }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`;
  writeFileSync(cfg, yaml);
  t.equal(cli(['user', 'add', 'tess', '--role', 'technician', '--config', cfg], 'a long enough password').status, 0);
  t.equal(cli(['override', 'add', '--domain', 'deny-sample.example', '--group', 'pupils', '--minutes', '60', '--reason', 'needed for the project', '--config', cfg]).status, 0);

  const live = join(d.dir, 'live.sgb');
  const off = cli(['backup', live, '--config', cfg]);
  t.equal(off.status, 0, off.stderr);
  t.match(off.stdout, /backup written/);

  rmSync(join(d.dir, 'data'), { recursive: true, force: true });
  const restored = cli(['restore', live, '--config', cfg]);
  t.equal(restored.status, 0, restored.stderr);
  t.match(restored.stdout, /audit chain ok \(2 entries\)/);
  const list = cli(['override', 'list', '--config', cfg]);
  t.match(list.stdout, /deny-sample\.example for group pupils/, 'overrides back');
  t.match(cli(['audit', 'verify', '--config', cfg]).stdout, /audit chain ok: 3 entries/, 'the restore itself is audited');

  const lines = gunzipSync(readFileSync(live)).toString('utf8').split('\n');
  const i = lines.findIndex((l) => l.includes('"k":"audit"') && l.includes('override.create'));
  lines[i] = lines[i].replace('needed for the project', 'nothing to see here');
  const tampered = join(d.dir, 'tampered.sgb');
  writeFileSync(tampered, gzipSync(lines.join('\n')));
  const refused = cli(['restore', tampered, '--config', cfg]);
  t.equal(refused.status, 1);
  t.match(refused.stderr, /audit chain does not verify \(entry 2: entry 2 was altered.*nothing restored/);

  const truncated = join(d.dir, 'truncated.sgb');
  writeFileSync(truncated, readFileSync(live).subarray(0, 40));
  t.match(cli(['restore', truncated, '--config', cfg]).stderr, /truncated or not gzip; nothing restored/);
});

t.test('a live backup goes through the daemon; restore refuses while it runs', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const yaml = `dataDir: ${d.dir}/data
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"] }
lists: [{ name: deny, format: domains, category: deny, source: ${REPO}/firmware/lists/school-deny.txt }]
groups: [{ name: everyone, default: true, block: [deny] }]
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`;
  const cfg = join(d.dir, 'sg.yaml');
  writeFileSync(cfg, yaml);
  const daemon = await startDaemon({ config: yaml });
  t.teardown(() => daemon.stop('SIGKILL'));
  t.equal(cli(['user', 'add', 'ann', '--role', 'viewer', '--config', cfg], 'another long password').status, 0, 'user add while the daemon runs');
  const file = join(d.dir, 'live.sgb');
  const b = cli(['backup', file, '--with-logs', '--config', cfg]);
  t.equal(b.status, 0, b.stderr);
  t.match(b.stdout, /with logs/);
  const r = cli(['restore', file, '--config', cfg]);
  t.equal(r.status, 1);
  t.match(r.stderr, /stop the daemon before a restore/);
});
