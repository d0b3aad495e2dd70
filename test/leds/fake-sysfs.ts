// Fake sysfs trees in a temp folder, shaped like the kernel's: the OS boundary the LED backends
// talk to. Only the files the kernel would have exist; writing them is all the "kernel" does.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/daemon.js';

export interface FakeChip {
  label: string;
  base: number;
  ngpio: number;
}

export const PI4_OLD: FakeChip[] = [
  { label: 'pinctrl-bcm2711', base: 0, ngpio: 58 },
  { label: 'raspberrypi-exp-gpio', base: 504, ngpio: 8 },
];
export const PI4_NEW: FakeChip[] = [
  { label: 'pinctrl-bcm2711', base: 512, ngpio: 58 },
  { label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 },
];
// Pi 5 (kernel 6.6+): four brcmstb chips come first; the header is on RP1.
export const PI5: FakeChip[] = [
  { label: 'gpio-brcmstb@107d508500', base: 512, ngpio: 32 },
  { label: 'gpio-brcmstb@107d508520', base: 544, ngpio: 4 },
  { label: 'gpio-brcmstb@107d517c00', base: 548, ngpio: 17 },
  { label: 'gpio-brcmstb@107d517c20', base: 565, ngpio: 6 },
  { label: 'pinctrl-rp1', base: 571, ngpio: 54 },
];

/** root/class/gpio with the chips, and the given GPIOs already exported (as udev or a previous run left them). */
export function fakeGpioTree(root: string, chips: FakeChip[], exported: number[] = []): void {
  const dir = join(root, 'class', 'gpio');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'export'), '');
  writeFileSync(join(dir, 'unexport'), '');
  for (const c of chips) {
    const chip = join(dir, `gpiochip${c.base}`);
    mkdirSync(chip, { recursive: true });
    writeFileSync(join(chip, 'label'), `${c.label}\n`);
    writeFileSync(join(chip, 'base'), `${c.base}\n`);
    writeFileSync(join(chip, 'ngpio'), `${c.ngpio}\n`);
  }
  for (const n of exported) {
    const g = join(dir, `gpio${n}`);
    mkdirSync(g, { recursive: true });
    writeFileSync(join(g, 'direction'), 'in\n');
    writeFileSync(join(g, 'value'), '0\n');
    writeFileSync(join(g, 'active_low'), '0\n');
    writeFileSync(join(g, 'edge'), 'none\n');
  }
}

export const ALL_TRIGGERS = 'none kbd-scrolllock kbd-numlock timer oneshot heartbeat backlight gpio cpu default-on transient pattern mmc0';

/** root/class/leds/<name> for each name, as the gpio-leds driver makes them. */
export function fakeLedTree(root: string, names: string[], triggers = ALL_TRIGGERS, maxBrightness = 1): void {
  for (const name of names) {
    const dir = join(root, 'class', 'leds', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'brightness'), '0\n');
    writeFileSync(join(dir, 'max_brightness'), `${maxBrightness}\n`);
    writeFileSync(join(dir, 'trigger'), triggers.replace(/^none/, '[none]'));
  }
}

export function attr(root: string, ...path: string[]): string {
  try {
    return readFileSync(join(root, ...path), 'utf8').trim();
  } catch {
    return '<missing>';
  }
}

export function readOnly(root: string, ...path: string[]): void {
  chmodSync(join(root, ...path), 0o444);
}

/** A dns-only daemon config around a `leds:` value (the daemon tests of each backend). */
export const ledDaemonYaml = (dir: string, leds: string) => `
mode: dns-only
dataDir: ${dir}/data
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"] }
lists:
  - { name: deny, format: domains, category: school-deny, source: ${REPO}firmware/lists/school-deny.txt }
groups:
  - { name: everyone, default: true, block: [school-deny] }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
leds: ${leds}
`;
