import { parseArgs } from 'node:util';
import { cliActor } from '../daemon/index.js';
import type { TokenRecord, User, UserResult } from '../users/index.js';
import type { Io } from './common.js';
import { UsageError, loadOrReport } from './common.js';
import { readStdin, viaDaemonOr } from './offline.js';

/** schoolgate user add NAME --role ROLE (password on stdin) */
export async function userCommand(args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { role: { type: 'string' }, config: { type: 'string' } } });
  if (verb !== 'add' || positionals.length !== 1 || !values.role) throw new UsageError('usage: schoolgate user add NAME --role technician|safeguarding|viewer [--config FILE] (password on stdin)');
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  const password = await readStdin();
  const args2 = { name: positionals[0], role: values.role, password };
  const r = await viaDaemonOr<UserResult<User>>(loaded, 'user.add', args2, (core) => core.users.add(args2.name, args2.role, password, cliActor()));
  if (!r.ok) return fail(io, r.error);
  if (!r.value.ok) return fail(io, r.value.message);
  io.out(`user ${r.value.value.name} added (${r.value.value.role})`);
  return 0;
}

/** schoolgate token add NAME --role ROLE: the last line printed is the token alone. */
export async function tokenCommand(args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { role: { type: 'string' }, config: { type: 'string' } } });
  if (verb !== 'add' || positionals.length !== 1 || !values.role) throw new UsageError('usage: schoolgate token add NAME --role ROLE [--config FILE]');
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  const a = { name: positionals[0], role: values.role };
  const r = await viaDaemonOr<UserResult<{ token: string; record: TokenRecord }>>(loaded, 'token.add', a, (core) => core.users.addToken(a.name, a.role, cliActor()));
  if (!r.ok) return fail(io, r.error);
  if (!r.value.ok) return fail(io, r.value.message);
  io.out(`token ${r.value.value.record.id} for ${a.name} (${a.role}); it is shown once:`);
  io.out(r.value.value.token);
  return 0;
}

function fail(io: Io, message: string): number {
  io.err(`schoolgate: ${message}`);
  return 1;
}
