// The kernel behind two small interfaces. The CLI implementations run `nft` and `tc` (optionally
// inside a network namespace, for tests); every call is bounded by a timeout and returns a value.
import { spawn } from 'node:child_process';

export type KernelResult = { ok: true; stdout: string } | { ok: false; error: string };

export interface NftApplier {
  /** runs a script with `nft -f -`: one transaction, all or nothing */
  run(script: string): Promise<KernelResult>;
  /** `nft -j list …` (e.g. ['set', 'inet', 'schoolgate', 'usage4']) */
  listJson(args: readonly string[]): Promise<KernelResult>;
  /** `nft -t list …`: text, set contents left out */
  listTerse(args: readonly string[]): Promise<KernelResult>;
}

export interface TcApplier {
  /** runs commands with `tc -batch -` (stops at the first failing line) */
  batch(lines: readonly string[]): Promise<KernelResult>;
  /** `tc <args>` text (e.g. ['qdisc', 'show', 'dev', 'eth0']; iproute2 6.1 has no JSON for classes) */
  show(args: readonly string[]): Promise<KernelResult>;
}

export interface CliOptions {
  /** run inside this network namespace (`ip netns exec NS …`) */
  netns?: string;
  timeoutMs?: number;
}

export function createNftCli(opts: CliOptions = {}): NftApplier {
  const nft = (args: readonly string[], input?: string) => exec(prefix(opts, ['nft', ...args]), input, opts.timeoutMs);
  return {
    run: (script) => nft(['-f', '-'], script),
    listJson: (args) => nft(['-j', 'list', ...args]),
    listTerse: (args) => nft(['-t', 'list', ...args]),
  };
}

export function createTcCli(opts: CliOptions = {}): TcApplier {
  return {
    batch: (lines) => (lines.length === 0 ? Promise.resolve({ ok: true, stdout: '' }) : exec(prefix(opts, ['tc', '-batch', '-']), `${lines.join('\n')}\n`, opts.timeoutMs)),
    show: (args) => exec(prefix(opts, ['tc', ...args]), undefined, opts.timeoutMs),
  };
}

function prefix(opts: CliOptions, argv: string[]): string[] {
  return opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...argv] : argv;
}

function exec(argv: readonly string[], input: string | undefined, timeoutMs = 15_000): Promise<KernelResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `${argv[0]}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code === 0) resolve({ ok: true, stdout: Buffer.concat(out).toString('utf8') });
      else resolve({ ok: false, error: signal ? `${argv.join(' ')}: killed (${signal}) after ${timeoutMs} ms` : stderr || `exit ${code}` });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
