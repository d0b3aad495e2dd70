import { parseArgs } from 'node:util';
import { callDaemon } from '../control/index.js';
import { compileLists } from '../lists/index.js';
import type { CompileResult, ListReport } from '../lists/index.js';
import type { Io } from './common.js';
import { UsageError, loadOrReport } from './common.js';

export async function listsCommand(args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'update') throw new UsageError('usage: schoolgate lists update [--config FILE]');
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, json: { type: 'boolean' } } });
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  const t0 = performance.now();
  // A running daemon does the update itself (and swaps the index in); otherwise compile here.
  const asked = await callDaemon(loaded.config.dataDir, 'lists.update');
  if (asked.kind === 'error') {
    io.err(`schoolgate: ${asked.error}`);
    return 1;
  }
  const result = asked.kind === 'ok'
    ? (asked.result as CompileResult)
    : await compileLists({ dataDir: loaded.config.dataDir, lists: loaded.config.lists, now: () => new Date(), fetch: 'always' });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const reports = result.ok ? result.meta.lists : result.reports;
  if (values.json) {
    io.out(JSON.stringify(result.ok ? { ok: true, path: result.path, entries: result.meta.entries, lists: reports, changes: result.changes } : result, null, 2));
  } else {
    for (const r of reports) io.out(formatReport(r));
    if (result.ok) io.out(`compiled ${result.meta.entries} names in ${result.meta.categories.length} categories in ${seconds} s → ${result.path}`);
  }
  if (!result.ok) {
    io.err(`schoolgate: lists not updated, the previous index stays in use: ${result.error}`);
    return 1;
  }
  return reports.some((r) => r.status !== 'ok') ? 2 : 0;
}

function formatReport(r: ListReport): string {
  const rejects = Object.entries(r.rejected).map(([k, v]) => `${k} ${v}`).join(', ');
  const parts = [`${r.name}: ${r.status}`, `${r.accepted} names`];
  if (rejects) parts.push(`rejected: ${rejects}`);
  if (r.ips) parts.push(`${r.ips} IP addresses`);
  if (r.error) parts.push(r.error);
  return parts.join('; ');
}
