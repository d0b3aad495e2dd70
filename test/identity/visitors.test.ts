import t from 'tap';
import { IdentityService } from '../../src/identity/index.js';
import type { Actor } from '../../src/audit/index.js';
import { coreFixture } from '../fixtures/core.js';

const OFFICE: Actor = { name: 'office', kind: 'user', role: 'technician' };

t.test('visitor codes: sign in, device limit, expiry back to the portal, the visitors log', async (t) => {
  const f = await coreFixture(t, `
portal: { groups: [guests], address: 10.10.0.1 }
groups:
  - { name: staff, match: { subnets: ["10.10.2.0/24"] } }
  - { name: guests, default: true }
`);
  const macs: Record<string, string> = { '10.10.9.5': 'aa:aa:aa:aa:aa:01', '10.10.9.6': 'aa:aa:aa:aa:aa:02' };
  const s = () => f.state.current;
  const id = new IdentityService(() => s(), { macOf: (ip) => macs[ip], hostnameOf: () => undefined, generation: 0 }, () => f.clock.now);
  t.match(id.identify('10.10.9.5'), { portal: true, group: { name: 'guests' } }, 'an unknown guest device starts at the portal');
  t.match(id.identify('10.10.2.7'), { portal: false, group: { name: 'staff' } }, 'other groups do not');

  const issued = await f.core.visitors.issue({ hours: 2, devices: 1, note: 'Ofsted inspector' }, OFFICE);
  if (!issued.ok) throw new Error(issued.message);
  t.match(issued.value.code, /^[A-HJKMNP-Z2-9]{8}$/);
  t.match(await f.core.visitors.signIn('WRONG123', { device: 'aa:aa:aa:aa:aa:01', ip: '10.10.9.5', group: 'guests' }), { ok: false, code: 'SG_BAD_LOGIN' });
  const ok = await f.core.visitors.signIn(issued.value.code.toLowerCase(), { device: 'aa:aa:aa:aa:aa:01', ip: '10.10.9.5', group: 'guests' });
  t.match(ok, { ok: true, value: { user: 'visitor ' + issued.value.code + ' (Ofsted inspector)', group: 'guests' } });
  t.match(id.identify('10.10.9.5'), { portal: false, group: { name: 'guests' }, user: /Ofsted/ }, 'signed in: filtered as a guest');
  t.match(await f.core.visitors.signIn(issued.value.code, { device: 'aa:aa:aa:aa:aa:02', ip: '10.10.9.6', group: 'guests' }), { ok: false }, 'a one-device code cannot sign in a second device');

  f.clock.now += 2 * 3_600_000;
  t.match(id.identify('10.10.9.5'), { portal: true }, 'back at the portal when the code expires, no restart');
  const log = (await f.core.visitors.logEntries()).map((e) => e.event);
  t.same(log.slice(0, 4).sort(), ['code.issued', 'sign-in.refused', 'sign-in.refused', 'signed-in'].sort());
  t.ok((await f.core.audit.verify()).ok);
});

t.test('sign-in attempts are rate-limited per device', async (t) => {
  const f = await coreFixture(t);
  let refused = 0;
  for (let i = 0; i < 12; i++) {
    const r = await f.core.visitors.signIn(`BAD${i}CODE`, { device: 'aa:aa:aa:aa:aa:09', ip: '10.10.9.9', group: 'guests' });
    if (!r.ok && r.code === 'SG_FORBIDDEN') refused++;
  }
  t.equal(refused, 2, 'the 11th and 12th tries are refused outright');
});
