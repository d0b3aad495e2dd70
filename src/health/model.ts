// The pure health model: facts → the conditions that hold now, each with a sentence for the
// dashboard. No I/O, no clock of its own (facts.now). Which LED shows which condition, and how, is
// the LED priority table's business (leds/priority.ts), not this file's.
import type { ActiveOverride } from '../policy/index.js';
import type { HealthFacts } from './facts.js';

export const CONDITIONS = [
  'setup-needed',
  'wan-unknown', 'wan-down', 'wan-no-dns',
  'no-lists', 'filter-off', 'lists-failed', 'lists-stale', 'override-active',
  'incident-open', 'store-error', 'disk-full', 'store-full', 'clock-unsynced',
] as const;
export type ConditionId = (typeof CONDITIONS)[number];

export interface Condition {
  id: ConditionId;
  detail: string;
}

/** A list older than its update interval by more than this is stale (the updater checks every ~10 min). */
export const STALE_GRACE_MS = 3_600_000;
/** store:full is re-reported hourly while the store stays over its cap; it holds this long. */
export const STORE_FULL_HOLD_MS = 2 * 3_600_000;

export function assess(f: HealthFacts): Condition[] {
  const out: Condition[] = [];
  const add = (id: ConditionId, detail: string) => out.push({ id, detail });

  if (f.admins === 0) add('setup-needed', 'no admin account yet: run `schoolgate user add NAME --role technician`');

  const wanDetail = describeProbes(f);
  if (f.wan.level === 'unknown') add('wan-unknown', f.wan.unavailable ?? 'checking the internet connection');
  if (f.wan.level === 'down') add('wan-down', `no answer from the internet: ${wanDetail}`);
  if (f.wan.level === 'no-dns') add('wan-no-dns', `the internet answers but no upstream resolver does: ${wanDetail}`);

  if (f.index.size === 0) add('no-lists', 'no listed domains loaded: nothing to filter with');
  const live = f.overrides.filter((o) => o.action === 'allow' && o.startsAt <= f.now && f.now < o.expiresAt);
  const off = live.filter((o) => o.all);
  if (off.length > 0) add('filter-off', `filtering off for ${off.map(scopeText).join(', ')}`);
  if (f.listFailure) add('lists-failed', `the last list update failed: ${firstLine(f.listFailure.error)}`);
  for (const r of f.index.lists) {
    if (r.status !== 'ok') add('lists-failed', `list ${r.name} ${r.status === 'kept' ? 'uses its last good copy' : 'has no usable copy'}: ${firstLine(r.error ?? 'unknown error')}`);
  }
  const reports = new Map(f.index.lists.map((r) => [r.name, r]));
  for (const s of f.listSources) {
    if (!s.remote) continue;
    const fetchedAt = Date.parse(reports.get(s.name)?.fetchedAt ?? '');
    const age = f.now - fetchedAt;
    if (!Number.isFinite(fetchedAt)) add('lists-stale', `list ${s.name} has never been fetched`);
    else if (age > s.updateSeconds * 1000 + STALE_GRACE_MS) add('lists-stale', `list ${s.name} is ${ageText(age)} old (updates every ${ageText(s.updateSeconds * 1000)})`);
  }
  const exceptions = live.filter((o) => !o.all);
  if (exceptions.length > 0) add('override-active', `${exceptions.length} override${exceptions.length === 1 ? '' : 's'} in force (${exceptions.slice(0, 3).map(overrideText).join('; ')}${exceptions.length > 3 ? '; …' : ''})`);

  if (f.incidentsOpen > 0) add('incident-open', `${f.incidentsOpen} unacknowledged incident${f.incidentsOpen === 1 ? '' : 's'}`);
  if (f.store.error) add('store-error', `store error: ${f.store.error}`);
  if (f.disk && 'error' in f.disk) add('disk-full', `disk usage unreadable: ${f.disk.error}`);
  if (f.disk && 'usedPercent' in f.disk && f.disk.usedPercent >= f.diskWarnPercent) add('disk-full', `data disk ${Math.round(f.disk.usedPercent)}% full (warns at ${f.diskWarnPercent}%)`);
  if (f.store.fullAt !== undefined && f.now - f.store.fullAt < STORE_FULL_HOLD_MS) add('store-full', `the store reached its size cap${f.store.cap ? ` (${Math.round(f.store.cap / 1e6)} MB)` : ''}: oldest query log entries are being dropped`);
  if (f.clock.synced === false) add('clock-unsynced', `the clock is not synchronised (${f.clock.source}): schedules and logs may be wrong`);
  return out;
}

function describeProbes(f: HealthFacts): string {
  const failed = f.wan.evidence.filter((p) => !p.ok);
  if (failed.length === 0) return 'no probe answered';
  return failed.slice(0, 4).map((p) => `${p.kind} ${p.target}${p.error ? ` (${p.error})` : ''}`).join(', ');
}

function scopeText(o: ActiveOverride): string {
  switch (o.scope.kind) {
    case 'group': return `group ${o.scope.group}`;
    case 'client': return `device ${o.scope.ip}`;
    case 'mac': return `device ${o.scope.mac}`;
    case 'school': return 'the whole school';
  }
}

function overrideText(o: ActiveOverride): string {
  const what = o.domain ?? (o.categoryId !== undefined ? 'a category' : 'everything');
  return `${what} for ${scopeText(o)}`;
}

export function ageText(ms: number): string {
  const h = ms / 3_600_000;
  if (h >= 48) return `${Math.round(h / 24)} days`;
  if (h >= 1) return `${Math.round(h)} h`;
  return `${Math.max(1, Math.round(ms / 60_000))} min`;
}

const firstLine = (s: string) => s.split('\n')[0].slice(0, 200);
