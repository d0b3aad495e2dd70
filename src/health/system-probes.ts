// The slow facts: disk usage of the data folder, clock synchronisation, whether the store still
// reads. Each is a small function that returns a value and never throws.
import { execFile } from 'node:child_process';
import { access, statfs } from 'node:fs/promises';
import type { Store } from '../store/index.js';
import type { ClockFact } from './facts.js';

/** Used share of the file system holding `path`, as df computes it (reserved blocks count as used). */
export async function diskUsage(path: string): Promise<{ usedPercent: number } | { error: string }> {
  try {
    const s = await statfs(path);
    const used = s.blocks - s.bfree;
    const usable = used + s.bavail;
    return { usedPercent: usable > 0 ? (used / usable) * 100 : 0 };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export interface ClockSources {
  /** systemd-timesyncd creates it once the clock is synchronised (systemd ≥ 239; Raspberry Pi OS) */
  syncFile: string;
  /** asks timedated, which reads the kernel's adjtimex state: right for chrony and ntpd too */
  timedatectl: readonly string[];
}

export const CLOCK_SOURCES: ClockSources = {
  syncFile: '/run/systemd/timesync/synchronized',
  timedatectl: ['timedatectl', 'show', '--property=NTPSynchronized', '--value'],
};

export async function clockSync(sources: ClockSources = CLOCK_SOURCES): Promise<ClockFact> {
  if (await access(sources.syncFile).then(() => true, () => false)) return { synced: true, source: 'systemd-timesyncd' };
  const [cmd, ...args] = sources.timedatectl;
  const r = await new Promise<{ out: string; err?: string }>((resolve) => {
    execFile(cmd, args, { timeout: 3000 }, (err, stdout, stderr) => resolve({ out: String(stdout).trim(), err: err ? (String(stderr).trim() || err.message) : undefined }));
  });
  if (!r.err && r.out === 'yes') return { synced: true, source: 'timedatectl' };
  if (!r.err && r.out === 'no') return { synced: false, source: 'timedatectl' };
  return { synced: undefined, source: 'unavailable', detail: `no ${sources.syncFile}, and ${sources.timedatectl.join(' ')} said: ${(r.err ?? r.out).split('\n')[0] || 'nothing'}` };
}

/** The store answers a read (a LevelDB that closed under us or reads with I/O errors does not). */
export async function storeCheck(store: Store): Promise<string | undefined> {
  if (store.db.status !== 'open') return `the database is ${store.db.status}`;
  try {
    await store.settings.get('health.read-check');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
