// What each role may do in the UI. The API enforces the same matrix on every route (it is the
// authority: a control shown by mistake still gets a 403); this table only decides which
// controls are drawn, so a viewer sees no edit control at all.
export type Role = 'technician' | 'safeguarding' | 'viewer';

export type Permission =
  | 'policy.edit' | 'schedules.edit' | 'overrides.edit' | 'requests.decide' | 'incidents.ack'
  | 'proposals.decide' | 'filter-off.approve' | 'devices.import' | 'visitors.issue' | 'lists.update'
  | 'bandwidth.reset' | 'users.edit' | 'selftest.run' | 'reports.safeguarding' | 'querylog.view'
  | 'incidents.view' | 'audit.view' | 'visitors.view' | 'users.view' | 'requests.view';

const TECHNICIAN: readonly Permission[] = [
  'policy.edit', 'schedules.edit', 'overrides.edit', 'requests.decide', 'incidents.ack', 'proposals.decide',
  'devices.import', 'visitors.issue', 'lists.update', 'bandwidth.reset', 'users.edit', 'selftest.run',
  'reports.safeguarding', 'querylog.view', 'incidents.view', 'audit.view', 'visitors.view', 'users.view', 'requests.view',
];

const MATRIX: Record<Role, ReadonlySet<Permission>> = {
  technician: new Set(TECHNICIAN),
  // The DSL: incidents, reports, the second person on "filtering off" and on proposals.
  safeguarding: new Set<Permission>([
    'incidents.ack', 'incidents.view', 'proposals.decide', 'filter-off.approve', 'selftest.run', 'reports.safeguarding',
    'querylog.view', 'audit.view', 'visitors.view', 'requests.view',
  ]),
  // Read-only and anonymised: the governors' report, aggregate figures, the policy as it stands.
  viewer: new Set<Permission>([]),
};

export function can(role: Role | undefined, p: Permission): boolean {
  return role !== undefined && MATRIX[role].has(p);
}

export const ROLES: readonly Role[] = ['technician', 'safeguarding', 'viewer'];
