// Issue 3's figures: compile time, load time of the compiled index, lookups/s on one core,
// resident memory of the whole daemon, and its peak while it swaps in a new index — for 1M and
// 5M names shaped like UT1. Peers: unbound and dnsmasq starting with the same 1M names.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { median, mb, peakRssOf, rssOf, writeSection } from './harness.js';
import { queryMix, ut1Folder } from './synthetic-lists.js';

const root = new URL('..', import.meta.url).pathname;
const work = join(tmpdir(), 'sg-bench-lists');
mkdirSync(work, { recursive: true });
const cli = join(root, 'dist', 'cli.js');
const sizes = (process.env.SG_BENCH_SIZES ?? '1000000,5000000').split(',').map(Number);

interface Row { size: number; compileS: number; compilePeakMB: number; indexMB: number; loadMs: number; lookupsPerSec: number; daemonRssMB: number; swapPeakMB: number; swapRatio: number }

function config(dataDir: string, ut1: string): string {
  return `mode: dns-only
dataDir: ${dataDir}
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"] }
lists:
  - { name: ut1, format: ut1, source: ${ut1} }
groups:
  - { name: pupils, match: { subnets: ["10.0.0.0/8"] }, block: [adult, malware, phishing, gambling, games, vpn, doh] }
  - { name: guests, default: true, block: [adult, malware, phishing] }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`;
}

