// The admin app over the daemon's own core services, assembled as the daemon does (a config file,
// lists compiled for real, LevelDB in a temp folder) with a controllable clock, driven with
// inject(): no port is opened. Agents keep their cookies and
// CSRF token like a browser; `as(role)` signs in a user of that role.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { EventBus, MetricsRegistry, StateHolder, buildState, createCoreServices, ensureIndex } from '../../src/daemon/index.js';
import type { CoreServices, DaemonContext } from '../../src/daemon/index.js';
import type { DeviceDirectory } from '../../src/identity/index.js';
import { IdentityService, emptyDirectory } from '../../src/identity/index.js';
import { formatConfigError, loadConfig } from '../../src/config-file/index.js';
import type { Config } from '../../src/config.js';
import { readCategoryCatalog } from '../../src/lists/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { silentLogger } from '../../src/log.js';
import { buildAdminApp } from '../../src/api/admin-app.js';
import { createApiDeps } from '../../src/api/api-deps.js';
import type { ApiDeps } from '../../src/api/api-deps.js';
import type { Role } from '../../src/api/index.js';
import { tempDir } from '../helpers/daemon.js';

export const PASSWORD = 'correct horse battery';

/** A school: lists on disk (compiled for real), pupils/staff/guests, a locked category. */
export const schoolYaml = (dir: string, extra = ''): string => `
mode: dns-only
dataDir: ${dir}/data
timezone: Europe/London
dns: { blocking: { answer: blockpage, address: 10.10.0.1, ttl: 10 } }
lists:
  - { name: illegal, format: domains, category: illegal, source: ${dir}/illegal.txt }
  - { name: adult, format: domains, category: adult, source: ${dir}/adult.txt }
  - { name: gambling, format: domains, category: gambling, source: ${dir}/gambling.txt }
  - { name: games, format: domains, category: games, source: ${dir}/games.txt }
  - { name: school-deny, format: domains, category: school-deny, source: ${dir}/school-deny.txt }
locked: [illegal]
reports: { list: school-deny }
incidents: { categories: [adult], burst: 3, window: 5m }
schedules:
  lunch: [{ days: [mon, tue, wed, thu, fri], from: "12:15", to: "13:15" }]
groups:
  - name: pupils
    match: { subnets: ["10.10.1.0/24"] }
    block: [illegal, adult, gambling, games, school-deny]
    allowDuring: { games: [lunch] }
  - name: staff
    match: { subnets: ["10.10.2.0/24"] }
    block: [illegal, adult]
  - { name: guests, default: true, block: [illegal] }
${extra}`;

export const LIST_FILES: Record<string, string[]> = {
  illegal: ['csam.example'],
  adult: ['adult.example', 'porn.example'],
  gambling: ['casino.example'],
  games: ['arcade.example'],
  'school-deny': ['# the school\'s own deny list'],
};

export interface ApiFixture {
  app: FastifyInstance;
  ctx: DaemonContext;
  core: CoreServices;
  state: StateHolder;
  store: Store;
  deps: ApiDeps;
  clock: { now: number };
  dir: string;
  /** setup codes the API issued */
  codes: string[];
  agent(ip?: string): Agent;
  /** an agent signed in as a new user of that role (name: the role, or `name`) */
  as(role: Role, opts?: { name?: string; ip?: string }): Promise<Agent>;
  /** a second app over the same store and config (a daemon restart, as far as the API goes) */
  restart(): Promise<FastifyInstance>;
}

export interface FixtureOptions {
  /** appended to the school's YAML */
  extra?: string;
  uiRoot?: string;
  directory?: DeviceDirectory;
}

export class Agent {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  constructor(private readonly app: FastifyInstance, readonly ip: string) {}

