// Starts the real daemon (`schoolgate run`) as a child process, the way users run it, and waits
// for its "ready" log line. Used by integration tests and the lab.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(REPO, 'src', 'cli.ts');

export interface RunningDaemon {
  proc: ChildProcess;
  /** every JSON log line so far */
  logs: Record<string, unknown>[];
  /** resolves with the first log line matching `pred` (rejects after `timeoutMs`) */
  waitForLog(pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  stderr(): string;
}

export interface StartOptions {
  /** YAML text of the config; written to a temp file */
  config: string;
  /** run inside this network namespace (`ip netns exec NS …`) */
  netns?: string;
  env?: Record<string, string>;
  /** node's own flags, before the CLI (some, like --optimize-for-size, are not allowed in NODE_OPTIONS) */
  nodeFlags?: readonly string[];
  /** argv the daemon command is appended to (a private mount namespace, dropped capabilities) */
  wrap?: readonly string[];
  /** the ready line must come within this (default 60 s) */
  readyTimeoutMs?: number;
}

/** A fresh temp folder (removed by the returned cleanup). */
export function tempDir(prefix = 'sg-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Each line of the daemon's stdout, parsed (a line that is not JSON comes as `{ msg, raw: true }`). */
export function onJsonLines(proc: ChildProcess, onLine: (line: Record<string, unknown>) => void): void {
  let buffered = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { msg: text, raw: true };
      }
      onLine(line);
    }
  });
}

export async function startDaemon(opts: StartOptions): Promise<RunningDaemon> {
  const { dir } = tempDir('sg-config-');
  const configPath = join(dir, 'schoolgate.yaml');
  writeFileSync(configPath, opts.config);
  const node = [process.execPath, ...(opts.nodeFlags ?? []), '--import', 'tsx', CLI, 'run', '--config', configPath];
  const argv = [...(opts.wrap ?? []), ...(opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...node] : node)];
  const proc = spawn(argv[0], argv.slice(1), { cwd: REPO, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  const waiters: { pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let errText = '';
  onJsonLines(proc, (line) => {
    logs.push(line);
    for (const w of [...waiters]) {
      if (w.pred(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errText = (errText + chunk).slice(-20_000);
  });
  // 'close', not 'exit': the last stdout lines arrive after the process has exited.
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));

  const waitForLog = (pred: (l: Record<string, unknown>) => boolean, timeoutMs = 10_000) => {
    const seen = logs.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a log line; stderr: ${errText.slice(-2000)}`)), timeoutMs);
      const entry = { pred, resolve: (l: Record<string, unknown>) => { clearTimeout(timer); resolve(l); } };
      waiters.push(entry);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`daemon exited (${code}) before the expected log line; stderr: ${errText.slice(-2000)}`));
      });
    });
  };

  const running: RunningDaemon = {
    proc,
    logs,
    waitForLog,
    stderr: () => errText,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill(signal);
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
      return proc.exitCode;
    },
  };
  try {
    await waitForLog((l) => l.msg === 'ready', opts.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await running.stop('SIGKILL');
    throw err;
  }
  return running;
}
