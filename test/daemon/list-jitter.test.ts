// Scheduled list updates: daily by default, each appliance later by its own random share
// (up to a tenth of the interval, at most an hour), so a fleet does not hit the mirror at once.
import t from 'tap';
import { dueLists } from '../../src/daemon/index.js';
import type { ListSource } from '../../src/lists/index.js';

const H = 3_600_000;
const list = (over: Partial<ListSource> = {}): ListSource => ({ name: 'ut1', format: 'ut1', source: 'https://example.org/ut1.tar.gz', update: '24h', timeout: '120s', maxSize: '200MB', ...over });
const at = Date.parse('2026-03-02T07:30:00Z');
const fetched = (hoursAgo: number) => [{ name: 'ut1', fetchedAt: new Date(at - hoursAgo * H).toISOString() }];

const cases = [
  { name: 'fresh copy: not due', lists: [list()], reports: fetched(3), spread: 0, want: [] },
  { name: 'a day old, no jitter: due', lists: [list()], reports: fetched(24), spread: 0, want: ['ut1'] },
  { name: 'a day old, this appliance waits up to an hour more', lists: [list()], reports: fetched(24.5), spread: 1, want: [] },
  { name: 'past the day and the hour: due', lists: [list()], reports: fetched(25.01), spread: 1, want: ['ut1'] },
  { name: 'half the spread is half an hour', lists: [list()], reports: fetched(24.49), spread: 0.5, want: [] },
  { name: 'short intervals jitter a tenth of themselves', lists: [list({ update: '1h' })], reports: fetched(1.05), spread: 1, want: [] },
  { name: 'short intervals, past the tenth', lists: [list({ update: '1h' })], reports: fetched(1.11), spread: 1, want: ['ut1'] },
  { name: 'never fetched: due now', lists: [list()], reports: [], spread: 1, want: ['ut1'] },
  { name: 'local lists are never scheduled', lists: [list({ source: '/var/lib/schoolgate/config/deny.txt', format: 'domains' })], reports: [], spread: 0, want: [] },
];
for (const c of cases) {
  t.test(c.name, async (t) => {
    t.same(dueLists(c.lists, c.reports, at, c.spread), c.want);
  });
}

t.test('two appliances fetched together drift apart by their spreads', async (t) => {
  const dueAt = (spread: number) => {
    for (let m = 0; m < 26 * 60; m += 1) if (dueLists([list()], fetched(0), at + m * 60_000, spread).length) return m;
    return -1;
  };
  t.equal(dueAt(0.1) , 24 * 60 + 6);
  t.equal(dueAt(0.9), 24 * 60 + 54);
});
