// The control socket's commands: what CLI verbs ask a running daemon to do. Each maps onto the
// same service the API uses; the actor is root on the appliance's console.
import { userInfo } from 'node:os';
import { ControlServer, controlPath } from '../control/index.js';
import { DEV_PROFILE_NAME } from '../config-file/index.js';
import { writeBackup } from '../store/index.js';
import type { Actor } from '../audit/index.js';
import type { OverrideInput } from '../policy/index.js';
import type { CoreServices } from './core-services.js';
import type { DaemonContext, Stage } from './daemon.js';
import { lookupName } from './lookup.js';

export function cliActor(): Actor {
  let name = 'root';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "root"
  }
  return { name: `${name}@cli`, kind: 'cli', role: 'technician' };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function createControlStage(ctx: DaemonContext, core: CoreServices): Stage {
  const server = new ControlServer(controlPath(ctx.loaded.config.dataDir), {
    lookup: async (a) => {
      const at = str(a.at) ? Date.parse(str(a.at) ?? '') : ctx.clock.now();
      const client = str(a.client);
      return lookupName(ctx.state.current, str(a.domain) ?? '', at, client ? { ip: client, mac: str(a.mac) ?? ctx.identity.identify(client).mac } : undefined);
    },
    'lists.update': async () => {
      const lists = ctx.services.lists;
      if (!lists) throw new Error('the list updater is not running');
      const r = await lists.updateNow('cli');
      await core.audit.append({ actor: cliActor(), action: 'lists.update', details: r.ok ? { entries: r.meta.entries, changes: r.changes } : { error: r.error } });
      return r;
    },
    'user.add': async (a) => core.users.add(str(a.name) ?? '', str(a.role) ?? '', str(a.password) ?? '', cliActor()),
    'token.add': async (a) => core.users.addToken(str(a.name) ?? '', str(a.role) ?? '', cliActor()),
    'audit.verify': async () => core.audit.verify(),
    'audit.csv': async () => {
      let out = '';
      for await (const line of core.audit.csv()) out += line;
      return out;
    },
    'override.list': async () => core.overrides.list(),
    status: async () => ({ pid: process.pid, uptime: process.uptime() }),
    backup: async (a) => {
      const { loaded } = ctx;
      const config = loaded.file === DEV_PROFILE_NAME ? undefined : { file: loaded.file, text: core.config.text };
      const r = await writeBackup(ctx.store, str(a.path) ?? '', { withLogs: a.withLogs === true, config, now: new Date(ctx.clock.now()) });
      await core.audit.append({ actor: cliActor(), action: 'store.backup', target: str(a.path), details: { records: r.records, withLogs: a.withLogs === true } });
      return r;
    },
    'devices.import': async (a) => core.register.importText(str(a.text) ?? '', cliActor(), str(a.from) ?? 'cli'),
    'override.add': async (a) => core.overrides.create(a as OverrideInput, cliActor(), { source: 'cli' }),
    'override.revoke': async (a) => core.overrides.revoke(str(a.id) ?? '', cliActor(), str(a.reason)),
  });
  return { name: 'control', start: () => server.start(), stop: () => server.stop() };
}
