// What the API's route modules share: one object, built once by the stage (STYLE §7).
import type { DaemonContext } from '../daemon/index.js';
import { parseDuration } from '../schema/index.js';
import { Anonymiser } from './anonymise.js';
import { RateLimiter } from './rate-limiter.js';
import { SessionStore } from './sessions.js';
import { SetupGate } from './setup-code.js';
import type { Static } from '@sinclair/typebox';
import type { Listener } from './schemas/index.js';

export interface ApiDeps {
  ctx: DaemonContext;
  sessions: SessionStore;
  setup: SetupGate;
  anonymiser: Anonymiser;
  limits: {
    /** sign-in attempts per client address (the users service locks accounts after 10 failures) */
    login: RateLimiter;
    setup: RateLimiter;
    /** anonymous block-page POSTs (requests, reports) per client address */
    anonymous: RateLimiter;
  };
  version: string;
  startedAt: number;
  /** web-ui/dist: the built UI bundle, when present */
  uiRoot: string;
  /** what the listeners report (GET /status) */
  listeners: () => { admin: Static<typeof Listener>[]; blockPage: Static<typeof Listener>[] };
  /** a new setup code was made (the stage logs it) */
  onSetupCode: (code: string) => void;
}

/** The deps with their usual parts; the stage (and tests) pass what differs. */
export function createApiDeps(ctx: DaemonContext, parts: Pick<ApiDeps, 'uiRoot' | 'listeners' | 'onSetupCode' | 'version'> & Partial<Pick<ApiDeps, 'startedAt'>>): ApiDeps {
  const now = () => ctx.clock.now();
  return {
    ctx,
    sessions: new SessionStore(ctx.store.sessions, now, () => sessionLimits(ctx)),
    setup: new SetupGate(),
    anonymiser: new Anonymiser(),
    limits: {
      // Above the account lockout (10): one address may mistype a few accounts before it waits.
      login: new RateLimiter(30, 10 * 60_000, now),
      setup: new RateLimiter(10, 10 * 60_000, now),
      anonymous: new RateLimiter(30, 60_000, now),
    },
    startedAt: parts.startedAt ?? now(),
    ...parts,
  };
}

export function sessionLimits(ctx: DaemonContext): { idleMs: number; maxMs: number } {
  const { session } = ctx.state.current.config.admin;
  return { idleMs: (parseDuration(session.idle) ?? 8 * 3600) * 1000, maxMs: (parseDuration(session.max) ?? 86400) * 1000 };
}
