// BCM pin → sysfs GPIO number. The 40-pin header's controller is one gpiochip among several, and
// its base moved: Pi 4 `pinctrl-bcm2711` is base 0 on older kernels and 512 since 6.6; Pi 5's
// header sits on the RP1 south bridge, `pinctrl-rp1`, base 571 (next to four brcmstb chips). So we
// read each /sys/class/gpio/gpiochip*/{label,base,ngpio} and add the base: one config, every Pi.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedName } from '../daemon/index.js';
import { LEDS } from './led-names.js';
import type { LedFailure } from './led-backend.js';
import { fileError } from './led-backend.js';

export interface GpioChip {
  name: string;
  label: string;
  base: number;
  ngpio: number;
}

/** Header controllers, most specific first (a Pi 5 also lists brcmstb chips: not the header). */
export const HEADER_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2712', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

export type ChipsResult = { ok: true; chips: GpioChip[] } | LedFailure;
export type PinMap = { ok: true; chip: GpioChip; numbers: Record<LedName, number> } | LedFailure;

export async function readGpioChips(sysfsRoot: string): Promise<ChipsResult> {
  const dir = join(sysfsRoot, 'class', 'gpio');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^gpiochip\d+$/.test(n));
  } catch (err) {
    return fileError(dir, err, (err as NodeJS.ErrnoException).code === 'ENOENT' ? ' — no sysfs GPIO here (not a Raspberry Pi, or a kernel without CONFIG_GPIO_SYSFS: use the sysfs LED backend, firmware/leds.md)' : '');
  }
  const chips: GpioChip[] = [];
  for (const name of names) {
    const read = (f: string) => readFile(join(dir, name, f), 'utf8').then((s) => s.trim());
    try {
      const [label, base, ngpio] = await Promise.all([read('label'), read('base'), read('ngpio')]);
      if (Number.isInteger(Number(base)) && Number.isInteger(Number(ngpio))) chips.push({ name, label, base: Number(base), ngpio: Number(ngpio) });
    } catch (err) {
      const r = fileError(join(dir, name), err);
      if (r.code === 'SG_LED_ACCESS') return r;
      // a chip without the usual attributes is not the header's: skip it
    }
  }
  return { ok: true, chips };
}

export function headerChip(chips: readonly GpioChip[]): GpioChip | undefined {
  for (const label of HEADER_LABELS) {
    const found = chips.find((c) => c.label === label);
    if (found) return found;
  }
  return undefined;
}

/** The sysfs GPIO numbers of the LED pins, or why they cannot be had. */
export async function mapPins(sysfsRoot: string, pins: Record<LedName, number>): Promise<PinMap> {
  const read = await readGpioChips(sysfsRoot);
  if (!read.ok) return read;
  const chip = headerChip(read.chips);
  if (!chip) {
    const seen = read.chips.map((c) => `${c.name} "${c.label}"`).join(', ') || 'none';
    return { ok: false, code: 'SG_LED_MISSING', message: `no Raspberry Pi header GPIO controller (${HEADER_LABELS.join(', ')}) under ${join(sysfsRoot, 'class', 'gpio')}; chips seen: ${seen}` };
  }
  const numbers = {} as Record<LedName, number>;
  for (const led of LEDS) {
    if (pins[led] >= chip.ngpio) return { ok: false, code: 'SG_LED_CONFIG', message: `leds.pins.${led}: BCM ${pins[led]} is beyond ${chip.label}'s ${chip.ngpio} lines` };
    numbers[led] = chip.base + pins[led];
  }
  const used = new Set(Object.values(numbers));
  if (used.size !== LEDS.length) return { ok: false, code: 'SG_LED_CONFIG', message: 'leds.pins: two LEDs share a pin' };
  return { ok: true, chip, numbers };
}