  async request(method: InjectOptions['method'], url: string, opts: { body?: unknown; headers?: Record<string, string>; csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (opts.csrf !== false && this.csrf && method !== 'GET') headers['x-csrf-token'] ??= this.csrf;
    const res = await this.app.inject({ method, url, headers, remoteAddress: this.ip, ...(opts.body !== undefined ? typeof opts.body === 'string' ? { payload: opts.body } : { payload: opts.body as object } : {}) });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  get = (url: string, headers?: Record<string, string>) => this.request('GET', url, { headers });
  post = (url: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', url, { body: body ?? {}, headers });
  put = (url: string, body?: unknown, headers?: Record<string, string>) => this.request('PUT', url, { body: body ?? {}, headers });
  patch = (url: string, body?: unknown, headers?: Record<string, string>) => this.request('PATCH', url, { body: body ?? {}, headers });
  delete = (url: string, headers?: Record<string, string>) => this.request('DELETE', url, { headers });

  /** GET /session: the pre-session CSRF token (cookie + body), as the UI does first. */
  async start(): Promise<void> {
    const r = await this.get('/api/v1/session');
    this.csrf = (r.json() as { csrfToken: string }).csrfToken;
  }

  async login(username: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    if (!this.csrf) await this.start();
    const r = await this.post('/api/v1/login', { username, password });
    if (r.statusCode === 200) this.csrf = (r.json() as { csrfToken: string }).csrfToken;
    return r;
  }
}

export async function apiFixture(t: Test, opts: FixtureOptions = {}): Promise<ApiFixture> {
  const d = tempDir('sg-api-');
  for (const [name, lines] of Object.entries(LIST_FILES)) writeFileSync(join(d.dir, `${name}.txt`), `${lines.join('\n')}\n`);
  const file = join(d.dir, 'schoolgate.yaml');
  writeFileSync(file, schoolYaml(d.dir, opts.extra));
  const readCatalog = (c: Config) => readCategoryCatalog(c.dataDir, c.lists);
  const loaded = await loadConfig(file, readCatalog);
  if (!loaded.ok) throw new Error(loaded.errors.map(formatConfigError).join('\n'));
  const { config } = loaded.loaded;
  const log = silentLogger();
  const index = await ensureIndex(config, log, 'inline');
  if (!index.ok) throw new Error(index.error);
  const opened = await openStore(config.dataDir);
  if (!opened.ok) throw new Error(opened.error);
  const store = opened.store;
  const clock = { now: Date.parse('2026-11-23T10:00:00Z') };
  const now = () => clock.now;
  const state = new StateHolder(buildState(config, index.index, [], now()));
  const events = new EventBus();
  const core = await createCoreServices({ loaded: loaded.loaded, store, state, events, log, now });
  const ui = tempDir('sg-ui-');
  const ctx: DaemonContext = {
    loaded: loaded.loaded, log, clock: { now }, store, state, events,
    identity: new IdentityService(() => state.current, opts.directory ?? emptyDirectory, now),
    metrics: new MetricsRegistry(), core, services: {},
  };
  const codes: string[] = [];
  const apps: FastifyInstance[] = [];
  const build = async () => {
    const deps = createApiDeps(ctx, {
      version: 'test', uiRoot: opts.uiRoot ?? join(ui.dir, 'missing'), startedAt: now(),
      listeners: () => ({ admin: [], blockPage: [] }),
      onSetupCode: (c) => codes.push(c),
    });
    const { app } = await buildAdminApp(deps, { https: false });
    apps.push(app);
    return { app, deps };
  };
  const { app, deps } = await build();
  t.teardown(async () => {
    for (const a of apps) await a.close();
    core.overrides.stop();
    core.visitors.stop();
    await store.close();
    d.cleanup();
    ui.cleanup();
  });
  let n = 0;
  return {
    app, ctx, core, state, store, deps, clock, dir: d.dir, codes,
    agent: (ip = '10.10.2.50') => new Agent(app, ip),
    as: async (role, o = {}) => {
      const name = o.name ?? `${role}-${++n}`;
      const added = await core.users.add(name, role, PASSWORD, { name: 'test', kind: 'cli' });
      if (!added.ok) throw new Error(added.message);
      const a = new Agent(app, o.ip ?? '10.10.2.50');
      const r = await a.login(name);
      if (r.statusCode !== 200) throw new Error(`login failed: ${r.body}`);
      return a;
    },
    restart: async () => (await build()).app,
  };
}

export const json = <T = Record<string, unknown>>(r: LightMyRequestResponse): T => r.json() as T;
