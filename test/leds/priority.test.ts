import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConditionId } from '../../src/health/index.js';
import { CONDITIONS } from '../../src/health/index.js';
import { CARD_NOTES, LEDS, PRIORITY, ledStatesFor } from '../../src/leds/index.js';
import { REPO } from '../helpers/daemon.js';

type Want = Partial<Record<'power' | 'wan' | 'filter' | 'alert', string>>;
const cases: { name: string; conditions: ConditionId[]; want: Want }[] = [
  { name: 'all well', conditions: [], want: { power: 'heartbeat', wan: 'on', filter: 'on', alert: 'off' } },
  { name: 'first boot: no admin yet', conditions: ['setup-needed'], want: { power: 'slow-blink' } },
  { name: 'WAN down', conditions: ['wan-down'], want: { wan: 'fast-blink' } },
  { name: 'ICMP answers, DNS does not', conditions: ['wan-no-dns'], want: { wan: 'slow-blink' } },
  { name: 'WAN not probed yet', conditions: ['wan-unknown'], want: { wan: 'off' } },
  { name: 'an override shows on the filter LED', conditions: ['override-active'], want: { filter: 'slow-blink', alert: 'off' } },
  { name: 'filtering off has its own pattern', conditions: ['filter-off'], want: { filter: 'fast-blink' } },
  { name: 'filtering off beats an override', conditions: ['override-active', 'filter-off'], want: { filter: 'fast-blink' } },
  { name: 'a failed list update is not hidden by an override', conditions: ['override-active', 'lists-failed'], want: { filter: 'heartbeat' } },
  { name: 'stale lists', conditions: ['lists-stale'], want: { filter: 'heartbeat' } },
  { name: 'no lists at all: not filtering', conditions: ['no-lists', 'filter-off'], want: { filter: 'off' } },
  { name: 'an open incident', conditions: ['incident-open'], want: { alert: 'fast-blink' } },
  { name: 'an incident beats a full disk', conditions: ['disk-full', 'incident-open'], want: { alert: 'fast-blink' } },
  { name: 'disk nearly full', conditions: ['disk-full'], want: { alert: 'on' } },
  { name: 'store error', conditions: ['store-error'], want: { alert: 'on' } },
  { name: 'store at its cap', conditions: ['store-full'], want: { alert: 'on' } },
  { name: 'clock not synchronised', conditions: ['clock-unsynced'], want: { alert: 'slow-blink' } },
  { name: 'storage beats the clock', conditions: ['clock-unsynced', 'store-error'], want: { alert: 'on' } },
  { name: 'conditions of one LED leave the others alone', conditions: ['wan-down', 'incident-open'], want: { power: 'heartbeat', filter: 'on' } },
];
for (const c of cases) {
  t.test(c.name, async (t) => {
    const states = ledStatesFor(c.conditions.map((id) => ({ id, detail: `detail of ${id}` })));
    for (const [led, pattern] of Object.entries(c.want)) t.equal(states[led as keyof Want].pattern, pattern, led);
  });
}

t.test('why carries the details of the winning condition', async (t) => {
  const s = ledStatesFor([{ id: 'incident-open', detail: '2 unacknowledged incidents' }, { id: 'override-active', detail: 'a' }, { id: 'override-active', detail: 'b' }]);
  t.equal(s.alert.why, '2 unacknowledged incidents');
  t.equal(s.filter.why, 'a; b');
  t.equal(s.power.why, 'schoolgate is running');
});

t.test('the table covers every condition and ends each LED with "otherwise"', async (t) => {
  const used = new Set(PRIORITY.map((r) => r.when));
  for (const c of CONDITIONS) t.ok(used.has(c), `${c} has a row`);
  for (const led of LEDS) {
    const rows = PRIORITY.filter((r) => r.led === led);
    t.equal(rows[rows.length - 1].when, 'otherwise', `${led} ends with otherwise`);
    t.equal(rows.filter((r) => r.when === 'otherwise').length, 1);
  }
});

t.test('README\'s printable LED card says what the table does', async (t) => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const card = readme.slice(readme.indexOf('#### The LED card'));
  t.ok(card.length > 100, 'README has the LED card');
  const text = card.slice(0, card.indexOf('\n## ') > 0 ? card.indexOf('\n## ') : undefined);
  const section = (led: string) => {
    const header = `**${led === 'all' ? 'all four' : led}**`;
    const from = text.indexOf(header);
    const to = text.indexOf('**', from + header.length);
    return from < 0 ? '' : text.slice(from, to < 0 ? undefined : to);
  };
  for (const led of LEDS) {
    // the card lists the rows in the table's order: the first line that applies wins
    const lines = section(led).split('\n').filter((l) => /^\| [a-z-]+ \| /.test(l) && !l.startsWith('| pattern'));
    const rows = [...PRIORITY.filter((r) => r.led === led), ...CARD_NOTES.filter((n) => n.led === led)];
    t.same(lines, rows.map((r) => `| ${r.pattern} | ${r.card} |`), `${led} card in table order`);
  }
  for (const n of CARD_NOTES.filter((x) => x.led === 'all')) t.match(section('all'), `| ${n.pattern} | ${n.card} |`);
});
