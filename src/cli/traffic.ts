// `schoolgate traffic inspect FILE [--config FILE] [--json]`: the flows of a pcap file with their
// server names and the decision each device's group would get, offline (no daemon, no store).
import { parseArgs } from 'node:util';
import { buildState, ensureIndex } from '../daemon/index.js';
import type { FlowRecord } from '../daemon/index.js';
import { silentLogger } from '../log.js';
import { FlowInspector, readPcapFileRecords } from '../traffic/index.js';
import type { Io } from './common.js';
import { UsageError, loadOrReport } from './common.js';

const USAGE = 'usage: schoolgate traffic inspect FILE [--config FILE] [--json]';

export async function trafficCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals[0] !== 'inspect' || positionals.length !== 2) throw new UsageError(USAGE);
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  const index = await ensureIndex(loaded.config, silentLogger(), 'inline');
  if (!index.ok) {
    io.err(`schoolgate: no usable domain index: ${index.error}`);
    return 1;
  }
  const state = buildState(loaded.config, index.index, [], Date.now());
  // offline there is no neighbour table or register: the group comes from the config's match
  const inspector = new FlowInspector({ state: () => state, identify: (ip) => ({ group: state.policy.groups[state.matcher.match(ip, undefined)] }) });
  const flows: FlowRecord[] = [];
  const end = await readPcapFileRecords(positionals[1], (buf, start, stop, time, link) => {
    const f = inspector.onRecord(buf, start, stop, time, link);
    if (f) flows.push(f);
  });
  if (!end.ok) {
    io.err(`schoolgate: ${positionals[1]}: ${end.error}`);
    return 1;
  }
  if (values.json) {
    io.out(JSON.stringify({ packets: end.packets, flows }, null, 2));
    return 0;
  }
  for (const f of flows) io.out(formatFlow(f));
  io.out(`${end.packets} packets, ${flows.length} flows, ${flows.filter((f) => f.action === 'block').length} blocked`);
  return 0;
}

function formatFlow(f: FlowRecord): string {
  const dst = f.dst.includes(':') ? `[${f.dst}]:${f.dport}` : `${f.dst}:${f.dport}`;
  const why = f.category ? `${f.reason}, ${f.category}` : f.reason;
  return `${new Date(f.time).toISOString()}  ${f.client} (${f.group})  ${f.proto.padEnd(4)} ${f.server}  → ${dst}  ${f.action} (${why})${f.ech ? '  ECH: outer name only' : ''}`;
}
