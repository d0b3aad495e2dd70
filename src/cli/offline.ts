// CLI verbs run against a running daemon (control socket) or, when none runs, against the store
// directly with the same services. One code path for the work itself.
import type { LoadedConfig } from '../config-file/index.js';
import { callDaemon } from '../control/index.js';
import { StateHolder, buildState, createCoreServices, ensureIndex, EventBus } from '../daemon/index.js';
import type { CoreServices, PolicyState } from '../daemon/index.js';
import { silentLogger } from '../log.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';

export type Reply<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs `cmd` in the daemon if one runs, otherwise `offline` over the opened store. */
export async function viaDaemonOr<T>(
  loaded: LoadedConfig,
  cmd: string,
  args: Record<string, unknown>,
  offline: (core: CoreServices, state: PolicyState, store: Store) => Promise<T>,
): Promise<Reply<T>> {
  const asked = await callDaemon(loaded.config.dataDir, cmd, args);
  if (asked.kind === 'ok') return { ok: true, value: asked.result as T };
  if (asked.kind === 'error') return { ok: false, error: asked.error };
  const opened = await openStore(loaded.config.dataDir);
  if (!opened.ok) return { ok: false, error: opened.error };
  try {
    const index = await ensureIndex(loaded.config, silentLogger(), 'inline');
    if (!index.ok) return { ok: false, error: `no usable domain index: ${index.error}` };
    // Overrides are loaded from the store into the snapshot, so offline answers match the daemon's.
    const state = new StateHolder(buildState(loaded.config, index.index, [], Date.now()));
    const core = await createCoreServices({ loaded, store: opened.store, state, events: new EventBus(), log: silentLogger(), now: Date.now });
    try {
      return { ok: true, value: await offline(core, state.current, opened.store) };
    } finally {
      core.overrides.stop();
    }
  } finally {
    await opened.store.close();
  }
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (then Enter, Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (chunks.reduce((n, b) => n + b.length, 0) > 4096) break;
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
