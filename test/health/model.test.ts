import t from 'tap';
import { STALE_GRACE_MS, assess } from '../../src/health/index.js';
import type { ConditionId, HealthFacts } from '../../src/health/index.js';
import type { ActiveOverride } from '../../src/policy/index.js';
import type { ListReport } from '../../src/lists/index.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const HOUR = 3_600_000;

function facts(patch: Partial<HealthFacts> = {}): HealthFacts {
  return {
    now: NOW,
    admins: 1,
    wan: { level: 'up', since: NOW - HOUR, streak: 0, last: [{ kind: 'icmp', target: '198.51.100.1', ok: true, rttMs: 1 }], evidence: [] },
    index: { size: 1000, lists: [report('ut1', NOW - HOUR)] },
    listSources: [{ name: 'ut1', remote: true, updateSeconds: 86_400 }],
    overrides: [],
    incidentsOpen: 0,
    disk: { usedPercent: 40 },
    diskWarnPercent: 90,
    store: {},
    clock: { synced: true, source: 'systemd-timesyncd' },
    ...patch,
  };
}

function report(name: string, fetchedAt: number, status: ListReport['status'] = 'ok', error?: string): ListReport {
  return { name, source: 'https://lists.example/ut1.tar.gz', format: 'ut1', status, error, fetchedAt: new Date(fetchedAt).toISOString(), accepted: 10, rejected: {}, skipped: 0, ips: 0 };
}

function override(patch: Partial<ActiveOverride> = {}): ActiveOverride {
  return { id: 'o1', domain: 'video.example', all: false, scope: { kind: 'group', group: 'pupils' }, action: 'allow', startsAt: NOW - 60_000, expiresAt: NOW + HOUR, ...patch };
}

const cases: { name: string; facts: HealthFacts; want: ConditionId[] }[] = [
  { name: 'all well: nothing holds', facts: facts(), want: [] },
  { name: 'no admin account yet', facts: facts({ admins: 0 }), want: ['setup-needed'] },
  { name: 'admins not counted yet: not a condition', facts: facts({ admins: undefined }), want: [] },
  { name: 'WAN down', facts: facts({ wan: { level: 'down', since: NOW, streak: 0, last: [], evidence: [] } }), want: ['wan-down'] },
  { name: 'WAN without DNS', facts: facts({ wan: { level: 'no-dns', since: NOW, streak: 0, last: [], evidence: [] } }), want: ['wan-no-dns'] },
  { name: 'WAN not known yet', facts: facts({ wan: { level: 'unknown', since: 0, streak: 0, last: [], evidence: [] } }), want: ['wan-unknown'] },
  { name: 'an allow override in force', facts: facts({ overrides: [override()] }), want: ['override-active'] },
  { name: 'a scheduled override is not in force yet', facts: facts({ overrides: [override({ startsAt: NOW + 60_000 })] }), want: [] },
  { name: 'an override ends to the millisecond', facts: facts({ overrides: [override({ expiresAt: NOW })] }), want: [] },
  { name: 'a block override is not an exception to filtering', facts: facts({ overrides: [override({ action: 'block' })] }), want: [] },
  { name: 'filtering off for a group', facts: facts({ overrides: [override({ all: true, domain: undefined })] }), want: ['filter-off'] },
  { name: 'filtering off and an override', facts: facts({ overrides: [override({ all: true, domain: undefined }), override({ id: 'o2' })] }), want: ['filter-off', 'override-active'] },
  { name: 'the last update failed', facts: facts({ listFailure: { at: NOW, error: 'ENOTFOUND lists.example\nstack' } }), want: ['lists-failed'] },
  { name: 'a list kept its last good copy', facts: facts({ index: { size: 1000, lists: [report('ut1', NOW - HOUR, 'kept', 'HTTP 503')] } }), want: ['lists-failed'] },
  { name: 'a list within its interval (plus grace) is fresh', facts: facts({ index: { size: 1, lists: [report('ut1', NOW - 86_400_000 - STALE_GRACE_MS + 1000)] } }), want: [] },
  { name: 'a list beyond its interval is stale', facts: facts({ index: { size: 1, lists: [report('ut1', NOW - 3 * 86_400_000)] } }), want: ['lists-stale'] },
  { name: 'a remote list never fetched is stale', facts: facts({ index: { size: 1, lists: [] } }), want: ['lists-stale'] },
  { name: 'local lists are never stale', facts: facts({ listSources: [{ name: 'deny', remote: false, updateSeconds: 60 }], index: { size: 5, lists: [report('deny', NOW - 100 * 86_400_000)] } }), want: [] },
  { name: 'no domains loaded', facts: facts({ index: { size: 0, lists: [report('ut1', NOW)] } }), want: ['no-lists'] },
  { name: 'open incidents', facts: facts({ incidentsOpen: 2 }), want: ['incident-open'] },
  { name: 'disk at the warning level', facts: facts({ disk: { usedPercent: 90 } }), want: ['disk-full'] },
  { name: 'disk just below it', facts: facts({ disk: { usedPercent: 89.9 } }), want: [] },
  { name: 'disk unreadable', facts: facts({ disk: { error: 'EIO' } }), want: ['disk-full'] },
  { name: 'store error', facts: facts({ store: { error: 'the database is closed' } }), want: ['store-error'] },
  { name: 'store at its cap an hour ago', facts: facts({ store: { fullAt: NOW - HOUR, size: 3e9, cap: 2e9 } }), want: ['store-full'] },
  { name: 'store full long ago has passed', facts: facts({ store: { fullAt: NOW - 3 * HOUR } }), want: [] },
  { name: 'clock not synchronised', facts: facts({ clock: { synced: false, source: 'timedatectl' } }), want: ['clock-unsynced'] },
  { name: 'clock state unknown is not an alert', facts: facts({ clock: { synced: undefined, source: 'unavailable', detail: 'no timedatectl' } }), want: [] },
];
for (const c of cases) {
  t.test(c.name, async (t) => {
    t.same(assess(c.facts).map((x) => x.id), c.want);
  });
}

t.test('details are sentences a technician can act on', async (t) => {
  const got = assess(facts({
    admins: 0, incidentsOpen: 1, disk: { usedPercent: 95.4 },
    overrides: [override(), override({ id: 'o2', all: true, domain: undefined, scope: { kind: 'client', ip: '10.10.1.10' } })],
    wan: {
      level: 'down', since: NOW, streak: 0,
      last: [{ kind: 'icmp', target: '198.51.100.1', ok: false, error: 'EHOSTUNREACH' }],
      evidence: [{ kind: 'icmp', target: '198.51.100.1', ok: false, error: 'timeout' }, { kind: 'dns', target: '198.51.100.1:53', ok: false, error: 'ENETUNREACH' }],
    },
    index: { size: 1, lists: [report('ut1', NOW - 3 * 86_400_000)] },
  }));
  const detail = (id: ConditionId) => got.find((c) => c.id === id)?.detail;
  t.match(detail('setup-needed'), /schoolgate user add/);
  t.equal(detail('incident-open'), '1 unacknowledged incident');
  t.equal(detail('disk-full'), 'data disk 95% full (warns at 90%)');
  t.equal(detail('filter-off'), 'filtering off for device 10.10.1.10');
  t.equal(detail('override-active'), '1 override in force (video.example for group pupils)');
  t.equal(detail('wan-down'), 'no answer from the internet: icmp 198.51.100.1 (timeout), dns 198.51.100.1:53 (ENETUNREACH)', 'quotes the round that changed the state, not the latest');
  t.equal(detail('lists-stale'), 'list ut1 is 3 days old (updates every 24 h)');
});
