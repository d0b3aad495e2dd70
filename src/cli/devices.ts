import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cliActor } from '../daemon/index.js';
import type { ImportResult } from '../identity/index.js';
import type { Io } from './common.js';
import { UsageError, loadOrReport } from './common.js';
import { viaDaemonOr } from './offline.js';

/** schoolgate devices import FILE: all or nothing; bad lines as FILE:LINE: message. */
export async function devicesCommand(args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string' } } });
  if (verb !== 'import' || positionals.length !== 1) throw new UsageError('usage: schoolgate devices import FILE [--config FILE]');
  const file = positionals[0];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    io.err(`${file}:1: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    return 1;
  }
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  const from = resolve(file);
  const r = await viaDaemonOr<ImportResult>(loaded, 'devices.import', { text, from }, (core) => core.register.importText(text, cliActor(), from));
  if (!r.ok) {
    io.err(`schoolgate: ${r.error}`);
    return 1;
  }
  if (!r.value.ok) {
    for (const e of r.value.errors) io.err(`${file}:${e.line}: ${e.message}`);
    io.err('schoolgate: nothing imported');
    return 1;
  }
  const { added, changed, removed } = r.value.diff;
  io.out(`${r.value.devices} devices registered: ${added} added, ${changed} changed, ${removed} removed`);
  return 0;
}
