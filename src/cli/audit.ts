import { parseArgs } from 'node:util';
import type { VerifyResult } from '../audit/index.js';
import type { Io } from './common.js';
import { UsageError, loadOrReport } from './common.js';
import { viaDaemonOr } from './offline.js';

/** schoolgate audit verify | audit export (CSV on stdout, daemon stopped or not) */
export async function auditCommand(args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string' } } });
  if (verb !== 'verify' && verb !== 'export') throw new UsageError('usage: schoolgate audit verify|export [--config FILE]');
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  if (verb === 'export') {
    const r = await viaDaemonOr<string>(loaded, 'audit.csv', {}, async (core) => {
      let out = '';
      for await (const line of core.audit.csv()) out += line;
      return out;
    });
    if (!r.ok) {
      io.err(`schoolgate: ${r.error}`);
      return 1;
    }
    process.stdout.write(r.value);
    return 0;
  }
  const r = await viaDaemonOr<VerifyResult>(loaded, 'audit.verify', {}, (core) => core.audit.verify());
  if (!r.ok) {
    io.err(`schoolgate: ${r.error}`);
    return 1;
  }
  if (r.value.ok) {
    io.out(`audit chain ok: ${r.value.entries} entries, head ${r.value.head.slice(0, 16)}…`);
    return 0;
  }
  io.err(`audit chain BROKEN at entry ${r.value.seq}: ${r.value.problem} (${r.value.entries} entries verified before it)`);
  return 1;
}
