// Issue 4's figures: DNS throughput and latency of schoolgate against unbound (1M local-zones)
// and dnsmasq (1M address= lines), the same generated 1M list, the same upstream stub (unbound
// answering every *.example), the same 200k-query mix (30 % blocked), dnsperf -c 10, one after
// the other in one run; RSS of each. schoolgate and unbound run ROUNDS times, alternating, each
// round from a fresh start (an empty cache): one run of each swings by 10-20 % on this shared
// machine, so the ratios are of medians. Then the latency schoolgate adds to cached answers at
// 5k queries/s (a paced client, schoolgate vs the stub itself).
// Needs: dnsperf, unbound, dnsmasq (Debian packages). dnsperf is the bench's alone (not CI's):
// installed here with apt-get when it is missing and we are root.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mb, median, peakRssOf, rssOf, writeSection } from './harness.js';
import { dnsperf, paced } from './dns-load.js';
import type { LoadResult } from './dns-load.js';
import { answers, startDnsmasqPeer, startNodeEcho, startSchoolgate, startStub, startUnboundPeer } from './dns-peers.js';
import type { Server } from './dns-peers.js';
import { queryMix, ut1Folder } from './synthetic-lists.js';

const root = new URL('..', import.meta.url).pathname;
const work = join(tmpdir(), 'sg-bench-dns');
const SIZE = Number(process.env.SG_BENCH_DNS_SIZE ?? 1_000_000);
const SECONDS = Number(process.env.SG_BENCH_DNS_SECONDS ?? 15);
const PEERS = (process.env.SG_BENCH_DNS_PEERS ?? 'schoolgate,unbound,dnsmasq,node-echo').split(',');
/** rounds of schoolgate and unbound (dnsmasq, ~30x slower, and node-echo run once) */
const ROUNDS = Math.max(1, Number(process.env.SG_BENCH_DNS_ROUNDS ?? 3));
const ALTERNATING = ['schoolgate', 'unbound'];

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
if (!has('dnsperf') && process.getuid?.() === 0) {
  process.stdout.write('  installing dnsperf (apt-get)\n');
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'dnsperf'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
for (const tool of ['dnsperf', 'unbound', 'dnsmasq']) {
  if (!has(tool)) {
    process.stderr.write(`bench dns: ${tool} is missing (apt-get install dnsperf unbound dnsmasq-base)\n`);
    process.exit(1);
  }
}

interface Row { peer: string; cold: LoadResult; warm: LoadResult; rss: number; peakRss: number }
/** Each peer's runs; the table shows their medians. */
interface Runs { peer: string; runs: Row[] }

mkdirSync(work, { recursive: true });
const { path: ut1, listed } = await ut1Folder(work, SIZE);
const mix = queryMix(listed, 200_000, 0.3);
const mixFile = join(work, 'mix.txt');
writeFileSync(mixFile, `${mix.map((n) => `${n} A`).join('\n')}\n`);
// The warm phase loops over a working set every server's default cache holds (20k queries,
// ~14k distinct allowed names); the whole 200k mix would measure evictions, not the cache.
const warmFile = join(work, 'mix-warm.txt');
writeFileSync(warmFile, `${mix.slice(0, 20_000).map((n) => `${n} A`).join('\n')}\n`);
const allowed = mix.filter((n) => n.endsWith('.example')).slice(0, 2000);

const stub = await startStub(join(work, 'stub'));
const runs: Runs[] = [];
let cached: { schoolgate: LoadResult; stub: LoadResult; rounds: { schoolgate: LoadResult; stub: LoadResult }[] } | undefined;
const PACED_ROUNDS = 3;
/** Medians of each figure across rounds. */
const medianRun = (rs: LoadResult[]): LoadResult => {
  const m = (pick: (r: LoadResult) => number) => median(rs.map(pick));
  return { qps: m((r) => r.qps), completed: m((r) => r.completed), lost: m((r) => r.lost), avgMs: m((r) => r.avgMs), p50Ms: m((r) => r.p50Ms), p99Ms: m((r) => r.p99Ms) };
};
const schedule = [
  ...Array.from({ length: ROUNDS }, (_, round) => ALTERNATING.filter((p) => PEERS.includes(p)).map((peer) => ({ peer, round }))).flat(),
  ...PEERS.filter((p) => !ALTERNATING.includes(p)).map((peer) => ({ peer, round: 0 })),
];
try {
  for (const { peer, round } of schedule) {
    process.stdout.write(`  ${peer}: starting${ROUNDS > 1 && ALTERNATING.includes(peer) ? ` (round ${round + 1} of ${ROUNDS})` : ''}\n`);
    let s: Server;
    // later rounds keep the compiled index (the same list; compiling it again would only take time)
    if (peer === 'schoolgate') s = await startSchoolgate(join(work, 'schoolgate'), ut1, stub.port, join(root, 'dist', 'cli.js'), { keepIndex: round > 0 });
    else if (peer === 'unbound') s = await startUnboundPeer(join(work, 'unbound'), ut1, stub.port);
    else if (peer === 'dnsmasq') s = await startDnsmasqPeer(join(work, 'dnsmasq'), ut1, stub.port);
    else s = await startNodeEcho();
    try {
      // Cold: one pass of the 200k mix, every allowed name a cache miss forwarded to the stub.
      // Warm: the first 20k queries of the mix (already asked once) looped for SECONDS, answered
      // from each server's cache and block list.
      const cold = await dnsperf(s.port, mixFile, { passes: 1 });
      await dnsperf(s.port, warmFile, { passes: 1 });
      const warm = await dnsperf(s.port, warmFile, { seconds: SECONDS });
      let of = runs.find((r) => r.peer === peer);
      if (!of) runs.push((of = { peer, runs: [] }));
      of.runs.push({ peer, cold, warm, rss: rssOf(s.pid), peakRss: peakRssOf(s.pid) });
      process.stdout.write(`  ${peer}: cold ${Math.round(cold.qps)} qps, warm ${Math.round(warm.qps)} qps, RSS ${mb(rssOf(s.pid))}\n`);
      if (peer === 'schoolgate' && round === 0) {
        for (const n of allowed) await answers(s.port, n);
        // A 10 s run's p99 swings by milliseconds with whatever else the 2 cores do: three rounds,
        // schoolgate and the stub alternating, medians.
        const pacedRuns: { schoolgate: LoadResult; stub: LoadResult }[] = [];
        for (let i = 0; i < PACED_ROUNDS; i++) pacedRuns.push({ schoolgate: await paced(s.port, allowed, 5000, 10), stub: await paced(stub.port, allowed, 5000, 10) });
        cached = { schoolgate: medianRun(pacedRuns.map((r) => r.schoolgate)), stub: medianRun(pacedRuns.map((r) => r.stub)), rounds: pacedRuns };
      }
    } finally {
      await s.stop();
    }
  }
} finally {
  await stub.stop();
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
// per figure, the median of the peer's runs; the peak RSS is the highest of them
const rows: Row[] = runs.map(({ peer, runs: rs }) => ({
  peer, cold: medianRun(rs.map((r) => r.cold)), warm: medianRun(rs.map((r) => r.warm)), rss: median(rs.map((r) => r.rss)), peakRss: Math.max(...rs.map((r) => r.peakRss)),
}));
const k = (qps: number) => `${(qps / 1000).toFixed(1)}k`;
const roundsOf = (peer: string) => runs.find((r) => r.peer === peer)?.runs ?? [];
const roundLines = ALTERNATING.filter((p) => roundsOf(p).length > 1)
  .map((p) => `- ${p}: ${roundsOf(p).map((r) => `${k(r.cold.qps)} / ${k(r.warm.qps)}`).join(', ')}`);
const pairs = roundsOf('schoolgate').map((r, i) => ({ sg: r, ub: roundsOf('unbound')[i] })).filter((x) => x.ub !== undefined);
const unbound = rows.find((r) => r.peer === 'unbound');
const sg = rows.find((r) => r.peer === 'schoolgate');
const echo = rows.find((r) => r.peer === 'node-echo');
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}×` : 'n/a');
const table = rows.map((r) => `| ${r.peer} | ${Math.round(r.cold.qps)} | ${Math.round(r.warm.qps)} | ${ms(r.warm.avgMs)} | ${ms(r.warm.p99Ms)} | ${ms(r.cold.p99Ms)} | ${r.warm.lost + r.cold.lost} | ${mb(r.rss)} | ${mb(r.peakRss)} |`);
const md = `## DNS: throughput, latency, memory against unbound and dnsmasq (issue 4)

Run ${new Date().toISOString()} with \`npm run bench -- dns\` (bench/dns.bench.ts). ${SIZE / 1e6}M synthetic UT1-shaped names
(bench/synthetic-lists.ts) as schoolgate's list, as unbound \`local-zone: static\` lines and as dnsmasq \`address=/…/\`
lines; all three forward everything else to the same stub (unbound answering every \`*.example\`). The same 200k-query
mix (30 % listed names, half as subdomains; 70 % unlisted \`*.example\`), dnsperf 2.10 \`-c 10 -q 100\`: **cold** is one pass
(every allowed name a cache miss), **warm** its first 20k queries (asked once more just before; a working set every server's
default cache holds) looped for ${SECONDS} s. p99 from dnsperf's per-query latencies (\`-v\`, written to a file and read after
each run: read while dnsperf ran, they took a core from the server under test; before 2026-12-04 they were).
RSS after the runs, and the peak. schoolgate runs as \`npm start\` and the unit do (their node flags and \`MALLOC_ARENA_MAX=1\`;
before 2026-12-07 this bench left that variable unset), with its defaults except \`blocking.answer: nxdomain\`
(as the peers) and \`rateLimit.qps: 0\` (dnsperf is one client); unbound with its defaults (one thread).

| server | cold qps | warm qps | warm avg | warm p99 | cold p99 | lost | RSS | peak RSS |
|---|---|---|---|---|---|---|---|---|
${table.join('\n')}

schoolgate / unbound: warm ${ratio(sg?.warm.qps, unbound?.warm.qps)}, cold ${ratio(sg?.cold.qps, unbound?.cold.qps)}; RSS ${ratio(sg?.rss, unbound?.rss)}.
${roundLines.length > 0 ? `
schoolgate and unbound ran ${ROUNDS} rounds, alternating, each from a fresh start; the table holds the medians of each figure
(peak RSS: the highest). Each round's cold / warm qps:
${roundLines.join('\n')}
- schoolgate / unbound, round by round: ${pairs.map((x) => `warm ${ratio(x.sg.warm.qps, x.ub.warm.qps)} cold ${ratio(x.sg.cold.qps, x.ub.cold.qps)}`).join('; ')}
` : ''}${echo ? `
node-echo is not a peer: bench/udp-echo.mjs, a Node dgram server that does no DNS work (each query back with QR set, no
records; its cold pass does the same work as its warm one): what a resolver on node:dgram could reach here. Warm, it
reaches ${ratio(echo.warm.qps, unbound?.warm.qps)} of unbound's qps. schoolgate's listener does not use dgram where its addon is built
(native/udp-batch: recvmmsg/sendmmsg, up to 32 datagrams a system call and a call into JavaScript); the same loop over
that addon with no DNS work did 155-165k qps against dgram's 91-99k (2026-12-03, Intel Xeon VM, by hand), so schoolgate /
node-echo, ${ratio(sg?.warm.qps, echo.warm.qps)} here, is no longer a ceiling: the rest of the gap is the resolver's own work.
` : ''}
Cached answers at 5k queries/s (paced client, ${PACED_ROUNDS} rounds of 10 s, schoolgate and the stub alternating, 2000 allowed
names already cached; the stub answering the same names itself is the baseline), medians: ${cached ? `schoolgate p50 ${ms(cached.schoolgate.p50Ms)}, p99 ${ms(cached.schoolgate.p99Ms)}; stub p50 ${ms(cached.stub.p50Ms)}, p99 ${ms(cached.stub.p99Ms)}; **added p99 ${ms(cached.schoolgate.p99Ms - cached.stub.p99Ms)}** (lost ${cached.schoolgate.lost} / ${cached.stub.lost}). Rounds (schoolgate / stub p99): ${cached.rounds.map((r) => `${ms(r.schoolgate.p99Ms)} / ${ms(r.stub.p99Ms)}`).join(', ')}` : 'not measured'}.

Targets: warm qps ≥ 1.0× unbound; RSS ≤ ¼ of unbound's; added p99 of cached answers ≤ 1 ms at 5k qps.
`;
writeSection('dns', md, { size: SIZE, seconds: SECONDS, rounds: ROUNDS, rows, runs, cached });
process.stdout.write(md);
