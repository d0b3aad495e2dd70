// Bounded child processes for the lab: every command has a timeout, and long-running servers are
// tracked so the lab can end them (and only them) on teardown.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** true when the timeout ended it */
  timedOut: boolean;
}

export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
}

/** Runs argv to completion (killed after `timeoutMs`, default 20 s). Never rejects. */
export function run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 20_000);
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: stderr + String(err), timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Like run(), but a non-zero exit is an Error (with the command's stderr). For setup steps. */
export async function must(argv: readonly string[], opts: ExecOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.timedOut ? 'timeout' : `exit ${r.code}`}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** A long-running server process; its output is kept (last 64 kB) for diagnostics. */
export interface Background {
  proc: ChildProcess;
  name: string;
  output(): string;
  /** resolves once `pattern` shows in its output (rejects after timeoutMs or on exit) */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function background(name: string, argv: readonly string[]): Background {
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const add = (c: string) => {
    out = (out + c).slice(-65_536);
    for (const l of [...listeners]) l();
  };
  proc.stdout?.setEncoding('utf8').on('data', add);
  proc.stderr?.setEncoding('utf8').on('data', add);
  proc.on('error', (err) => add(`spawn error: ${String(err)}`));
  const exited = new Promise<void>((resolve) => proc.once('close', () => resolve()));
  return {
    proc,
    name,
    output: () => out,
    waitFor(pattern, timeoutMs = 10_000) {
      if (pattern.test(out)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = (err?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        const check = () => {
          if (pattern.test(out)) done();
        };
        const timer = setTimeout(() => done(new Error(`${name}: no ${pattern} within ${timeoutMs} ms; output: ${out.slice(-2000)}`)), timeoutMs);
        listeners.add(check);
        void exited.then(() => done(new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}); output: ${out.slice(-2000)}`)));
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` every `everyMs` until it returns true (false after `timeoutMs`). */
export async function until(probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
