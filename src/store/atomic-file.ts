// Writes that must survive a power cut: temp file in the same folder, fsync, rename, fsync the
// folder. A reader sees the old file or the new one, never a torn one.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await renameDurable(tmp, path);
}

/** Flushes `from` to disk, renames it over `to`, and flushes the folder entry. */
export async function renameDurable(from: string, to: string): Promise<void> {
  const fh = await open(from, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(from, to);
  await syncDir(dirname(to));
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
