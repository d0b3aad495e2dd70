// Self-test runs are evidence for the annual review: kept in the store (the newest 500).
import type { SelfTestRun } from './schemas/index.js';
import type { Sublevel } from '../store/index.js';
import { putDurable } from '../store/index.js';
import type { Store } from '../store/index.js';

const PREFIX = 'selftest:';
const KEEP = 500;

export async function saveRun(store: Store, run: SelfTestRun): Promise<void> {
  await putDurable(store, store.settings, `${PREFIX}${run.id}`, run);
  const keys: string[] = [];
  for await (const k of store.settings.keys({ gte: PREFIX, lt: `${PREFIX}\uffff`, reverse: true })) keys.push(k);
  if (keys.length > KEEP) await store.settings.batch(keys.slice(KEEP).map((key) => ({ type: 'del' as const, key })));
}

export async function listRuns(settings: Sublevel, limit: number): Promise<SelfTestRun[]> {
  const out: SelfTestRun[] = [];
  for await (const v of settings.values({ gte: PREFIX, lt: `${PREFIX}\uffff`, reverse: true, limit })) out.push(v as SelfTestRun);
  return out;
}

export async function getRun(settings: Sublevel, id: string): Promise<SelfTestRun | undefined> {
  if (!/^[a-z0-9-]{1,40}$/.test(id)) return undefined;
  return (await settings.get(`${PREFIX}${id}`)) as SelfTestRun | undefined;
}

export async function selfTestSummary(settings: Sublevel): Promise<{ runs: number; lastRunAt?: string; lastPassed?: number; lastFailed?: number }> {
  let runs = 0;
  for await (const _ of settings.keys({ gte: PREFIX, lt: `${PREFIX}\uffff` })) runs++;
  const [last] = await listRuns(settings, 1);
  return last ? { runs, lastRunAt: last.startedAt, lastPassed: last.passed, lastFailed: last.failed } : { runs };
}
