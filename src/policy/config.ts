import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { CategoryName, DateText, Duration, OneOf, TimeOfDay } from '../schema/index.js';
import { GroupMatchSchema } from '../identity/index.js';
import { BandwidthSchema } from '../firewall/index.js';

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

export const WindowSchema = Type.Object({
  days: Type.Array(OneOf(DAYS), { minItems: 1, description: 'Days the window starts on' }),
  from: TimeOfDay({ description: 'Start, local time (inclusive)' }),
  to: TimeOfDay({ description: 'End, local time (exclusive); earlier than from means it runs past midnight' }),
}, { additionalProperties: false });

export const DateRangeSchema = Type.Object({
  from: DateText({ description: 'First day (inclusive)' }),
  to: DateText({ description: 'Last day (inclusive)' }),
  name: Type.Optional(Type.String({ description: 'What the range is (e.g. christmas), shown in the UI' })),
}, { additionalProperties: false });

export const ScheduleSchema = Type.Union([
  Type.Array(WindowSchema, { description: 'Weekly windows' }),
  Type.Object({
    windows: Type.Array(WindowSchema, { description: 'Weekly windows' }),
    only: Type.Optional(Type.Array(Type.String(), { description: 'Calendar names: the schedule applies only on these dates (e.g. term)' })),
    except: Type.Optional(Type.Array(Type.String(), { description: 'Calendar names: the schedule is suspended on these dates (e.g. holidays)' })),
  }, { additionalProperties: false }),
]);

export type Window = Static<typeof WindowSchema>;
export type DateRange = Static<typeof DateRangeSchema>;
export type Schedule = Static<typeof ScheduleSchema>;

export const SAFE_SEARCH = ['off', 'moderate', 'strict'] as const;

export const GroupSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$', description: 'Group name (used in overrides, reports, the API)' }),
  default: Type.Boolean({ default: false, description: 'Catches every client no earlier group matched (exactly one group)' }),
  match: GroupMatchSchema,
  block: Type.Array(CategoryName(), { default: [], description: 'Categories blocked for this group' }),
  allow: Type.Array(CategoryName(), { default: [], description: 'Allow lists honoured by this group: they beat its block list (never a locked category)' }),
  allowDuring: Type.Record(Type.String(), Type.Array(Type.String()), { default: {}, description: 'category: [schedule, …] — "allowed at certain times"' }),
  safeSearch: OneOf(SAFE_SEARCH, { default: 'off', description: 'Safe search enforced (and locked) for this group' }),
  blockQuic: Type.Boolean({ default: false, description: 'Gateway mode: drop UDP 443 so browsers fall back to TLS over TCP, where SNI is visible' }),
  bandwidth: Type.Optional(BandwidthSchema),
}, { additionalProperties: false });

export type GroupConfig = Static<typeof GroupSchema>;

export const OverridePolicySchema = Type.Object({
  maxDuration: Duration({ default: '7d', description: 'Longest override a technician can grant' }),
  minReasonLength: Type.Integer({ default: 10, minimum: 1, description: 'Shortest accepted reason' }),
}, { additionalProperties: false, default: {} });

export const IncidentPolicySchema = Type.Object({
  categories: Type.Array(CategoryName(), { default: [], description: 'Categories whose repeated blocked attempts raise an incident' }),
  burst: Type.Integer({ default: 5, minimum: 1, description: 'More than this many blocked attempts …' }),
  window: Duration({ default: '10m', description: '… within this time, from one device' }),
  webhook: Type.Optional(Type.String({ description: 'POST each incident as JSON to this URL' })),
  email: Type.Optional(Type.Object({
    smtp: Type.String({ description: 'SMTP relay host:port (the school\'s mail relay; port 25 by default)' }),
    from: Type.String({ description: 'Sender address of the incident e-mails' }),
    to: Type.Array(Type.String(), { minItems: 1, description: 'The safeguarding lead(s)' }),
  }, { additionalProperties: false, description: 'E-mail each new incident through an SMTP relay' })),
}, { additionalProperties: false, default: {} });

export type OverridePolicy = Static<typeof OverridePolicySchema>;
export type IncidentPolicy = Static<typeof IncidentPolicySchema>;

export const ReportsSchema = Type.Object({
  list: Type.Optional(Type.String({ description: 'The school\'s deny list (a local domains list by name): an approved "report a site" adds the domain there' })),
  perDeviceHourly: Type.Integer({ default: 10, minimum: 1, description: 'Reports and access requests one device may send per hour' }),
}, { additionalProperties: false, default: {} });

export const PolicySchemas = {
  locked: Type.Array(CategoryName(), { default: [], description: 'Categories nobody can unblock: no override, schedule, role or "filtering off"' }),
  calendar: Type.Record(Type.String(), Type.Array(DateRangeSchema), { default: {}, description: 'Named date ranges (term, holidays) that schedules apply on or are suspended on' }),
  schedules: Type.Record(Type.String(), ScheduleSchema, { default: {}, description: 'Named weekly windows' }),
  groups: Type.Array(GroupSchema, { minItems: 1, description: 'Client groups; first match wins' }),
  overrides: OverridePolicySchema,
  incidents: IncidentPolicySchema,
  reports: ReportsSchema,
};
