// End to end in the lab: a pupil's query for a locked category, answered by schoolgate's own
// resolver, opens an incident and the alert LED lights (read from the file backend); GET
// /api/v1/status reports the same states; acknowledged in the API (from a staff machine, signed
// in as a browser would be), the LED goes out.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LedStates } from '../../src/daemon/index.js';
import { createLab } from '../lab/lab.js';
import { until } from '../lab/exec.js';
import { labApi, setUpFirstUser } from '../lab/admin-api.js';

t.test('a pupil\'s query for a locked category lights the alert LED', async (t) => {
  const lab = await createLab();
  t.teardown(() => lab.destroy());
  const ledsFile = join(lab.dir, 'leds.json');
  const config = lab.config();
  config.leds = { backend: 'file', path: ledsFile, selfTest: false };
  config.locked = ['adult'];
  const daemon = await lab.startDaemon({ config });
  const file = (): LedStates | undefined => {
    try {
      return JSON.parse(readFileSync(ledsFile, 'utf8')) as LedStates;
    } catch {
      return undefined;
    }
  };
  t.ok(await until(() => file()?.alert.why === 'nothing needs attention', 10_000), 'alert off at rest');
  const r = await lab.exec('pupil', ['dig', '+short', '+time=2', '+tries=1', '@10.10.0.1', 'blocked.test']);
  t.not(r.stdout.trim(), '203.0.113.10', 'blocked');
  t.ok(await until(() => file()?.alert.pattern === 'fast-blink', 5000), 'alert LED: fast-blink');
  t.equal(file()?.alert.why, '1 unacknowledged incident');
  const logged = daemon.logs.filter((l) => l.msg === 'LEDs changed').at(-1)?.leds;
  t.same(logged, file(), 'the daemon\'s states and the file agree');

  const api = labApi(lab);
  const session = await setUpFirstUser(api, daemon);
  t.match(session, { authenticated: true });
  t.same((await api('GET', '/api/v1/status')).leds, file(), 'GET /api/v1/status reports what the LEDs show');
  const list = (await api('GET', '/api/v1/incidents?status=open')) as { items?: { id: string; type: string }[] };
  const incident = list.items?.find((i) => i.type === 'locked');
  t.ok(incident, 'the incident is in the API');
  const acked = await api('POST', `/api/v1/incidents/${incident?.id}/acknowledge`, String(session.csrfToken), { action: 'spoke with the pupil', outcome: 'device checked, parents informed' });
  t.match(acked, { status: 'acknowledged' });
  t.ok(await until(() => file()?.alert.pattern === 'off', 5000), 'acknowledged in the API: the alert LED goes out');
  t.same((await api('GET', '/api/v1/status')).leds, file(), 'and /status says the same');
  await daemon.stop();
});
