// The UI's pure parts: the override form's duration presets (fixed dates, local time
// Europe/London, across the DST change), the policy matrix's cell model, the dashboard's figures.
process.env.TZ = 'Europe/London';
import t from 'tap';
import { durationSeconds, overridePresets } from '../../web-ui/src/presets.js';
import { cellChange, cellOptions, cellValue, checkCell } from '../../web-ui/src/policy-cells.js';
import { perSecond, withMinute } from '../../web-ui/src/live-stats.js';
import type { Stats } from '../../src/api/index.js';

const WEEK = 7 * 86400;
const at = (iso: string) => Date.parse(iso);
const local = (ms: number) => new Date(ms).toLocaleString('en-GB', { timeZone: 'Europe/London' });

const presetCases = [
  { name: 'Monday morning', now: '2025-03-03T09:10:00Z', lesson: '03/03/2025, 10:10:00', today: '04/03/2025, 00:00:00', week: '10/03/2025, 00:00:00' },
  { name: 'Sunday evening: the week ends tonight', now: '2025-03-09T20:00:00Z', lesson: '09/03/2025, 21:00:00', today: '10/03/2025, 00:00:00', week: '10/03/2025, 00:00:00' },
  { name: 'the Friday before the clocks go forward', now: '2025-03-28T10:00:00Z', lesson: '28/03/2025, 11:00:00', today: '29/03/2025, 00:00:00', week: '31/03/2025, 00:00:00' },
  { name: 'summer time (BST)', now: '2025-06-11T13:30:00Z', lesson: '11/06/2025, 15:30:00', today: '12/06/2025, 00:00:00', week: '16/06/2025, 00:00:00' },
];
for (const c of presetCases) {
  t.test(`presets: ${c.name}`, async (t) => {
    const [lesson, today, week] = overridePresets(at(c.now), WEEK);
    t.equal(local(lesson.until), c.lesson, 'this lesson');
    t.equal(local(today.until), c.today, 'today');
    t.equal(local(week.until), c.week, 'this week');
  });
}

t.test('presets are capped at the maximum override', async (t) => {
  const now = at('2025-03-03T09:00:00Z');
  const [lesson, today, week] = overridePresets(now, 2 * 3600);
  t.equal(lesson.until, now + 3600_000, 'a lesson fits');
  t.equal(today.until, now + 2 * 3600_000, 'today capped');
  t.equal(week.until, now + 2 * 3600_000, 'week capped');
});

const durations: [string | undefined, number | undefined][] = [['7d', WEEK], ['1h30m', 5400], ['90m', 5400], ['600s', 600], ['2w', 2 * WEEK], ['', undefined], ['7 days', undefined], [undefined, undefined], ['1h x', undefined]];
for (const [text, want] of durations) t.equal(durationSeconds(text), want, `duration ${JSON.stringify(text)}`);

t.test('policy cells: API state ↔ select value ↔ change', async (t) => {
  const cases = [
    { name: 'blocked', cell: { state: 'blocked' as const }, allowList: false, value: 'block', change: { state: 'block' } },
    { name: 'allowed', cell: { state: 'allowed' as const }, allowList: false, value: 'allow', change: { state: 'allow' } },
    { name: 'allowed during lunch and after school', cell: { state: 'allowed-during' as const, schedules: ['lunch', 'afterschool'] }, allowList: false, value: 'during:lunch+afterschool', change: { state: 'allow-during', schedules: ['lunch', 'afterschool'] } },
    { name: 'allow list honoured', cell: { state: 'honoured' as const }, allowList: true, value: 'allow', change: { state: 'allow' } },
    { name: 'allow list ignored', cell: { state: 'ignored' as const }, allowList: true, value: 'block', change: { state: 'block' } },
    { name: 'locked', cell: { state: 'locked' as const }, allowList: false, value: 'locked', change: undefined },
  ];
  for (const c of cases) {
    const v = cellValue(c.cell, c.allowList);
    t.equal(v, c.value, `${c.name}: value`);
    if (c.change) t.match(cellChange('pupils', 'games', v, 'why'), { group: 'pupils', category: 'games', reason: 'why', ...c.change }, `${c.name}: change`);
  }
  t.same(cellOptions(['lunch'], 'allow', false).map(([v]) => v), ['allow', 'block', 'during:lunch']);
  t.same(cellOptions(['lunch'], 'during:lunch+gone', false).map(([v]) => v), ['allow', 'block', 'during:lunch', 'during:lunch+gone'], 'a schedule combination in force stays selectable');
  t.equal(checkCell('during:gone', ['lunch']), 'no schedule named gone');
  t.equal(checkCell('during:', ['lunch']), 'choose a schedule');
  t.equal(checkCell('locked', []), 'a locked category is blocked for every group');
  t.equal(checkCell('during:lunch', ['lunch']), undefined);
});

t.test('dashboard figures: the live minute joins the last hour', async (t) => {
  const m = (i: number) => Date.parse('2025-03-03T10:00:00Z') + i * 60_000;
  const base: Stats = { at: new Date(m(3) + 30_000).toISOString(), perMinute: [[m(0), 60, 6], [m(1), 120, 12], [m(2), 180, 18], [m(3), 10, 1]], topCategories: [], topClients: [], total24h: 370, blocked24h: 37 };
  t.equal(perSecond(base), 3, 'the last full minute: 180 queries / 60 s');
  const live = withMinute(base, { at: new Date(m(3) + 50_000).toISOString(), minute: [m(3), 40, 4], openIncidents: 0, activeOverrides: 0 });
  t.same(live.perMinute.map((x) => x[1]), [60, 120, 180, 40], 'the current minute is replaced, not added twice');
  const next = withMinute(live, { at: new Date(m(61)).toISOString(), minute: [m(61), 5, 0], openIncidents: 0, activeOverrides: 0 });
  t.same(next.perMinute.map((x) => x[0]), [m(2), m(3), m(61)], 'minutes older than an hour drop out');
  t.equal(withMinute(base, { at: base.at, openIncidents: 0, activeOverrides: 0 }), base, 'no minute (no DNS stage): unchanged');
});
