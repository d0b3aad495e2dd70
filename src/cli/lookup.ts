import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { formatLookup, lookupName } from '../daemon/index.js';
import type { LookupResult } from '../daemon/index.js';
import type { Io } from './common.js';
import { UsageError, loadOrReport } from './common.js';
import { viaDaemonOr } from './offline.js';

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
  const client = values.client ? { ip: values.client, mac: values.mac } : undefined;
  const r = await viaDaemonOr<LookupResult>(loaded, 'lookup', { domain: positionals[0], client: values.client, mac: values.mac, at: new Date(now).toISOString() }, async (core, state) => {
    void core;
    return lookupName(state, positionals[0], now, client);
  });
  if (!r.ok) {
    io.err(`schoolgate: ${r.error}`);
    return 1;
  }
  if (!r.value.ok) {
    io.err(`schoolgate: ${r.value.error}`);
    return 1;
  }
  io.out(values.json ? JSON.stringify(r.value.answer, null, 2) : formatLookup(r.value.answer));
  return 0;
}
