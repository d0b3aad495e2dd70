// Groups, the policy matrix, schedules, locked categories, and four-eyes proposals. A group or
// schedule body is the object as in the config file; the config service validates it as part
// of the whole config (the same errors check-config gives), so these schemas stay loose there.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { GroupConfig as ConfigGroup, Schedule as ConfigSchedule } from '../../policy/index.js';
import { IsoTime } from './common.js';

/** a group exactly as in the config (`groups:` entries) */
export type GroupConfig = ConfigGroup;
/** a schedule exactly as in the config (`schedules:` values) */
export type ScheduleConfig = ConfigSchedule;

const ConfigObject = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

export const GroupBody = ConfigObject('the group object as in the config (name, match, block, allow, allowDuring, safeSearch, bandwidth, …)');
export const GroupList = Type.Object({ items: Type.Array(ConfigObject('a config group, defaults filled in')) });

/** PUT bodies may carry a reason for the audit chain / proposal next to the value. */
export const ReasonQuery = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

export const ScheduleBody = Type.Union([
  Type.Array(ConfigObject('a weekly window {days, from, to}')),
  ConfigObject('{windows, only?, except?}'),
], { description: 'a schedule as in the config' });
/** A calendar entry's dates, as in the config (`calendar: {name: [{from, to, name?}]}`). */
export const CalendarBody = Type.Array(Type.Object({
  from: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'first day, inclusive' }),
  to: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'last day, inclusive' }),
  name: Type.Optional(Type.String({ maxLength: 100 })),
}, { additionalProperties: false }), { maxItems: 200, description: 'date ranges (term, holidays) schedules apply on (`only`) or are suspended on (`except`)' });
export type CalendarBody = Static<typeof CalendarBody>;

export const ScheduleList = Type.Object({
  schedules: Type.Record(Type.String(), Type.Unknown()),
  calendar: Type.Record(Type.String(), Type.Unknown()),
  timezone: Type.String(),
  /** which groups use each schedule (allowDuring) */
  usedBy: Type.Record(Type.String(), Type.Array(Type.String())),
});
export type ScheduleList = Static<typeof ScheduleList>;

export const CellState = Type.Union((['blocked', 'allowed', 'allowed-during', 'honoured', 'ignored', 'locked'] as const).map((s) => Type.Literal(s)));

export const PolicyMatrix = Type.Object({
  categories: Type.Array(Type.Object({
    name: Type.String(),
    kind: Type.Union([Type.Literal('block'), Type.Literal('allow')]),
    list: Type.String(),
    count: Type.Number(),
    locked: Type.Boolean(),
  })),
  groups: Type.Array(Type.Object({
    name: Type.String(),
    default: Type.Boolean(),
    safeSearch: Type.String(),
    /** category → its state for this group; blocked categories absent from the index show too */
    cells: Type.Record(Type.String(), Type.Object({ state: CellState, schedules: Type.Optional(Type.Array(Type.String())) })),
  })),
  schedules: Type.Array(Type.String()),
  locked: Type.Array(Type.String()),
  fourEyes: Type.Boolean(),
  /** the override rules (config `overrides:`), for the override form */
  overrides: Type.Object({ maxDuration: Type.String({ description: 'e.g. "7d"' }), maxDurationSeconds: Type.Number(), minReasonLength: Type.Number() }),
});
export type PolicyMatrix = Static<typeof PolicyMatrix>;

/** One cell of the matrix: block, allow, or allow during schedules (allow lists: allow = honour). */
export const CellChange = Type.Object({
  group: Type.String({ minLength: 1, maxLength: 32 }),
  category: Type.String({ minLength: 1, maxLength: 64 }),
  state: Type.Union([Type.Literal('block'), Type.Literal('allow'), Type.Literal('allow-during')]),
  schedules: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20, description: 'for allow-during' })),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });
export type CellChange = Static<typeof CellChange>;

export const LockedBody = Type.Object({
  categories: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200 }),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });
export type LockedBody = Static<typeof LockedBody>;

export const ProposalStatus = Type.Union((['pending', 'approved', 'rejected', 'expired', 'failed'] as const).map((s) => Type.Literal(s)));

export const Proposal = Type.Object({
  id: Type.String(),
  change: Type.Union([
    Type.Object({ kind: Type.Literal('set'), path: Type.Array(Type.Union([Type.String(), Type.Number()])), value: Type.Unknown() }),
    Type.Object({ kind: Type.Literal('text'), text: Type.String() }),
  ]),
  summary: Type.String(),
  proposer: Type.Object({ name: Type.String(), role: Type.Optional(Type.String()) }),
  reason: Type.Optional(Type.String()),
  createdAt: IsoTime(),
  expiresAt: IsoTime(),
  status: ProposalStatus,
  decidedBy: Type.Optional(Type.Object({ name: Type.String(), role: Type.Optional(Type.String()) })),
  decidedAt: Type.Optional(IsoTime()),
  decisionReason: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});
export type Proposal = Static<typeof Proposal>;

export const ProposalQuery = Type.Object({ status: Type.Optional(ProposalStatus) }, { additionalProperties: false });
export const ProposalList = Type.Object({ items: Type.Array(Proposal), fourEyes: Type.Boolean() });
export type ProposalList = Static<typeof ProposalList>;
