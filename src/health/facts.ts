// What the health model knows about the box, gathered by the monitor (the I/O shell) and judged
// by assess() (pure). Every field is a plain value: a test builds one by hand.
import type { ActiveOverride } from '../policy/index.js';
import type { ListReport } from '../lists/index.js';

export type WanLevel = 'unknown' | 'up' | 'no-dns' | 'down';

export interface ProbeOutcome {
  kind: 'icmp' | 'dns';
  target: string;
  ok: boolean;
  rttMs?: number;
  error?: string;
}

export interface WanStatus {
  level: WanLevel;
  /** epoch ms of the last change of level */
  since: number;
  /** consecutive rounds that disagree with `level` (the hysteresis counter) */
  streak: number;
  /** the last round's probes */
  last: readonly ProbeOutcome[];
  /** the probes of the round that set `level` (what the LED's sentence quotes: it does not churn every round) */
  evidence: readonly ProbeOutcome[];
  /** probes that cannot run (ICMP without CAP_NET_RAW), said once in the log and here */
  unavailable?: string;
}

export interface ListSourceFact {
  name: string;
  /** fetched from the network (http/https); local files are read, never stale */
  remote: boolean;
  /** seconds between updates */
  updateSeconds: number;
}

export type ClockFact =
  | { synced: true; source: string }
  | { synced: false; source: string }
  | { synced: undefined; source: 'unavailable'; detail: string };

export interface HealthFacts {
  now: number;
  /** admin accounts; undefined until counted */
  admins: number | undefined;
  wan: WanStatus;
  index: { size: number; lists: readonly ListReport[] };
  listSources: readonly ListSourceFact[];
  /** the last list update failed (cleared by the next good index) */
  listFailure?: { at: number; error: string };
  overrides: readonly ActiveOverride[];
  incidentsOpen: number;
  disk?: { usedPercent: number } | { error: string };
  diskWarnPercent: number;
  store: { error?: string; fullAt?: number; size?: number; cap?: number };
  clock: ClockFact;
}
