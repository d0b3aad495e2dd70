// Shared by the CLI verbs: loading the config with its catalog, printing errors.
import { formatConfigError, loadConfig } from '../config-file/index.js';
import type { LoadedConfig } from '../config-file/index.js';
import { readCategoryCatalog } from '../lists/index.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export async function loadOrReport(file: string | undefined, io: Io): Promise<LoadedConfig | undefined> {
  const result = await loadConfig(file, (c) => readCategoryCatalog(c.dataDir, c.lists));
  if (result.ok) return result.loaded;
  for (const e of result.errors) io.err(formatConfigError(e));
  return undefined;
}

export class UsageError extends Error {}
