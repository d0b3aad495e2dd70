// Every route of the admin API in one table: method, path (under /api/v1 unless `root`), who may
// call it, and its schemas. The server registers exactly these (a route missing here cannot
// exist), the tests walk the table for the auth and role matrix, and the UI reads `access` to
// show or hide controls. Additive only: never rename a key or change a path.
import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import type { Role } from './common.js';
import { Applied, Done, IdParams, NameParams, OptionalReasonBody, ReasonBody } from './common.js';
import { LoginBody, PasswordBody, SessionInfo, SetupBody } from './auth.js';
import { Stats, Status } from './status.js';
import { Override, OverrideCreate, OverrideExtend, OverrideList, OverrideQuery } from './overrides.js';
import { QueryLogPage, QueryLogQuery } from './querylog.js';
import { Incident, IncidentAck, IncidentList, IncidentQuery } from './incidents.js';
import { AuditPage, AuditQuery, AuditVerify } from './audit.js';
import { LookupAnswer, LookupQuery } from './lookup.js';
import { AccessRequest, AccessRequestCreate, Created, MyRequest, MyRequestQuery, RequestApprove, RequestList, RequestQuery, SiteReportCreate } from './requests.js';
import { VisitorCode, VisitorCodeCreate, VisitorCodeList, VisitorsView } from './visitors.js';
import { CalendarBody, CellChange, GroupBody, GroupList, LockedBody, PolicyMatrix, Proposal, ProposalList, ProposalQuery, ReasonQuery, ScheduleBody, ScheduleList } from './policy.js';
import { DeviceImport, DeviceImportResult, DeviceList } from './devices.js';
import { ListsView, ListUpdateQuery, ListUpdateResult } from './lists.js';
import { BandwidthQuery, BandwidthView, DeviceParams, DeviceUsage } from './bandwidth.js';
import { TokenCreate, TokenCreated, TokenList, User, UserCreate, UserList } from './users.js';
import { GovernorsReport, ReportQuery, WeeklyReport } from './reports.js';
import { SelfTestList, SelfTestRun } from './self-test.js';
import { FlowList, TalkerList, TrafficFlowsQuery, TrafficTopQuery } from './traffic.js';

export const API_PREFIX = '/api/v1';

export type Access = 'public' | readonly Role[];

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** under /api/v1 unless `root` */
  readonly url: string;
  /** public: no login; otherwise the roles that may call it */
  readonly access: Access;
  readonly summary: string;
  readonly body?: TSchema;
  readonly querystring?: TSchema;
  readonly params?: TSchema;
  /** the success body (JSON routes) */
  readonly response?: TSchema;
  /** success status (default 200) */
  readonly status?: number;
  /** what a success sends (default json) */
  readonly produces?: 'json' | 'csv' | 'sse' | 'text';
  /**
   * CSRF on state-changing routes (default 'session': the session's token + same origin).
   * 'pre-session': login/setup, the token from GET /session. 'none': anonymous block-page
   * routes, where no credentials ride along to be abused (they are rate-limited instead).
   */
  readonly csrf?: 'session' | 'pre-session' | 'none';
  readonly root?: boolean;
  /** the answer is about the caller (their own session): not anonymised for a viewer */
  readonly ownData?: boolean;
  /** bytes a request body may have (default 1 MiB) */
  readonly bodyLimit?: number;
}

const ALL: readonly Role[] = ['technician', 'safeguarding', 'viewer'];
const STAFF: readonly Role[] = ['technician', 'safeguarding'];
const TECH: readonly Role[] = ['technician'];
const SAFEGUARDING: readonly Role[] = ['safeguarding'];

const CodeParams = Type.Object({ code: Type.String({ minLength: 4, maxLength: 20 }) }, { additionalProperties: false });
const RevokeQuery = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
const SelfTestQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }, { additionalProperties: false });

