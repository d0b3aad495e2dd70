// The services every stage and the API lean on, built once the store is open: the audit chain,
// users, overrides and access requests, incidents, the query log, and device identity.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { AuditLog } from '../audit/index.js';
import { Users } from '../users/index.js';
import { OverrideService, RequestService } from '../overrides/index.js';
import { IncidentDetector, IncidentService, createNotifier } from '../incidents/index.js';
import { QueryLog, QueryStats } from '../querylog/index.js';
import { KernelDeviceDirectory, RegisterService, VisitorService } from '../identity/index.js';
import { normaliseName } from '../lists/index.js';
import { maxDurationSeconds } from '../policy/index.js';
import type { OverrideRules } from '../policy/index.js';
import { parseDuration } from '../schema/index.js';
import type { Store } from '../store/index.js';
import type { StateHolder } from './state.js';
import { withBindings, withOverrides, withRegister } from './state.js';
import type { EventBus } from './events.js';
import { ConfigService } from './config-service.js';
import { ProposalService } from './proposals.js';
import { DenyList } from './deny-list.js';
import type { LoadedConfig } from '../config-file/index.js';
import { readCategoryCatalog } from '../lists/index.js';

export interface CoreServices {
  audit: AuditLog;
  users: Users;
  overrides: OverrideService;
  requests: RequestService;
  incidents: IncidentService;
  detector: IncidentDetector;
  queryLog: QueryLog;
  stats: QueryStats;
  devices: KernelDeviceDirectory;
  config: ConfigService;
  register: RegisterService;
  proposals: ProposalService;
  visitors: VisitorService;
}

export const normalise = (d: string): string | undefined => {
  const n = normaliseName(d);
  return n.ok ? n.name : undefined;
};

export function overrideRules(state: StateHolder): OverrideRules {
  const { config, index, policy } = state.current;
  const bits = index.newBits();
  return {
    maxDurationSeconds: maxDurationSeconds(config.overrides.maxDuration),
    minReasonLength: config.overrides.minReasonLength,
    locked: policy.locked,
    groups: new Set(config.groups.map((g) => g.name)),
    categories: new Set(index.categories.map((c) => c.name)),
    lockedCategoryOf: (domain) => {
      index.lookupInto(domain, bits);
      return index.namesOf(bits).find((c) => policy.locked.has(c));
    },
  };
}

export function detectorRules(config: Config) {
  return { watched: new Set(config.incidents.categories), burst: config.incidents.burst, windowMs: (parseDuration(config.incidents.window) ?? 600) * 1000 };
}

export async function createCoreServices(deps: { loaded: LoadedConfig; store: Store; state: StateHolder; events: EventBus; log: Logger; now: () => number }): Promise<CoreServices> {
  const { store, state, events, log, now } = deps;
  const config = () => state.current.config;
  const audit = new AuditLog(store, now, (e) => events.emit('audit', e));
  await audit.open();
  const users = new Users(store, audit, now);
  const overrides = new OverrideService({
    store, audit, now, normalise,
    rules: () => overrideRules(state),
    onChange: (records) => {
      state.swap(withOverrides(state.current, records, now()));
      events.emit('overrides:changed');
    },
  });
  await overrides.load();
  const requests = new RequestService(store, audit, overrides, now, normalise, new DenyList(state, events, now), () => config().reports.perDeviceHourly);
  const notify = createNotifier(() => config().incidents, log.child({ stage: 'incidents' }));
  const incidents = new IncidentService(store, audit, now, (n) => events.emit('incidents:open', n), (incident, isNew) => {
    notify(incident, isNew);
    events.emit('incident', incident, isNew);
  });
  await incidents.load();
  const devices = new KernelDeviceDirectory({ neighbours: config().identity.neighbours, leasesFile: config().identity.leases, log: log.child({ stage: 'identity' }) });
  const register = new RegisterService(store, audit, () => new Set(state.current.config.groups.map((g) => g.name)), (r) => state.swap(withRegister(state.current, r)), log.child({ stage: 'identity' }));
  await register.load();
  const visitors = new VisitorService(store, audit, now, (b) => state.swap(withBindings(state.current, b)));
  await visitors.load();
  const configService = new ConfigService(deps.loaded, { state, events, audit, now, readCatalog: (c) => readCategoryCatalog(c.dataDir, c.lists) });
  return {
    audit, users, overrides, requests, incidents, detector: new IncidentDetector(detectorRules(config())), queryLog: new QueryLog(store, (err) => log.error({ err: err.message }, 'query log write failed')), stats: new QueryStats(), devices,
    config: configService,
    register,
    proposals: new ProposalService(store, audit, configService, now),
    visitors,
  };
}
