#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=1
// schoolgate: the daemon and its command-line verbs.
// The shebang's --max-semi-space-size=1 keeps the young generation small: the hot path allocates
// little, and resident memory on a Pi matters more than a few extra scavenges (~17 MB RSS with
// the API up, bench/out/lists.md). MALLOC_ARENA_MAX=1: glibc would give every thread that
// mallocs (libuv's pool, LevelDB's compaction) an arena of its own, whose free space stays
// resident; those threads malloc little, so sharing one arena costs no measurable speed.
// The service (systemd unit, npm start) also caps V8's old space at 128 MB: see the unit file.
// Each verb's module loads when it runs: the daemon (`run`) never loads the list compiler's
// CLI, backups, CSV import, pcap decoders… (less code and heap resident; bench/out/lists.md).
import { processIo, UsageError } from './cli/common.js';
import type { Io } from './cli/common.js';

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

type Command = (args: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./cli/run.js')).runCommand,
  'check-config': async () => (await import('./cli/check-config.js')).checkConfigCommand,
  lookup: async () => (await import('./cli/lookup.js')).lookupCommand,
  lists: async () => (await import('./cli/lists-update.js')).listsCommand,
  user: async () => (await import('./cli/users.js')).userCommand,
  token: async () => (await import('./cli/users.js')).tokenCommand,
  override: async () => (await import('./cli/overrides.js')).overrideCommand,
  audit: async () => (await import('./cli/audit.js')).auditCommand,
  devices: async () => (await import('./cli/devices.js')).devicesCommand,
  backup: async () => (await import('./cli/backup.js')).backupCommand,
  restore: async () => (await import('./cli/backup.js')).restoreCommand,
  'example-config': async () => (await import('./cli/example-config.js')).exampleConfigCommand,
  traffic: async () => (await import('./cli/traffic.js')).trafficCommand,
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) {
    io.err(`schoolgate: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load())(args, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`schoolgate: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}

// From the bundle (dist/cli.js), the list compiler's child process is this file too
// (src/lists/compile-child.ts forks the module it is part of): that child runs no verb.
if (process.argv[2] !== '--compile-child') main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`schoolgate: internal error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 70;
  },
);