export const ROUTES = {
  // ---- sign-in and session ----
  getSession: { method: 'GET', url: '/session', access: 'public', ownData: true, summary: 'who am I, is setup needed, a CSRF token', response: SessionInfo },
  login: { method: 'POST', url: '/login', access: 'public', csrf: 'pre-session', summary: 'sign in: sets the HttpOnly session cookie', body: LoginBody, response: SessionInfo },
  logout: { method: 'POST', url: '/logout', access: ALL, summary: 'end this session', response: Done },
  setup: { method: 'POST', url: '/setup', access: 'public', csrf: 'pre-session', summary: 'first run: the setup code creates the technician account and signs in', body: SetupBody, response: SessionInfo, status: 201 },

  // ---- dashboard ----
  getStatus: { method: 'GET', url: '/status', access: ALL, summary: 'version, uptime, LEDs, lists, DNS counters, active overrides', response: Status },
  getStats: { method: 'GET', url: '/stats', access: ALL, summary: 'queries and blocks per minute, top blocked categories and devices', response: Stats },
  events: { method: 'GET', url: '/events', access: ALL, produces: 'sse', summary: 'server-sent events: stats, leds, incidents, overrides, requests, lists, proposals' },

  // ---- overrides ----
  listOverrides: { method: 'GET', url: '/overrides', access: ALL, summary: 'overrides, newest first, with status', querystring: OverrideQuery, response: OverrideList },
  createOverride: { method: 'POST', url: '/overrides', access: TECH, summary: 'a time-limited override (403 on a locked category); all:true is filtering off', body: OverrideCreate, response: Override, status: 201 },
  revokeOverride: { method: 'DELETE', url: '/overrides/:id', access: TECH, summary: 'revoke an override now', params: IdParams, querystring: RevokeQuery, response: Override },
  extendOverride: { method: 'POST', url: '/overrides/:id/extend', access: TECH, summary: 'extend by minutes, or to a new end', params: IdParams, body: OverrideExtend, response: Override },
  approveOverride: { method: 'POST', url: '/overrides/:id/approve', access: SAFEGUARDING, summary: 'filtering off: the second person (safeguarding) approves', params: IdParams, body: OptionalReasonBody, response: Override },

  // ---- logs ----
  queryLog: { method: 'GET', url: '/querylog', access: ALL, summary: 'query log search (client, domain, action, time), paged', querystring: QueryLogQuery, response: QueryLogPage },
  listIncidents: { method: 'GET', url: '/incidents', access: ALL, summary: 'incidents, newest first', querystring: IncidentQuery, response: IncidentList },
  acknowledgeIncident: { method: 'POST', url: '/incidents/:id/acknowledge', access: STAFF, summary: 'record the action taken and the outcome', params: IdParams, body: IncidentAck, response: Incident },
  listAudit: { method: 'GET', url: '/audit', access: ALL, summary: 'the audit chain, newest first', querystring: AuditQuery, response: AuditPage },
  verifyAudit: { method: 'GET', url: '/audit/verify', access: ALL, summary: 'check the hash chain: {ok, entries}', response: AuditVerify },
  exportAudit: { method: 'GET', url: '/audit/export.csv', access: STAFF, produces: 'csv', summary: 'the whole chain as CSV, oldest first' },
  lookup: { method: 'GET', url: '/lookup', access: ALL, summary: 'a name\'s categories and the decision, with its reason', querystring: LookupQuery, response: LookupAnswer },

  // ---- requests and reports ----
  createRequest: { method: 'POST', url: '/requests', access: 'public', csrf: 'none', summary: 'ask for access to a blocked site (the block page; no login; rate-limited)', body: AccessRequestCreate, response: Created, status: 201 },
  myRequest: { method: 'GET', url: '/requests/mine', access: 'public', summary: 'the calling device\'s latest request for a domain', querystring: MyRequestQuery, response: MyRequest },
  listRequests: { method: 'GET', url: '/requests', access: ALL, summary: 'access requests and site reports (type: "report")', querystring: RequestQuery, response: RequestList },
  approveRequest: { method: 'POST', url: '/requests/:id/approve', access: TECH, summary: 'access: an override with the request\'s reason; report: the domain joins the deny list', params: IdParams, body: RequestApprove, response: AccessRequest },
  declineRequest: { method: 'POST', url: '/requests/:id/decline', access: TECH, summary: 'decline with a reason', params: IdParams, body: ReasonBody, response: AccessRequest },
  createReport: { method: 'POST', url: '/reports', access: 'public', csrf: 'none', summary: 'report a site that should be blocked (no login; rate-limited)', body: SiteReportCreate, response: Created, status: 201 },
  weeklyReport: { method: 'GET', url: '/reports/weekly', access: STAFF, summary: 'the weekly safeguarding report', querystring: ReportQuery, response: WeeklyReport },
  weeklyReportCsv: { method: 'GET', url: '/reports/weekly.csv', access: STAFF, produces: 'csv', summary: 'the weekly safeguarding report as CSV', querystring: ReportQuery },
  governorsReport: { method: 'GET', url: '/reports/governors', access: ALL, summary: 'the governors\' report (anonymised)', querystring: ReportQuery, response: GovernorsReport },
  governorsReportCsv: { method: 'GET', url: '/reports/governors.csv', access: ALL, produces: 'csv', summary: 'the governors\' report as CSV', querystring: ReportQuery },

  // ---- visitors ----
  createVisitorCode: { method: 'POST', url: '/visitor-codes', access: TECH, summary: 'issue a visitor code: 201 {code, expiresAt}', body: VisitorCodeCreate, response: VisitorCode, status: 201 },
  listVisitorCodes: { method: 'GET', url: '/visitor-codes', access: TECH, summary: 'issued codes, newest first', response: VisitorCodeList },
  revokeVisitorCode: { method: 'DELETE', url: '/visitor-codes/:code', access: TECH, summary: 'revoke a code; its devices return to the portal', params: CodeParams, response: VisitorCode },
  visitors: { method: 'GET', url: '/visitors', access: STAFF, summary: 'the visitors\' log and the devices signed in now', response: VisitorsView },

  // ---- policy ----
  listGroups: { method: 'GET', url: '/groups', access: ALL, summary: 'the groups as configured', response: GroupList },
  putGroup: { method: 'PUT', url: '/groups/:name', access: TECH, summary: 'replace a group: 200 applied, or 202 {proposalId} in four-eyes mode', params: NameParams, querystring: ReasonQuery, body: GroupBody, response: Applied },
  getPolicy: { method: 'GET', url: '/policy', access: ALL, summary: 'the policy matrix: groups × categories', response: PolicyMatrix },
  changeCell: { method: 'PATCH', url: '/policy/cells', access: TECH, summary: 'one cell of the matrix (block / allow / allow-during); 202 in four-eyes mode', body: CellChange, response: Applied },
  putLocked: { method: 'PUT', url: '/locked', access: TECH, summary: 'the locked categories; 202 in four-eyes mode', body: LockedBody, response: Applied },
  listSchedules: { method: 'GET', url: '/schedules', access: ALL, summary: 'schedules, the calendar, which groups use each', response: ScheduleList },
  putSchedule: { method: 'PUT', url: '/schedules/:name', access: TECH, summary: 'create or replace a schedule; 202 in four-eyes mode', params: NameParams, querystring: ReasonQuery, body: ScheduleBody, response: Applied },
  deleteSchedule: { method: 'DELETE', url: '/schedules/:name', access: TECH, summary: 'remove an unused schedule; 202 in four-eyes mode', params: NameParams, querystring: ReasonQuery, response: Applied },
  putCalendar: { method: 'PUT', url: '/calendar/:name', access: TECH, summary: 'create or replace a calendar (term dates, holidays); 202 in four-eyes mode', params: NameParams, querystring: ReasonQuery, body: CalendarBody, response: Applied },
  deleteCalendar: { method: 'DELETE', url: '/calendar/:name', access: TECH, summary: 'remove a calendar no schedule uses; 202 in four-eyes mode', params: NameParams, querystring: ReasonQuery, response: Applied },
  listProposals: { method: 'GET', url: '/proposals', access: ALL, summary: 'four-eyes proposals, newest first', querystring: ProposalQuery, response: ProposalList },
  approveProposal: { method: 'POST', url: '/proposals/:id/approve', access: STAFF, summary: 'a second person (other user, other role) approves: the change applies', params: IdParams, body: ReasonBody, response: Proposal },
  rejectProposal: { method: 'POST', url: '/proposals/:id/reject', access: STAFF, summary: 'a second person rejects: nothing changes', params: IdParams, body: ReasonBody, response: Proposal },

  // ---- devices, lists, bandwidth ----
  listDevices: { method: 'GET', url: '/devices', access: STAFF, summary: 'the device register', response: DeviceList },
  importDevices: { method: 'POST', url: '/devices/import', access: TECH, bodyLimit: 20 * 1024 * 1024, summary: 'replace the register from CSV (all or nothing; bad lines named)', body: DeviceImport, response: DeviceImportResult },
  listLists: { method: 'GET', url: '/lists', access: ALL, summary: 'list sources, sizes, last update', response: ListsView },
  updateLists: { method: 'POST', url: '/lists/update', access: TECH, summary: 'fetch and compile now (202; ?wait=true answers when done)', querystring: ListUpdateQuery, response: ListUpdateResult, status: 202 },
  bandwidth: { method: 'GET', url: '/bandwidth', access: ALL, summary: 'caps per group and usage per device (gateway mode)', querystring: BandwidthQuery, response: BandwidthView },
  resetQuota: { method: 'POST', url: '/bandwidth/:device/reset', access: TECH, summary: 'the device\'s daily quota counts again from now', params: DeviceParams, body: OptionalReasonBody, response: DeviceUsage },

  // ---- traffic (gateway mode, traffic.enabled) ----
  trafficFlows: { method: 'GET', url: '/traffic/flows', access: ALL, summary: 'recent flows seen on the wire, newest first (?device=IP)', querystring: TrafficFlowsQuery, response: FlowList },
  trafficTop: { method: 'GET', url: '/traffic/top', access: ALL, summary: 'top talkers: devices with the most flows', querystring: TrafficTopQuery, response: TalkerList },

  // ---- users and tokens ----
  listUsers: { method: 'GET', url: '/users', access: TECH, summary: 'admin accounts', response: UserList },
  createUser: { method: 'POST', url: '/users', access: TECH, summary: 'a new admin account', body: UserCreate, response: User, status: 201 },
  deleteUser: { method: 'DELETE', url: '/users/:name', access: TECH, summary: 'remove an account (not the last technician); its sessions end', params: NameParams, response: Done },
  setPassword: { method: 'PUT', url: '/users/:name/password', access: ALL, summary: 'your own password (with the current one), or anyone\'s as technician', params: NameParams, body: PasswordBody, response: Done },
  listTokens: { method: 'GET', url: '/tokens', access: TECH, summary: 'API tokens (never their secrets)', response: TokenList },
  createToken: { method: 'POST', url: '/tokens', access: TECH, summary: 'a new API token: the secret is shown once', body: TokenCreate, response: TokenCreated, status: 201 },
  revokeToken: { method: 'DELETE', url: '/tokens/:id', access: TECH, summary: 'revoke an API token', params: IdParams, response: Done },

  // ---- self-test ----
  listSelfTests: { method: 'GET', url: '/self-test', access: ALL, summary: 'past filtering self-test runs', querystring: SelfTestQuery, response: SelfTestList },
  runSelfTest: { method: 'POST', url: '/self-test', access: STAFF, summary: 'run the filtering self-test now (every group) and keep the result', response: SelfTestRun, status: 201 },
  getSelfTest: { method: 'GET', url: '/self-test/:id', access: ALL, summary: 'one run, every line', params: IdParams, response: SelfTestRun },
  getSelfTestCsv: { method: 'GET', url: '/self-test/:id/report.csv', access: ALL, produces: 'csv', summary: 'one run as CSV', params: IdParams },

  // ---- outside /api/v1 ----
  metrics: { method: 'GET', url: '/metrics', root: true, access: 'public', produces: 'text', summary: 'Prometheus text format (Bearer metrics.token when set)' },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;

/** The full path of a route (what the UI fetches). */
export function pathOf(name: RouteName): string {
  const r: RouteSpec = ROUTES[name];
  return r.root ? r.url : `${API_PREFIX}${r.url}`;
}
