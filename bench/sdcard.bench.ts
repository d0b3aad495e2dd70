// SD-card care: bytes the daemon writes to dataDir per 1000 DNS queries, with the query log batched
// (queryLog.flushInterval), measured two ways: the kernel's count of bytes the daemon process
// sent towards storage (/proc/<pid>/io write_bytes, LevelDB's compactions included) and the
// growth of the store on disk. Then the compiled index: written once per list update (one rename
// onto index/current.sgi) and never while queries are served.
//
// The compiled daemon (dist/) runs on a dataDir under bench/out (a real disk, not tmpfs), driven
// by a UDP client at a steady rate with names under a listed domain (answered from the index, no
// upstream in the way). Each flush interval runs on a fresh dataDir.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, statfsSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callDaemon } from '../src/control/index.js';
import { runCompiledDaemon } from '../test/appliance/compiled-daemon.js';
import { answersDns, startQueryLoad } from '../test/appliance/query-load.js';
import { freePort } from '../test/systemd/peers.js';
import { outDir, writeSection } from './harness.js';

const QPS = 1000;
const SECONDS = 30;
const FLUSH_INTERVALS = ['1s', '2s', '10s'];
const DEFAULT_FLUSH = '2s';
const REPO = new URL('..', import.meta.url).pathname;
const BLOCKED = readFileSync(join(REPO, 'firmware/lists/ut1-sample/blacklists/gambling/domains'), 'utf8').split('\n')[0].trim();
const TMPFS_MAGIC = 0x01021994;

interface Io { writeBytes: number; wchar: number; syscw: number }

function ioOf(pid: number): Io {
  const text = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { writeBytes: field('write_bytes'), wchar: field('wchar'), syscw: field('syscw') };
}

function duBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? duBytes(p) : statSync(p).blocks * 512;
  }
  return total;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Round {
  flushInterval: string;
  answered: number;
  perThousand: { writeBytes: number; wchar: number; writeCalls: number; storeGrowth: number };
  indexEventsWhileServing: number;
  indexUpdate?: { renames: number; inPlaceWrites: number; bytes: number; daemonWriteBytes: number };
}

