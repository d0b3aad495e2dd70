// The override form's duration presets and the policy matrix's cell model: pure, so tables of
// named cases with fixed dates (local time Europe/London, across the DST change).
process.env.TZ = 'Europe/London';
import t from 'tap';
import { durationSeconds, overridePresets } from '../../web-ui/src/presets.js';
import { cellChange, cellOptions, cellValue, checkCell } from '../../web-ui/src/policy-cells.js';

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
