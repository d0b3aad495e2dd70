// The API stage: the admin server (JSON API, events, /metrics, UI) on admin.listen, TLS as
// configured, and the block page + portal server on port 80 of the block-page address. Both are
// bound only to the configured addresses; in gateway mode a wildcard or an address of the WAN
// interface is refused. Listener problems are reported (GET /status, the log) but never stop
// the daemon: filtering matters more than the UI.
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DaemonContext, Stage } from '../daemon/index.js';
import { PACKAGE_ROOT } from '../config-file/index.js';
import type { Config } from '../config.js';
import type { ApiDeps } from './api-deps.js';
import { ServerSet } from './server-set.js';
import { adminTls } from './tls.js';

const SWEEP_EVERY_MS = 3_600_000;

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Where the block page and portal listen: admin.blockPage, else port 80 of their addresses. */
export function blockPageAddresses(config: Config): string[] {
  if (config.admin.blockPage) return config.admin.blockPage;
  const { blocking } = config.dns;
  const hosts = [blocking.address, blocking.address6, config.portal.address].filter((h): h is string => Boolean(h));
  return [...new Set(hosts)].map((h) => (h.includes(':') ? `[${h}]:80` : `${h}:80`));
}

/** In gateway mode nothing of ours may answer on the WAN side. */
function wanGuard(config: Config): (host: string) => string | undefined {
  if (config.mode !== 'gateway') return () => undefined;
  const wan = new Set((networkInterfaces()[config.network.wan] ?? []).map((a) => a.address));
  return (host) => {
    if (host === '0.0.0.0' || host === '::') return `a wildcard address would answer on the WAN (${config.network.wan}) too: name the LAN or management address`;
    if (wan.has(host)) return `${host} is an address of the WAN interface ${config.network.wan}`;
    return undefined;
  };
}

export function createApiStage(ctx: DaemonContext): Stage {
  const log = ctx.log.child({ stage: 'api' });
  // The admin and block-page listeners, once made (GET /status reports their states).
  const sets: { admin?: ServerSet; block?: ServerSet } = {};
  let adminApp: FastifyInstance | undefined;
  let blockApp: FastifyInstance | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let deps: ApiDeps | undefined;

  return {
    name: 'api',
    async start() {
      // Loaded here, not at the top: src/config.ts imports this folder's index for the config
      // fragment, and the apps import daemon values that need the finished config module.
      const [{ createApiDeps }, { buildAdminApp }, { buildBlockApp }] = await Promise.all([import('./api-deps.js'), import('./admin-app.js'), import('./block-app.js')]);
      const { config } = ctx.state.current;
      deps = createApiDeps(ctx, {
        version: packageVersion(),
        uiRoot: join(PACKAGE_ROOT, 'web-ui', 'dist'),
        listeners: () => ({ admin: sets.admin?.states ?? [], blockPage: sets.block?.states ?? [] }),
        onSetupCode: (code) => log.warn(`setup needed: no admin account exists. Open the admin UI (${adminUrls(config, sets.admin?.states.map((s) => s.address))}) and enter the one-time setup code ${code} to create the technician account`),
      });
      await deps.sessions.sweep();
      sweeper = setInterval(() => void deps?.sessions.sweep().catch((err: Error) => log.warn({ err: err.message }, 'session sweep failed')), SWEEP_EVERY_MS);
      sweeper.unref();

      const tls = await adminTls(config.admin, config.dataDir, ctx.clock.now());
      const guard = wanGuard(config);
      if (!tls.ok) {
        log.error({ err: tls.error }, 'admin TLS unusable: the admin UI is not served');
        sets.admin = new ServerSet(undefined, 443);
        sets.admin.states.push(...config.admin.listen.map((address) => ({ address, tls: true, listening: false, error: tls.error })));
      } else {
        sets.admin = new ServerSet(tls.tls, tls.tls ? 443 : 80);
        adminApp = (await buildAdminApp(deps, { https: tls.tls !== undefined, serverFactory: sets.admin.factory })).app;
        await adminApp.ready();
        await sets.admin.listen(config.admin.listen, log, guard);
        if (tls.tls) log.info({ source: tls.tls.source, fingerprint: tls.tls.fingerprint, validTo: tls.tls.validTo }, 'admin TLS certificate');
      }
      const blockAddresses = blockPageAddresses(config);
      if (blockAddresses.length > 0) {
        sets.block = new ServerSet(undefined, 80);
        blockApp = await buildBlockApp(deps, sets.block.factory);
        await blockApp.ready();
        await sets.block.listen(blockAddresses, log, guard);
      }
      log.info({
        admin: sets.admin.states.filter((s) => s.listening).map((s) => s.address),
        blockPage: sets.block?.states.filter((s) => s.listening).map((s) => s.address) ?? [],
        tls: tls.ok && tls.tls !== undefined,
      }, 'admin listening');
      if ((await ctx.core.users.count()) === 0) deps.onSetupCode(deps.setup.issue());
    },
    async stop() {
      clearInterval(sweeper);
      await Promise.all([sets.admin?.close(), sets.block?.close()]);
      await Promise.all([adminApp?.close(), blockApp?.close()]);
    },
  };
}

function adminUrls(config: Config, bound: readonly string[] | undefined): string {
  const scheme = config.admin.tls === 'off' ? 'http' : 'https';
  return (bound && bound.length > 0 ? bound : config.admin.listen).map((a) => `${scheme}://${a}/`).join(' or ');
}
