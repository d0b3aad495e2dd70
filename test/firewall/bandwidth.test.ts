// Caps and quotas measured with iperf3 from the lab's client namespaces through the appliance:
// the pupils' group cap (down and up) within ±10%, staff unaffected while pupils saturate the
// link, the over-quota rate within ±15% once the daily quota is used, and a reset restoring the
// cap. The stage runs in-process so the test can call its usage service (the API's job later).
import t from 'tap';
import { parseRate } from '../../src/schema/index.js';
import { openStore } from '../../src/store/index.js';
import { createLab } from '../lab/lab.js';
import { until } from '../lab/exec.js';
import { LAB_BANDWIDTH } from '../lab/lab-config.js';
import { iperf, mbit, within } from '../lab/measure.js';
import { startInProcess } from './in-process.js';

const SECONDS = 4;
const DOWN = parseRate(LAB_BANDWIDTH.down) ?? 0;
const UP = parseRate(LAB_BANDWIDTH.up) ?? 0;
const OVER = parseRate(LAB_BANDWIDTH.overQuota) ?? 0;
const PUPIL = '10.10.1.10';
const PUPIL2 = '10.10.1.11';

t.test('bandwidth caps and daily quotas', async (t) => {
  const lab = await createLab();
  t.teardown(() => lab.destroy());
  const fw = await startInProcess(lab, lab.config());
  t.teardown(() => fw.stop());
  const run = (who: 'pupil' | 'pupil2' | 'staff', port: number, down: boolean) => iperf(lab, who, { port, seconds: SECONDS, down });
  // Each measurement moves megabytes; the cap checks start every pupil from a fresh quota.
  const freshQuotas = () => Promise.all([PUPIL, PUPIL2].map((d) => fw.stage.usage.reset(d, { by: 'test' })));

  await t.test('a pupil gets the group download cap (±10%)', async (t) => {
    const r = await run('pupil', 5201, true);
    t.ok(within(r.bps, DOWN, 0.1), `${mbit(r.bps)} for a cap of ${mbit(DOWN)}`);
  });
  await t.test('… and the group upload cap (±10%)', async (t) => {
    await freshQuotas();
    const r = await run('pupil', 5201, false);
    t.ok(within(r.bps, UP, 0.1), `${mbit(r.bps)} for a cap of ${mbit(UP)}`);
  });
  await t.test('two pupils share the group cap', async (t) => {
    await freshQuotas();
    const [a, b] = await Promise.all([run('pupil', 5201, true), run('pupil2', 5202, true)]);
    t.ok(within(a.bps + b.bps, DOWN, 0.1), `together ${mbit(a.bps + b.bps)} for a cap of ${mbit(DOWN)}`);
    t.ok(Math.min(a.bps, b.bps) > DOWN * 0.25, `neither starves: ${mbit(a.bps)} and ${mbit(b.bps)}`);
  });
  await t.test('staff are unaffected while a pupil saturates the link', async (t) => {
    await freshQuotas();
    const alone = await run('staff', 5203, true);
    const [pupil, staff] = await Promise.all([run('pupil2', 5202, true), run('staff', 5203, true)]);
    t.ok(staff.bps > DOWN * 5, `staff ${mbit(staff.bps)} (alone ${mbit(alone.bps)}) while the pupil gets ${mbit(pupil.bps)}`);
    t.ok(within(pupil.bps, DOWN, 0.1), 'the pupil still at the cap');
  });

  await t.test('after the daily quota the over-quota rate applies (±15%), until a reset', async (t) => {
    t.ok((await fw.stage.usage.reset(PUPIL, { by: 'test', reason: 'start the quota from zero' })).ok, 'reset before: a fresh quota');
    // Use the quota up (20 MB at the cap takes about 8 s), then let the poll notice.
    await iperf(lab, 'pupil', { port: 5201, seconds: 9, down: true });
    t.ok(await until(async () => (await fw.stage.usage.list({ device: PUPIL }))[0]?.overQuota === true, 5000), 'the device is over quota');
    const usage = (await fw.stage.usage.list({ device: PUPIL }))[0];
    t.match(usage, { group: 'pupils', quota: 20e6, remaining: 0, overQuota: true });
    t.ok(usage.down > 20e6, 'bytes counted in the kernel');

    const down = await run('pupil', 5201, true);
    t.ok(within(down.bps, OVER, 0.15), `download ${mbit(down.bps)} at an over-quota rate of ${mbit(OVER)}`);
    const up = await run('pupil', 5201, false);
    t.ok(within(up.bps, OVER, 0.15), `upload ${mbit(up.bps)} at an over-quota rate of ${mbit(OVER)}`);
    await fw.stage.usage.reset(PUPIL2, { by: 'test' });
    const other = await run('pupil2', 5202, true);
    t.ok(within(other.bps, DOWN, 0.1), `another pupil keeps the cap: ${mbit(other.bps)}`);

    t.equal((await fw.stage.usage.reset('10.10.9.9', { by: 'x' })).ok, false, 'an unknown device is an error value');
    const reset = await fw.stage.usage.reset(PUPIL, { by: 'technician', reason: 'exam revision download' });
    t.match(reset, { ok: true, usage: { overQuota: false, remaining: 20e6 } });
    const after = await run('pupil', 5201, true);
    t.ok(within(after.bps, DOWN, 0.1), `after the reset: ${mbit(after.bps)} for a cap of ${mbit(DOWN)}`);
  });

  await t.test('usage per device per day is in the store', async (t) => {
    await fw.stop();
    const opened = await openStore(fw.ctx.loaded.config.dataDir);
    if (!opened.ok) throw new Error(opened.error);
    t.teardown(() => opened.store.close());
    const stored: { device: string; up: number; down: number }[] = [];
    for await (const [, v] of opened.store.usage.iterator()) stored.push(v as { device: string; up: number; down: number });
    t.ok(stored.some((d) => d.device === PUPIL && d.down > 20e6), 'the pupil\'s day, saved');
    t.ok(stored.some((d) => d.device === '10.10.2.10' && d.down > 0), 'staff are counted too (reports), without a quota');
  });
});
