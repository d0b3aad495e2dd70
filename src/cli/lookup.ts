import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { silentLogger } from '../log.js';
import { buildState, ensureIndex, formatLookup, lookupName, readStoredOverrides } from '../daemon/index.js';
import type { Io } from './common.js';
import { UsageError, loadOrReport } from './common.js';

export async function lookupCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string' }, client: { type: 'string' }, mac: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('usage: schoolgate lookup DOMAIN [--config FILE] [--client IP] [--at ISO-TIME] [--json]');
  if (values.client !== undefined && isIP(values.client) === 0) throw new UsageError(`--client: "${values.client}" is not an IP address`);
  const now = values.at === undefined ? Date.now() : Date.parse(values.at);
  if (Number.isNaN(now)) throw new UsageError(`--at: "${values.at}" is not an ISO date and time`);
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  const index = await ensureIndex(loaded.config, silentLogger(), 'inline');
  if (!index.ok) {
    io.err(`schoolgate: no usable domain index: ${index.error}`);
    return 1;
  }
  const overrides = await readStoredOverrides(loaded.config.dataDir);
  const state = buildState(loaded.config, index.index, overrides.records, now);
  const result = lookupName(state, positionals[0], now, values.client ? { ip: values.client, mac: values.mac } : undefined);
  if (!result.ok) {
    io.err(`schoolgate: ${result.error}`);
    return 1;
  }
  if (values.json) io.out(JSON.stringify(result.answer, null, 2));
  else {
    io.out(formatLookup(result.answer));
    if (overrides.note) io.out(`  (${overrides.note})`);
  }
  return 0;
}
