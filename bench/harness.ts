// Helpers shared by the bench files: medians, resident memory of a process, writing the section.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, release, totalmem } from 'node:os';

export const outDir = new URL('./out/', import.meta.url).pathname;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Resident set size of a process in bytes (VmRSS), or NaN when it is gone. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Peak resident set size (VmHWM) of a process in bytes. */
export function peakRssOf(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** node's flags for the daemon, as the systemd unit and `npm start` run it (SG_BENCH_NODE_FLAGS overrides them). */
export const daemonNodeFlags = (process.env.SG_BENCH_NODE_FLAGS ?? '--max-semi-space-size=1 --max-old-space-size=128 --optimize-for-size').split(' ').filter(Boolean);

/** The daemon's environment, as the unit sets it: MALLOC_ARENA_MAX=1 (SG_BENCH_MALLOC_ARENA_MAX overrides it; empty: unset). */
export const daemonEnv: NodeJS.ProcessEnv = { ...process.env, MALLOC_ARENA_MAX: process.env.SG_BENCH_MALLOC_ARENA_MAX ?? '1' };
if (daemonEnv.MALLOC_ARENA_MAX === '') delete daemonEnv.MALLOC_ARENA_MAX;

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** This machine, for a section's figures (the VM's host changes between sessions, and the figures with it). */
export const machine = () => `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}, Node ${process.version}`;

/** Writes a section, its machine on the line after its heading. */
export function writeSection(name: string, markdown: string, data: unknown): void {
  mkdirSync(outDir, { recursive: true });
  const [heading, ...rest] = markdown.trim().split('\n');
  writeFileSync(join(outDir, `${name}.md`), `${[heading, '', `Machine: ${machine()}.`, ...rest].join('\n')}\n`);
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
}
