// Every page of the app, in navigation order. A page is listed for a role when that role may call
// the route the page is built on (the API's route table decides, see permissions.ts).
import { can } from './permissions.js';
import type { PageDef } from './router.js';
import { dashboardPage } from './page-dashboard.js';
import { policyPage } from './page-policy.js';
import { schedulesPage } from './page-schedules.js';
import { overridesPage } from './page-overrides.js';
import { requestsPage } from './page-requests.js';
import { proposalsPage } from './page-proposals.js';
import { listsPage } from './page-lists.js';
import { devicesPage } from './page-devices.js';
import { visitorsPage } from './page-visitors.js';
import { usersPage } from './page-users.js';
import { queryLogPage } from './page-querylog.js';
import { incidentsPage } from './page-incidents.js';
import { auditPage } from './page-audit.js';
import { reportsPage } from './page-reports.js';
import { selfTestPage } from './page-self-test.js';
import { bandwidthPage } from './page-bandwidth.js';
import { trafficPage } from './page-traffic.js';

export const PAGES: readonly PageDef[] = [
  { path: '/dashboard', title: 'Dashboard', section: 'Overview', visible: (r) => can(r, 'getStatus'), render: dashboardPage },
  { path: '/incidents', title: 'Incidents', section: 'Overview', visible: (r) => can(r, 'listIncidents'), render: incidentsPage },
  { path: '/requests', title: 'Requests and reports', section: 'Overview', visible: (r) => can(r, 'listRequests'), render: requestsPage },
  { path: '/overrides', title: 'Overrides', section: 'Filtering', visible: (r) => can(r, 'listOverrides'), render: overridesPage },
  { path: '/policy', title: 'Policy', section: 'Filtering', visible: (r) => can(r, 'getPolicy'), render: policyPage },
  { path: '/schedules', title: 'Schedules', section: 'Filtering', visible: (r) => can(r, 'listSchedules'), render: schedulesPage },
  { path: '/proposals', title: 'Proposals', section: 'Filtering', visible: (r) => can(r, 'listProposals'), render: proposalsPage },
  { path: '/lists', title: 'Lists', section: 'Filtering', visible: (r) => can(r, 'listLists'), render: listsPage },
  { path: '/devices', title: 'Devices and groups', section: 'People', visible: (r) => can(r, 'listGroups'), render: devicesPage },
  { path: '/visitors', title: 'Visitors', section: 'People', visible: (r) => can(r, 'createVisitorCode') || can(r, 'visitors'), render: visitorsPage },
  { path: '/users', title: 'Users and tokens', section: 'People', visible: (r) => can(r, 'setPassword'), render: usersPage },
  { path: '/querylog', title: 'Query log', section: 'Records', visible: (r) => can(r, 'queryLog'), render: queryLogPage },
  { path: '/audit', title: 'Audit log', section: 'Records', visible: (r) => can(r, 'listAudit'), render: auditPage },
  { path: '/reports', title: 'Reports', section: 'Records', visible: (r) => can(r, 'governorsReport'), render: reportsPage },
  { path: '/self-test', title: 'Self-test', section: 'Records', visible: (r) => can(r, 'listSelfTests'), render: selfTestPage },
  { path: '/bandwidth', title: 'Bandwidth', section: 'Appliance', visible: (r) => can(r, 'bandwidth'), render: bandwidthPage },
  { path: '/traffic', title: 'Traffic', section: 'Appliance', visible: (r) => can(r, 'trafficFlows'), render: trafficPage },
];