async function round(flushInterval: string, base: string): Promise<Round | undefined> {
  const dir = join(base, `flush-${flushInterval}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const data = join(dir, 'data');
  const config = join(dir, 'schoolgate.yaml');
  writeFileSync(config, `dataDir: ${data}
dns: { listen: ["127.0.0.1:${port}"], upstreams: ["127.0.0.1:9"], rateLimit: { qps: 0 } }
lists:
  - { name: ut1, format: ut1, source: ${REPO}firmware/lists/ut1-sample/blacklists }
groups:
  - { name: everyone, default: true, block: [gambling] }
queryLog: { flushInterval: ${flushInterval} }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`);
  const daemon = await runCompiledDaemon(config);
  const pid = daemon.proc.pid as number;
  try {
    if (!(await answersDns('127.0.0.1', port))) return undefined;
    await sleep(3000); // start-up writes settle
    const indexDir = join(data, 'index');
    const events: { type: string; file: string }[] = [];
    const watcher = watch(indexDir, (type, file) => events.push({ type, file: String(file) }));
    const io0 = ioOf(pid);
    const store0 = duBytes(join(data, 'store'));
    const load = startQueryLoad({ host: '127.0.0.1', port, qps: QPS, domain: BLOCKED, prefix: `sd${flushInterval}-` });
    await sleep(SECONDS * 1000);
    await load.stop();
    await sleep(Number.parseInt(flushInterval, 10) * 1000 + 1500); // the last batch is written
    const io1 = ioOf(pid);
    const store1 = duBytes(join(data, 'store'));
    const k = load.answered.length / 1000;
    const result: Round = {
      flushInterval,
      answered: load.answered.length,
      perThousand: {
        writeBytes: (io1.writeBytes - io0.writeBytes) / k,
        wchar: (io1.wchar - io0.wchar) / k,
        writeCalls: (io1.syscw - io0.syscw) / k,
        storeGrowth: (store1 - store0) / k,
      },
      indexEventsWhileServing: events.length,
    };
    if (flushInterval === DEFAULT_FLUSH) {
      events.length = 0;
      const before = ioOf(pid).writeBytes;
      const r = await callDaemon(data, 'lists.update', {}, 300_000);
      if (r.kind !== 'ok') throw new Error(`lists update: ${r.kind === 'error' ? r.error : r.kind}`);
      await sleep(500);
      result.indexUpdate = {
        renames: events.filter((e) => e.file === 'current.sgi' && e.type === 'rename').length,
        inPlaceWrites: events.filter((e) => e.file === 'current.sgi' && e.type === 'change').length,
        bytes: statSync(join(indexDir, 'current.sgi')).size,
        // the compile runs in a child process: the daemon itself only reads the new file
        daemonWriteBytes: ioOf(pid).writeBytes - before,
      };
    }
    watcher.close();
    return result;
  } finally {
    daemon.proc.kill('SIGTERM');
    await daemon.exited;
  }
}

const base = join(outDir, 'sdcard-data');
mkdirSync(base, { recursive: true });
const tmpfs = statfsSync(base).type === TMPFS_MAGIC;
const rounds: Round[] = [];
for (const f of FLUSH_INTERVALS) {
  process.stdout.write(`flushInterval ${f}: ${QPS} queries/s for ${SECONDS} s\n`);
  const r = await round(f, base);
  if (!r) break;
  rounds.push(r);
}
rmSync(base, { recursive: true, force: true });

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const when = new Date().toISOString();
let md = `## SD-card writes (bench/sdcard.bench.ts)

${when}. The compiled daemon (\`node dist/cli.js run\`), dns-only, the UT1 sample lists, on a dataDir
${tmpfs ? '**on tmpfs (write_bytes counts nothing there: rerun on a disk)**' : 'on disk'}; ${QPS} queries/s for ${SECONDS} s of names under a blocked domain, each logged.
Per 1000 queries: \`write_bytes\` and \`wchar\`/\`syscw\` from /proc/<daemon>/io (LevelDB's own
compactions included), and the growth of \`dataDir/store\` on disk.
`;
if (rounds.length === 0) {
  md += '\nNo DNS answers on dns.listen: this build has no DNS stage, so there were no queries to log.\n';
} else {
  md += `
| queryLog.flushInterval | queries | written (write_bytes) | write(2) bytes | write calls | store growth |
|---|---|---|---|---|---|
${rounds.map((r) => `| ${r.flushInterval}${r.flushInterval === DEFAULT_FLUSH ? ' (default)' : ''} | ${r.answered} | ${kb(r.perThousand.writeBytes)} | ${kb(r.perThousand.wchar)} | ${r.perThousand.writeCalls.toFixed(1)} | ${kb(r.perThousand.storeGrowth)} |`).join('\n')}
`;
  const u = rounds.find((r) => r.indexUpdate)?.indexUpdate;
  const serving = rounds.reduce((n, r) => n + r.indexEventsWhileServing, 0);
  md += `
Compiled index: ${serving === 0 ? 'not touched' : `**${serving} file events**`} while ${rounds.reduce((n, r) => n + r.answered, 0)} queries were served;
one list update replaced \`index/current.sgi\` with ${u?.renames ?? '?'} rename and ${u?.inPlaceWrites ?? '?'} in-place writes
(${kb(u?.bytes ?? NaN)} for the sample's names; the compile child writes it, the daemon wrote ${kb(u?.daemonWriteBytes ?? NaN)} meanwhile).
The index is rewritten on every update, also when the lists did not change (a 304 from the mirror):
about 8 bytes a name, e.g. ~40 MB a day for the 5M-name UT1 set.
`;
}
writeSection('sdcard', md, { when, qps: QPS, seconds: SECONDS, tmpfs, rounds });
process.stdout.write(md);
