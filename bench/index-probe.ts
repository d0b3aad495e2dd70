// Child of lists.bench.ts: loads a compiled index in a fresh process and measures load time,
// lookup throughput on one core (walking the name as a string, as `lookup` and SNI do), and RSS.
import { readFileSync } from 'node:fs';
import { DomainIndex } from '../src/lists/index.js';
import { median } from './harness.js';

const [indexFile, mixFile] = process.argv.slice(2);
const loads: number[] = [];
let index: DomainIndex | undefined;
for (let i = 0; i < 5; i++) {
  index = undefined;
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const r = DomainIndex.fromFile(indexFile);
  loads.push(performance.now() - t0);
  if (!r.ok) throw new Error(r.error);
  index = r.index;
}
if (!index) throw new Error('no index');
const mix = readFileSync(mixFile, 'utf8').split('\n').filter(Boolean);
const bits = index.newBits();
let hits = 0;
for (const name of mix) if (index.lookupInto(name, bits) > 0) hits++;
// Per wall second, and per second of this process's CPU time: the second is what one core does
// when other processes share it (the machine has two cores and benches run beside other work).
const rates: number[] = [];
const cpuRates: number[] = [];
const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (let round = 0; round < 5; round++) {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  let n = 0;
  while (performance.now() - t0 < 1000) {
    for (let i = 0; i < mix.length; i++) index.lookupInto(mix[i], bits);
    n += mix.length;
  }
  rates.push(n / ((performance.now() - t0) / 1000));
  cpuRates.push(n / (cpuSeconds() - c0));
}
process.stdout.write(`${JSON.stringify({ loadMs: median(loads), lookupsPerSec: median(rates), lookupsPerCpuSec: median(cpuRates), listedShare: hits / mix.length, rss: process.memoryUsage.rss(), entries: index.size, prefilterBytes: index.prefilterBytes })}\n`);