async function waitFor(pred: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measure(size: number): Promise<Row> {
  const { path: ut1, listed } = await ut1Folder(work, size);
  const dataDir = join(work, `data-${size}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const cfg = join(dataDir, 'schoolgate.yaml');
  writeFileSync(cfg, config(dataDir, ut1));

  // Compile: `schoolgate lists update`, timed, with the compiler's peak memory (/usr/bin/time-free: VmHWM polled).
  const compiles: number[] = [];
  let compilePeak = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, 'lists', 'update', '--config', cfg], { stdio: 'ignore' });
    const poll = setInterval(() => { compilePeak = Math.max(compilePeak, peakRssOf(child.pid ?? 0) || 0); }, 50);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    clearInterval(poll);
    if (code !== 0) throw new Error(`lists update exited ${code}`);
    compiles.push((performance.now() - t0) / 1000);
  }
  const indexFile = join(dataDir, 'index', 'current.sgi');
  const indexBytes = Number(spawnSync('stat', ['-c', '%s', indexFile], { encoding: 'utf8' }).stdout);

  const mixFile = join(work, `mix-${size}.txt`);
  writeFileSync(mixFile, queryMix(listed, 200_000, 0.3).join('\n'));
  const probe = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(root, 'bench', 'index-probe.ts'), indexFile, mixFile], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(probe.stderr);
  const p = JSON.parse(probe.stdout) as { loadMs: number; lookupsPerSec: number };

  // The whole daemon: steady RSS after start, then the peak while it swaps in a recompiled index.
  const daemon = spawn(process.execPath, ['--max-semi-space-size=1', cli, 'run', '--config', cfg], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  daemon.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
  await waitFor(() => out.includes('"msg":"ready"'), 120_000);
  await new Promise((r) => setTimeout(r, 3000));
  const steady = rssOf(daemon.pid ?? 0);
  const update = spawnSync(process.execPath, [cli, 'lists', 'update', '--config', cfg], { encoding: 'utf8' });
  if (update.status !== 0) throw new Error(update.stderr);
  await waitFor(() => out.includes('"msg":"index swapped"'), 120_000);
  await new Promise((r) => setTimeout(r, 1000));
  const peak = peakRssOf(daemon.pid ?? 0);
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.on('exit', r));
  return {
    size, compileS: median(compiles), compilePeakMB: compilePeak / 1e6, indexMB: indexBytes / 1e6, loadMs: p.loadMs,
    lookupsPerSec: p.lookupsPerSec, daemonRssMB: steady / 1e6, swapPeakMB: peak / 1e6, swapRatio: peak / steady,
  };
}

/** unbound and dnsmasq loading the same 1M names: start-up time and RSS. */
async function peers(size: number): Promise<{ peer: string; startS: number; rssMB: number }[]> {
  const { path: ut1 } = await ut1Folder(work, size);
  const names = spawnSync('sh', ['-c', `cat ${ut1}/*/domains`], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout.split('\n').filter(Boolean);
  const dir = join(work, 'peers');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'unbound.conf'), `server:\n  interface: 127.0.0.1@53531\n  username: ""\n  chroot: ""\n  directory: "${dir}"\n  pidfile: ""\n  use-syslog: no\n  do-daemonize: no\n  num-threads: 1\n  include: "${dir}/zones.conf"\n`);
  writeFileSync(join(dir, 'zones.conf'), names.map((n) => `  local-zone: "${n}." always_nxdomain\n`).join(''));
  writeFileSync(join(dir, 'dnsmasq.conf'), `port=53532\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\nkeep-in-foreground\nuser=root\npid-file=\ncache-size=10000\nconf-file=${dir}/addresses.conf\n`);
  writeFileSync(join(dir, 'addresses.conf'), names.map((n) => `address=/${n}/\n`).join(''));
  const results = [];
  for (const [peer, argv, port] of [['unbound 1.17', ['unbound', '-d', '-c', join(dir, 'unbound.conf')], 53531], ['dnsmasq 2.90', ['dnsmasq', '-C', join(dir, 'dnsmasq.conf')], 53532]] as const) {
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
    await waitFor(() => spawnSync('dig', ['+time=1', '+tries=1', '-p', String(port), '@127.0.0.1', names[0]], { encoding: 'utf8' }).stdout.includes('status: NXDOMAIN') || spawnSync('dig', ['+time=1', '+tries=1', '-p', String(port), '@127.0.0.1', names[0]], { encoding: 'utf8' }).stdout.includes('status: NOERROR'), 300_000);
    const startS = (performance.now() - t0) / 1000;
    const rss = rssOf(child.pid ?? 0);
    child.kill('SIGKILL');
    results.push({ peer, startS, rssMB: rss / 1e6 });
  }
  return results;
}

const rows: Row[] = [];
for (const size of sizes) {
  process.stdout.write(`lists bench: ${size} names\n`);
  rows.push(await measure(size));
}
const peerRows = process.env.SG_BENCH_PEERS === '0' ? [] : await peers(1_000_000);
const when = new Date().toISOString();
const md = `## Lists: compile, load, lookup, memory (issue 3)

Run ${when} with \`npm run bench -- lists\` (bench/lists.bench.ts). Synthetic UT1-shaped folders
(84 % adult, 18 smaller categories; bench/synthetic-lists.ts), compiled with \`schoolgate lists
update\` (median of 3), loaded in a fresh process (median of 5), looked up on one core with a
200k-name mix, 30 % listed (half as subdomains), median of five 1-second rounds. Daemon RSS:
\`schoolgate run\` (dns-only) after start; swap peak: VmHWM after \`lists update\` made it swap in a
recompiled index.

| names | compile | compiler peak | index file | load | lookups/s (1 core) | daemon RSS | swap peak | peak / steady |
|---|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${(r.size / 1e6).toFixed(0)}M | ${r.compileS.toFixed(1)} s | ${r.compilePeakMB.toFixed(0)} MB | ${r.indexMB.toFixed(1)} MB | ${r.loadMs.toFixed(0)} ms | ${(r.lookupsPerSec / 1e6).toFixed(2)}M | ${r.daemonRssMB.toFixed(1)} MB | ${r.swapPeakMB.toFixed(1)} MB | ${r.swapRatio.toFixed(2)}× |`).join('\n')}

Budgets: 5M: daemon ≤ 150 MB, load ≤ 1 s, compile ≤ 30 s, swap peak ≤ 1.5×; 1M: ≥ 2M lookups/s, daemon ≤ 80 MB.
${peerRows.length ? `
Peers loading the same 1M names (same run): ${peerRows.map((p) => `${p.peer}: ready after ${p.startS.toFixed(1)} s, RSS ${p.rssMB.toFixed(0)} MB`).join('; ')}.
schoolgate with 1M: ready (index load) in ${rows.find((r) => r.size === 1_000_000)?.loadMs.toFixed(0) ?? '?'} ms, RSS ${rows.find((r) => r.size === 1_000_000)?.daemonRssMB.toFixed(0) ?? '?'} MB.` : ''}
`;
writeSection('lists', md, { when, rows, peers: peerRows });
process.stdout.write(md);
void mb;
