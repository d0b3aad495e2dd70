// Power cut, twenty times: the daemon is killed with SIGKILL while it logs DNS queries at a high
// rate and writes audit entries (overrides made and revoked through the control socket). Each
// time the store must open, the audit chain must verify, the config must be intact, and only the
// last batch of query events (queryLog.flushInterval) may be missing.
//
// SIGKILL is the process dying at any instruction; what the kernel had accepted (write(2) without
// fsync) survives it. A real power cut also loses the page cache: the query log, written without
// fsync, then loses what the kernel had not flushed, while audit, overrides and config are
// fsynced (LevelDB sync writes, atomic-file.ts) — that part cannot be shown without pulling a plug.
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { AuditLog } from '../../src/audit/index.js';
import { QueryLog } from '../../src/querylog/index.js';
import { callDaemon } from '../../src/control/index.js';
import { loadConfig } from '../../src/config-file/index.js';
import { readCategoryCatalog } from '../../src/lists/index.js';
import { REPO, tempDir } from '../helpers/daemon.js';
import { freePort } from '../systemd/peers.js';
import { startQueryLoad } from './query-load.js';
import { runCompiledDaemon } from './compiled-daemon.js';

const ROUNDS = 20;
const FLUSH_MS = 1000;
const QPS = 1500;
// Time for a flush that has begun to reach LevelDB's log on a loaded machine.
const SLACK_MS = 1500;

// Longer than the runner's per-file timeout: the comment tells the runner, setTimeout this process.
const LIMIT_MS = 15 * 60_000;
t.setTimeout(LIMIT_MS);
t.comment(`timeout=${LIMIT_MS}`);

const BLOCKED = readFileSync(join(REPO, 'firmware/lists/ut1-sample/blacklists/gambling/domains'), 'utf8').split('\n')[0].trim();

const dir = tempDir('sg-powercut-');
t.teardown(dir.cleanup);
const port = await freePort();
const data = join(dir.dir, 'data');
const config = join(dir.dir, 'schoolgate.yaml');
writeFileSync(config, `mode: dns-only
dataDir: ${data}
dns:
  listen: ["127.0.0.1:${port}"]
  upstreams: ["127.0.0.1:9"]
  blocking: { answer: nxdomain }
  rateLimit: { qps: 0 }
lists:
  - { name: ut1, format: ut1, source: ${REPO}/firmware/lists/ut1-sample/blacklists }
groups:
  - { name: everyone, default: true, block: [gambling] }
queryLog: { flushInterval: ${FLUSH_MS / 1000}s }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`);

t.test(`kill -9 during heavy logging, ${ROUNDS} times`, async (t) => {
  const configHash = createHash('sha256').update(readFileSync(config)).digest('hex');
  let auditEntries = 0;
  let storedTotal = 0;

  for (let round = 1; round <= ROUNDS; round++) {
    const daemon = await runCompiledDaemon(config);
    const load = startQueryLoad({ host: '127.0.0.1', port, qps: QPS, domain: BLOCKED, prefix: `r${round}-` });
    // Audit writes alongside: an override made and revoked, over and over.
    let auditing = true;
    const audits = (async () => {
      let n = 0;
      while (auditing) {
        const made = await callDaemon(data, 'override.add', { domain: `site${round}-${n++}.example.org`, group: 'everyone', minutes: 30, reason: 'power-cut test: lesson resource' }, 2000);
        const id = made.kind === 'ok' ? (made.result as { ok?: boolean; value?: { id?: string } }).value?.id : undefined;
        if (id) await callDaemon(data, 'override.revoke', { id, reason: 'power-cut test: done' }, 2000);
      }
    })();
    // Cut at a different point of the flush cycle each round.
    await new Promise((r) => setTimeout(r, 2000 + ((round * 373) % 1500)));
    const killedAt = Date.now();
    daemon.proc.kill('SIGKILL');
    auditing = false;
    await daemon.exited;
    await load.stop();
    await audits;

    const opened = await openStore(data);
    t.ok(opened.ok, `round ${round}: the store opens`);
    if (!opened.ok) return;
    const store = opened.store;
    try {
      const audit = new AuditLog(store, Date.now);
      await audit.open();
      const verified = await audit.verify();
      t.ok(verified.ok, `round ${round}: the audit chain verifies (${verified.entries} entries)`);
      t.ok(verified.entries > auditEntries, `round ${round}: audit entries were written during the load`);
      auditEntries = verified.entries;

      const stored = new Set<string>();
      const queryLog = new QueryLog(store);
      let cursor: string | undefined;
      for (let page = 0; page < 10_000; page++) {
        const p = await queryLog.search({ domain: `r${round}-`, limit: 1000, cursor });
        for (const q of p.items) if (q.name.startsWith(`r${round}-`)) stored.add(q.name);
        if (!p.next) break;
        cursor = p.next;
      }
      const answered = load.answered;
      const lost = answered.filter((a) => !stored.has(a.name));
      const lostEarly = lost.filter((a) => a.at < killedAt - FLUSH_MS - SLACK_MS);
      // Heavy logging at the moment of the cut: hundreds of query events a second going to the store.
      const lastTwoSeconds = answered.filter((a) => a.at >= killedAt - 2000).length;
      t.ok(lastTwoSeconds >= 400, `round ${round}: heavy logging (${answered.length} queries answered, ${lastTwoSeconds} in the last 2 s; ${stored.size} stored, ${lost.length} lost)`);
      t.same(lostEarly.map((a) => a.name).slice(0, 5), [], `round ${round}: only the last batch is lost (nothing answered before ${FLUSH_MS + SLACK_MS} ms ahead of the kill)`);
      const names = new Set(answered.map((a) => a.name));
      t.ok([...stored].every((n) => names.has(n) || /^r\d+-\d+\./.test(n)), `round ${round}: nothing stored that was not asked`);
      storedTotal += stored.size;
    } finally {
      await store.close();
    }
    t.equal(createHash('sha256').update(readFileSync(config)).digest('hex'), configHash, `round ${round}: the config file is intact`);
    const check = await loadConfig(config, (c) => readCategoryCatalog(c.dataDir, c.lists));
    t.ok(check.ok, `round ${round}: the config passes check-config`);
  }
  t.comment(`${storedTotal} query events stored over ${ROUNDS} power cuts; ${auditEntries} audit entries verify`);
});
