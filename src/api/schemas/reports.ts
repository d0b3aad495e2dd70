// The weekly safeguarding report (DfE: weekly review) and the governors' report (anonymised:
// counts per category and group, incidents by type and outcome, no names or addresses).
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Day, IsoTime } from './common.js';
import { Incident } from './incidents.js';
import { NameCount } from './status.js';

export const ReportQuery = Type.Object({
  from: Type.Optional(Day('first day (local time), inclusive; default: 7 days before `to`')),
  to: Type.Optional(Day('last day, inclusive; default: yesterday')),
}, { additionalProperties: false });
export type ReportQuery = Static<typeof ReportQuery>;

export const Coverage = Type.Object({
  /** days of the period the query log still holds (retention) */
  daysWithLog: Type.Number(),
  days: Type.Number(),
  /** rows read from the query log (cached per finished day) */
  rowsScanned: Type.Number(),
  /** true if a day hit the scan bound: counts are a lower bound */
  truncated: Type.Boolean(),
});

export const Totals = Type.Object({ queries: Type.Number(), blocked: Type.Number() });

const RequestCounts = Type.Object({ total: Type.Number(), open: Type.Number(), approved: Type.Number(), declined: Type.Number() });

export const IncidentTypeCount = Type.Object({
  type: Type.String(),
  total: Type.Number(),
  open: Type.Number(),
  /** acknowledged with an action and an outcome recorded */
  acknowledged: Type.Number(),
});

export const SelfTestSummary = Type.Object({
  runs: Type.Number(),
  lastRunAt: Type.Optional(IsoTime()),
  lastPassed: Type.Optional(Type.Number()),
  lastFailed: Type.Optional(Type.Number()),
});

export const WeeklyReport = Type.Object({
  kind: Type.Literal('weekly'),
  from: Day(),
  to: Day(),
  timezone: Type.String(),
  generatedAt: IsoTime(),
  coverage: Coverage,
  totals: Totals,
  blockedByCategory: Type.Array(NameCount),
  blockedByGroup: Type.Array(NameCount),
  /** devices with the most blocked queries, with the user where the register knows it */
  topBlockedDevices: Type.Array(Type.Object({ device: Type.String(), user: Type.Optional(Type.String()), group: Type.String(), count: Type.Number() })),
  incidents: Type.Object({ byType: Type.Array(IncidentTypeCount), items: Type.Array(Incident) }),
  requests: Type.Object({
    access: RequestCounts,
    reports: RequestCounts,
    /** reported sites (under-blocking) and what happened */
    reportedSites: Type.Array(Type.Object({ domain: Type.String(), category: Type.Optional(Type.String()), status: Type.String(), createdAt: IsoTime() })),
  }),
  overrides: Type.Object({
    created: Type.Number(),
    filterOff: Type.Number(),
    items: Type.Array(Type.Object({ id: Type.String(), description: Type.String(), grantedBy: Type.String(), reason: Type.String(), createdAt: IsoTime(), expiresAt: IsoTime(), status: Type.String() })),
  }),
  auditChain: Type.Object({ ok: Type.Boolean(), entries: Type.Number(), problem: Type.Optional(Type.String()) }),
  selfTest: SelfTestSummary,
});
export type WeeklyReport = Static<typeof WeeklyReport>;

export const GovernorsReport = Type.Object({
  kind: Type.Literal('governors'),
  from: Day(),
  to: Day(),
  timezone: Type.String(),
  generatedAt: IsoTime(),
  coverage: Coverage,
  totals: Totals,
  blockedByCategory: Type.Array(NameCount),
  blockedByGroup: Type.Array(NameCount),
  queriesByGroup: Type.Array(NameCount),
  incidents: Type.Object({ total: Type.Number(), byType: Type.Array(IncidentTypeCount) }),
  requests: Type.Object({ access: RequestCounts, reports: RequestCounts }),
  overrides: Type.Object({ created: Type.Number(), filterOff: Type.Number() }),
  auditChain: Type.Object({ ok: Type.Boolean(), entries: Type.Number() }),
  selfTest: SelfTestSummary,
});
export type GovernorsReport = Static<typeof GovernorsReport>;
