import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { headerChip, mapPins, readGpioChips } from '../../src/leds/index.js';
import { tempDir } from '../helpers/daemon.js';
import { PI4_NEW, PI4_OLD, PI5, fakeGpioTree } from './fake-sysfs.js';
import type { FakeChip } from './fake-sysfs.js';

const PINS = { power: 17, wan: 27, filter: 22, alert: 23 };

const boards: { name: string; chips: FakeChip[]; label: string; want: Record<string, number> }[] = [
  { name: 'Pi 4, older kernel: base 0', chips: PI4_OLD, label: 'pinctrl-bcm2711', want: { power: 17, wan: 27, filter: 22, alert: 23 } },
  { name: 'Pi 4, kernel 6.6+: base 512', chips: PI4_NEW, label: 'pinctrl-bcm2711', want: { power: 529, wan: 539, filter: 534, alert: 535 } },
  { name: 'Pi 5: the header is pinctrl-rp1 at 571, not the brcmstb chips', chips: PI5, label: 'pinctrl-rp1', want: { power: 588, wan: 598, filter: 593, alert: 594 } },
  { name: 'Pi 3: pinctrl-bcm2835', chips: [{ label: 'pinctrl-bcm2835', base: 512, ngpio: 54 }], label: 'pinctrl-bcm2835', want: { power: 529, wan: 539, filter: 534, alert: 535 } },
];
for (const b of boards) {
  t.test(b.name, async (t) => {
    const d = tempDir();
    t.teardown(d.cleanup);
    fakeGpioTree(d.dir, b.chips);
    const r = await mapPins(d.dir, PINS);
    if (!r.ok) throw new Error(r.message);
    t.equal(r.chip.label, b.label);
    t.same(r.numbers, b.want);
  });
}

t.test('chips are read from their files, whatever their directory order', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  fakeGpioTree(d.dir, [...PI5].reverse());
  const r = await readGpioChips(d.dir);
  if (!r.ok) throw new Error(r.message);
  t.equal(r.chips.length, 5);
  t.equal(headerChip(r.chips)?.base, 571);
});

t.test('no sysfs GPIO at all: a clear error naming the folder and the way out', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const r = await mapPins(d.dir, PINS);
  t.match(r, { ok: false, code: 'SG_LED_MISSING' });
  if (!r.ok) {
    t.match(r.message, join(d.dir, 'class', 'gpio'));
    t.match(r.message, /sysfs LED backend/);
  }
});

t.test('GPIO chips but none of a Pi header: names what it saw', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  fakeGpioTree(d.dir, [{ label: 'gpio-mockup-A', base: 0, ngpio: 8 }]);
  const r = await mapPins(d.dir, PINS);
  t.match(r, { ok: false, code: 'SG_LED_MISSING', message: /gpio-mockup-A/ });
});

t.test('a pin beyond the controller is a config error', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  fakeGpioTree(d.dir, PI5);
  t.match(await mapPins(d.dir, { ...PINS, alert: 54 }), { ok: false, code: 'SG_LED_CONFIG', message: /leds\.pins\.alert: BCM 54/ });
  t.match(await mapPins(d.dir, { ...PINS, alert: 17 }), { ok: false, code: 'SG_LED_CONFIG', message: /share a pin/ });
});

t.test('a chip with a garbled base is skipped, not trusted', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  fakeGpioTree(d.dir, PI4_NEW);
  const bad = join(d.dir, 'class', 'gpio', 'gpiochip999');
  mkdirSync(bad);
  writeFileSync(join(bad, 'label'), 'pinctrl-rp1\n');
  writeFileSync(join(bad, 'base'), 'garbage\n');
  writeFileSync(join(bad, 'ngpio'), '54\n');
  const r = await mapPins(d.dir, PINS);
  t.match(r, { ok: true, chip: { label: 'pinctrl-bcm2711', base: 512 } });
});
