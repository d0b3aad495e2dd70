// Access requests (from the block page) and "report a site" (under-blocking): one queue.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime, Limit } from './common.js';

/** POST /requests (no login; from the block page; rate-limited per device) */
export const AccessRequestCreate = Type.Object({
  domain: Type.String({ minLength: 1, maxLength: 253 }),
  reason: Type.String({ minLength: 3, maxLength: 500 }),
  name: Type.Optional(Type.String({ maxLength: 100, description: 'who asks (free text)' })),
}, { additionalProperties: false });
export type AccessRequestCreate = Static<typeof AccessRequestCreate>;

/** POST /reports (no login; rate-limited): a site that should be blocked */
export const SiteReportCreate = Type.Object({
  domain: Type.String({ minLength: 1, maxLength: 253 }),
  reason: Type.String({ minLength: 3, maxLength: 500 }),
  category: Type.Optional(Type.String({ maxLength: 64, description: 'suggested category' })),
}, { additionalProperties: false });
export type SiteReportCreate = Static<typeof SiteReportCreate>;

export const Created = Type.Object({ id: Type.String(), status: Type.String() });

export const AccessRequest = Type.Object({
  id: Type.String(),
  type: Type.Union([Type.Literal('access'), Type.Literal('report')]),
  domain: Type.String(),
  reason: Type.String(),
  name: Type.Optional(Type.String()),
  category: Type.Optional(Type.String()),
  client: Type.String(),
  mac: Type.Optional(Type.String()),
  hostname: Type.Optional(Type.String()),
  group: Type.String(),
  createdAt: IsoTime(),
  status: Type.Union([Type.Literal('open'), Type.Literal('approved'), Type.Literal('declined')]),
  decidedBy: Type.Optional(Type.String()),
  decidedAt: Type.Optional(IsoTime()),
  decision: Type.Optional(Type.String()),
  overrideId: Type.Optional(Type.String()),
  expiresAt: Type.Optional(IsoTime()),
});
export type AccessRequest = Static<typeof AccessRequest>;

export const RequestQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('approved'), Type.Literal('declined')])),
  type: Type.Optional(Type.Union([Type.Literal('access'), Type.Literal('report')])),
  limit: Limit(2000, 500),
}, { additionalProperties: false });

export const RequestList = Type.Object({ items: Type.Array(AccessRequest) });
export type RequestList = Static<typeof RequestList>;

/** Approving an access request creates an override; approving a report adds to the deny list. */
export const RequestApprove = Type.Object({
  minutes: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'access: default 60' })),
  until: Type.Optional(IsoTime()),
  scope: Type.Optional(Type.Union([Type.Literal('group'), Type.Literal('device')], { description: 'access: the requester\'s group (default) or device' })),
  note: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });
export type RequestApprove = Static<typeof RequestApprove>;

/** What the requester's own block page shows (GET /requests/mine?domain=). */
export const MyRequestQuery = Type.Object({ domain: Type.String({ minLength: 1, maxLength: 253 }) }, { additionalProperties: false });
export const MyRequest = Type.Object({
  found: Type.Boolean(),
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('approved'), Type.Literal('declined')])),
  decision: Type.Optional(Type.String()),
  expiresAt: Type.Optional(IsoTime()),
  createdAt: Type.Optional(IsoTime()),
});
export type MyRequest = Static<typeof MyRequest>;
