// Compiling 5M names needs a few hundred MB for a few seconds. Doing it in a child process keeps
// that peak out of the daemon, whose memory then only grows by the new index during a swap.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ListSource } from './config.js';
import { compileLists } from './update.js';
import type { CompileResult } from './update.js';

interface ChildRequest {
  dataDir: string;
  lists: ListSource[];
  fetch: 'always' | 'when-due';
}

const self = fileURLToPath(import.meta.url);

export function compileInChild(req: ChildRequest, timeoutMs = 30 * 60_000): Promise<CompileResult> {
  return new Promise((resolve) => {
    // The daemon's heap cap and size-over-speed setting are for serving; compiling 5M names needs
    // more heap, for a minute, in here, and should be as fast as it can.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--max-old-space-size') && a !== '--optimize-for-size');
    const child = fork(self, ['--compile-child'], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    let settled = false;
    const finish = (r: CompileResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, error: `list compile took longer than ${timeoutMs / 1000} s`, reports: [] }), timeoutMs);
    child.on('message', (msg) => finish(msg as CompileResult));
    child.on('error', (err) => finish({ ok: false, error: `list compiler failed to start: ${err.message}`, reports: [] }));
    child.on('exit', (code, signal) => finish({ ok: false, error: `list compiler exited (${signal ?? code})`, reports: [] }));
    child.send(req);
  });
}

if (process.argv.includes('--compile-child') && process.argv[1] === self && process.send) {
  process.once('message', (msg) => {
    const req = msg as ChildRequest;
    compileLists({ ...req, now: () => new Date() })
      .catch((err: Error): CompileResult => ({ ok: false, error: err.stack ?? String(err), reports: [] }))
      .then((result) => process.send?.(result, () => process.exit(0)));
  });
}
