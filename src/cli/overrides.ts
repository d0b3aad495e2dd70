import { parseArgs } from 'node:util';
import { cliActor } from '../daemon/index.js';
import type { OverrideView, ServiceResult } from '../overrides/index.js';
import { describeTarget } from '../overrides/index.js';
import type { OverrideInput } from '../policy/index.js';
import type { Io } from './common.js';
import { UsageError, loadOrReport } from './common.js';
import { viaDaemonOr } from './offline.js';

const USAGE = `usage: schoolgate override list [--config FILE]
       schoolgate override add (--domain D | --category C) (--group G | --client IP | --mac MAC | --school)
                               (--minutes N | --until ISO) --reason TEXT [--requested-by WHO] [--block] [--config FILE]
       schoolgate override revoke ID [--reason TEXT] [--config FILE]`;

export async function overrideCommand(args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string' }, domain: { type: 'string' }, category: { type: 'string' }, group: { type: 'string' },
      client: { type: 'string' }, mac: { type: 'string' }, school: { type: 'boolean' }, minutes: { type: 'string' },
      until: { type: 'string' }, reason: { type: 'string' }, 'requested-by': { type: 'string' }, block: { type: 'boolean' },
    },
  });
  if (!['list', 'add', 'revoke'].includes(verb ?? '')) throw new UsageError(USAGE);
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  if (verb === 'list') {
    const r = await viaDaemonOr<OverrideView[]>(loaded, 'override.list', {}, async (core) => core.overrides.list());
    if (!r.ok) return fail(io, r.error);
    for (const o of r.value) io.out(`${o.id}  ${o.status.padEnd(16)}  until ${o.expiresAt}  ${o.action} ${describeTarget(o)}  — ${o.reason} (by ${o.grantedBy})`);
    if (r.value.length === 0) io.out('no overrides');
    return 0;
  }
  if (verb === 'revoke') {
    if (positionals.length !== 1) throw new UsageError(USAGE);
    const a = { id: positionals[0], reason: values.reason };
    const r = await viaDaemonOr<ServiceResult<OverrideView>>(loaded, 'override.revoke', a, (core) => core.overrides.revoke(a.id, cliActor(), a.reason));
    return report(io, r, 'revoked');
  }
  const input: OverrideInput = {
    domain: values.domain, category: values.category, group: values.group, client: values.client, mac: values.mac,
    school: values.school, minutes: values.minutes === undefined ? undefined : Number(values.minutes), until: values.until,
    reason: values.reason, requestedBy: values['requested-by'], action: values.block ? 'block' : 'allow',
  };
  const r = await viaDaemonOr<ServiceResult<OverrideView>>(loaded, 'override.add', { ...input }, (core) => core.overrides.create(input, cliActor(), { source: 'cli' }));
  return report(io, r, 'created');
}

function report(io: Io, r: { ok: true; value: ServiceResult<OverrideView> } | { ok: false; error: string }, verb: string): number {
  if (!r.ok) return fail(io, r.error);
  if (!r.value.ok) return fail(io, `${r.value.message}${r.value.code === 'SG_LOCKED_CATEGORY' ? ' (this attempt was audited)' : ''}`);
  const o = r.value.value;
  io.out(`override ${o.id} ${verb}: ${o.action} ${describeTarget(o)} until ${o.expiresAt} (${o.status})`);
  return 0;
}

function fail(io: Io, message: string): number {
  io.err(`schoolgate: ${message}`);
  return 1;
}
