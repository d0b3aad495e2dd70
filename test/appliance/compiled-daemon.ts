// The compiled daemon (node dist/cli.js run) on a config file the test owns, as systemd runs it:
// restarted on the same dataDir and config, killed with SIGKILL like a power cut.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { DIST_CLI, ensureBuilt } from './build.js';
import { onJsonLines } from '../helpers/daemon.js';

export interface CompiledDaemon {
  proc: ChildProcess;
  logs: Record<string, unknown>[];
  /** resolves when the process has exited */
  exited: Promise<number | null>;
}

export async function runCompiledDaemon(config: string, env: Record<string, string> = {}, readyTimeoutMs = 120_000): Promise<CompiledDaemon> {
  ensureBuilt();
  const proc = spawn(process.execPath, ['--max-semi-space-size=1', '--max-old-space-size=128', '--optimize-for-size', DIST_CLI, 'run', '--config', config], { env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let onLine: (() => void) | undefined;
  onJsonLines(proc, (line) => {
    logs.push(line);
    onLine?.();
  });
  proc.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-10_000)));
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no "ready" within ${readyTimeoutMs} ms: ${stderr}`)), readyTimeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(err);
    };
    onLine = () => {
      if (logs.some((l) => l.msg === 'ready')) {
        clearTimeout(timer);
        onLine = undefined;
        resolve();
      }
    };
    void exited.then((code) => fail(new Error(`the daemon exited (${code}) before "ready": ${stderr}`)));
  });
  return { proc, logs, exited };
}
