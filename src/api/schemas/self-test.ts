// The filtering self-test for the annual review: per group, one known domain per blocked
// category, the canaries and a safe-search name, resolved through the real DNS path as a client
// of that group; pass/fail per line with the time. Runs are kept.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime } from './common.js';

export const SelfTestLine = Type.Object({
  group: Type.String(),
  check: Type.Union([Type.Literal('category'), Type.Literal('canary'), Type.Literal('safe-search')]),
  category: Type.Optional(Type.String()),
  name: Type.String(),
  qtype: Type.String(),
  /** what the policy says should happen now */
  expected: Type.Union((['blocked', 'allowed', 'nxdomain', 'no-records', 'rewritten'] as const).map((e) => Type.Literal(e))),
  /** what the DNS answer was, in words */
  got: Type.String(),
  result: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('skip')]),
  detail: Type.Optional(Type.String()),
  at: IsoTime(),
  ms: Type.Number(),
});
export type SelfTestLine = Static<typeof SelfTestLine>;

export const SelfTestRun = Type.Object({
  id: Type.String(),
  startedAt: IsoTime(),
  finishedAt: IsoTime(),
  by: Type.String(),
  passed: Type.Number(),
  failed: Type.Number(),
  skipped: Type.Number(),
  lines: Type.Array(SelfTestLine),
});
export type SelfTestRun = Static<typeof SelfTestRun>;

export const SelfTestList = Type.Object({
  items: Type.Array(Type.Object({ id: Type.String(), startedAt: IsoTime(), by: Type.String(), passed: Type.Number(), failed: Type.Number(), skipped: Type.Number() })),
});
export type SelfTestList = Static<typeof SelfTestList>;
