// Our TZif reader must agree with ICU (Intl) to the minute, across zones and decades,
// including southern-hemisphere DST, half-hour offsets and instants past the last transition.
import t from 'tap';
import { loadZone, parsePosixTz, parseTzif, zoneOffset } from '../../src/schema/index.js';

function intlOffsetMinutes(tz: string, ms: number): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

const ZONES = ['Europe/London', 'Europe/Paris', 'America/New_York', 'America/Sao_Paulo', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham', 'America/St_Johns', 'Africa/Casablanca', 'UTC'];

for (const name of ZONES) {
  t.test(name, async (t) => {
    const z = loadZone(name);
    if (!z.ok) throw new Error(z.error);
    let mismatches = 0;
    // Every ~9 hours from 2000 to 2060 (spans the end of every table and the footer rule).
    for (let ms = Date.UTC(2000, 0, 1); ms < Date.UTC(2060, 0, 1); ms += 9 * 3600_000 + 17 * 60_000) {
      if (zoneOffset(z.zone, ms) / 60 !== intlOffsetMinutes(name, ms)) mismatches++;
    }
    t.equal(mismatches, 0, 'agrees with ICU everywhere sampled');
  });
}

t.test('London transitions to the second', async (t) => {
  const z = loadZone('Europe/London');
  if (!z.ok) throw new Error(z.error);
  t.equal(zoneOffset(z.zone, Date.parse('2026-03-29T00:59:59Z')), 0);
  t.equal(zoneOffset(z.zone, Date.parse('2026-03-29T01:00:00Z')), 3600);
  t.equal(zoneOffset(z.zone, Date.parse('2026-10-25T00:59:59Z')), 3600);
  t.equal(zoneOffset(z.zone, Date.parse('2026-10-25T01:00:00Z')), 0);
  t.equal(zoneOffset(z.zone, Date.parse('2099-07-01T12:00:00Z')), 3600, 'far future from the footer rule');
});

t.test('bad input is a clear error', async (t) => {
  t.match(loadZone('Mars/Olympus'), { ok: false, error: /no time zone "Mars\/Olympus"/ });
  t.match(loadZone('../../etc/passwd'), { ok: false, error: /not a time zone name/ });
  t.match(parseTzif('x', Buffer.from('TZif2 garbage')), { ok: false });
  t.match(parseTzif('x', Buffer.alloc(0)), { ok: false });
  t.equal(parsePosixTz('nonsense!'), undefined);
  t.same(parsePosixTz('<-03>3'), { stdOffset: -10800 });
});
