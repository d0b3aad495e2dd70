#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
// schoolgate: the daemon and its command-line verbs.
// The shebang's --max-semi-space-size=1 keeps the young generation small: the hot path allocates
// little, and resident memory on a Pi matters more than a few extra scavenges (~17 MB RSS with
// the API up, bench/out/lists.md). MALLOC_ARENA_MAX=2: glibc gives every thread that mallocs
// (libuv's pool, LevelDB's compaction) an arena of its own, and their free space stays resident.
// The service (systemd unit, npm start) also caps V8's old space at 128 MB: see the unit file.
import { checkConfigCommand } from './cli/check-config.js';
import { processIo, UsageError } from './cli/common.js';
import type { Io } from './cli/common.js';
import { listsCommand } from './cli/lists-update.js';
import { lookupCommand } from './cli/lookup.js';
import { runCommand } from './cli/run.js';
import { tokenCommand, userCommand } from './cli/users.js';
import { auditCommand } from './cli/audit.js';
import { overrideCommand } from './cli/overrides.js';
import { devicesCommand } from './cli/devices.js';
import { backupCommand, restoreCommand } from './cli/backup.js';
import { exampleConfigCommand } from './cli/example-config.js';
import { trafficCommand } from './cli/traffic.js';

const USAGE = `usage: schoolgate <command> [options]

  run [--config FILE]                       run the daemon (no FILE: the dev profile)
  check-config FILE                         validate a config; errors as FILE:LINE:COL: message
  lookup DOMAIN [--config FILE] [--client IP] [--at ISO-TIME] [--json]
                                            categories and the decision per group, and why
  lists update [--config FILE] [--json]     fetch and compile the lists now
  user add NAME --role ROLE [--config FILE] add an admin account (password on stdin)
  token add NAME --role ROLE [--config FILE]
                                            a new API token for scripts (last line: the token)
  override list|add|revoke …                time-limited overrides (see: schoolgate override)
  audit verify|export [--config FILE]       check the audit chain; export it as CSV
  devices import FILE [--config FILE]       replace the device register (CSV: mac,user,group[,class,expires])
  backup FILE [--with-logs] [--config FILE] config, users, overrides, audit (and logs) to FILE
  restore FILE [--with-config] [--config FILE]
                                            restore a backup (daemon stopped; its audit chain must verify)
  example-config [--set PATH=VALUE]…        print a config documenting every key (with these values set)
  traffic inspect FILE [--config FILE] [--json]
                                            flows of a pcap file: server names and each decision

  Verbs that touch the store work while the daemon runs (through its control socket).`;

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<number>> = {
  run: runCommand,
  'check-config': checkConfigCommand,
  lookup: lookupCommand,
  lists: listsCommand,
  user: userCommand,
  token: tokenCommand,
  override: overrideCommand,
  audit: auditCommand,
  devices: devicesCommand,
  backup: backupCommand,
  restore: restoreCommand,
  'example-config': exampleConfigCommand,
  traffic: trafficCommand,
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.err(`schoolgate: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  try {
    return await run(args, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`schoolgate: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`schoolgate: internal error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 70;
  },
);
