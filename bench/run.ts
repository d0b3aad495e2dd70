// npm run bench [-- NAME…]: runs bench/*.bench.ts one after another (each in its own process, so
// one's memory never counts against another) and assembles BENCHMARKS.md from their sections.
//
// Contract for a bench file: it runs standalone (node --import tsx bench/NAME.bench.ts), writes a
// markdown section to bench/out/NAME.md and its raw figures to bench/out/NAME.json, and exits 0.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const benchDir = join(root, 'bench');
const outDir = join(benchDir, 'out');
mkdirSync(outDir, { recursive: true });

const wanted = process.argv.slice(2);
const all = readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')).sort();
const names = wanted.length > 0 ? all.filter((n) => wanted.includes(n)) : all;

for (const name of names) {
  process.stdout.write(`\n== bench ${name}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(benchDir, `${name}.bench.ts`)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.stdout.write(`bench ${name} failed (exit ${r.status ?? r.signal})\n`);
}

// BENCHMARKS.md holds every bench's latest section; a partial run keeps the others' sections.
const sections = all.filter((n) => existsSync(join(outDir, `${n}.md`))).map((n) => readFileSync(join(outDir, `${n}.md`), 'utf8').trim());
const header = `# Benchmarks

Latest figures from \`npm run bench\` (each section says when it ran, on which machine, and the exact
commands). Peers run side by side with schoolgate in the same run, on the same data; ratios are what
count, the machine is shared and noisy, so figures are medians of several rounds. Sections from
different sessions may come from different machines: this VM's host changes, and absolute figures
(lookups/s above all) with it.
`;
writeFileSync(join(root, 'BENCHMARKS.md'), `${header}\n${sections.join('\n\n')}\n`);
process.stdout.write(`\nwrote BENCHMARKS.md (${sections.length} sections)\n`);
