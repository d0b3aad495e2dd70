import t from 'tap';
import type { Test } from 'tap';
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { KernelDeviceDirectory } from '../../src/identity/index.js';
import { silentLogger } from '../../src/log.js';
import { tempDir } from '../helpers/daemon.js';

const ARP_HEAD = 'IP address       HW type     Flags       HW address            Mask     Device\n';
const arpLine = (ip: string, mac: string) => `${ip}        0x1         0x2         ${mac}     *        eth1\n`;

/** A /proc folder and an `ip` that counts its runs (each one is a fork of the daemon). */
function fakeKernel(t: Test) {
  const d = tempDir();
  t.teardown(d.cleanup);
  mkdirSync(join(d.dir, 'proc', 'net'), { recursive: true });
  const arp = (text: string) => writeFileSync(join(d.dir, 'proc', 'net', 'arp'), ARP_HEAD + text);
  arp(arpLine('10.10.1.5', 'b8:27:eb:00:00:05'));
  const runs = join(d.dir, 'ip-runs');
  const ip = join(d.dir, 'ip');
  writeFileSync(ip, `#!/bin/sh\necho run >> ${runs}\necho "fd00::6 dev eth1 lladdr b8:27:eb:00:00:06 REACHABLE"\n`);
  chmodSync(ip, 0o755);
  return { procRoot: join(d.dir, 'proc'), ip, arp, ipRuns: () => (existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0) };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

t.test('unknown clients: IPv4 is a file read, ip -6 runs only for IPv6 clients, loopback and repeats ask nothing', async (t) => {
  const k = fakeKernel(t);
  const dir = new KernelDeviceDirectory({ neighbours: true, procRoot: k.procRoot, ipCommand: k.ip, log: silentLogger(), refreshMs: 60_000 });
  await dir.start();
  t.teardown(() => dir.stop());
  t.equal(dir.macOf('10.10.1.5'), 'b8:27:eb:00:00:05');
  t.equal(k.ipRuns(), 0, 'no IPv6 client yet: no fork at start');

  // a new IPv4 device (a second after the last reading): recognised from the next query, with no fork
  await new Promise((r) => setTimeout(r, 1100));
  k.arp(arpLine('10.10.1.5', 'b8:27:eb:00:00:05') + arpLine('10.10.1.7', 'b8:27:eb:00:00:07'));
  t.equal(dir.macOf('10.10.1.7'), undefined);
  await settle();
  t.equal(dir.macOf('10.10.1.7'), 'b8:27:eb:00:00:07');
  t.equal(k.ipRuns(), 0);

  // loopback (the appliance itself, the bench, the self-test) never asks
  for (let i = 0; i < 5; i++) dir.macOf('127.0.0.1');
  await settle();
  t.equal(k.ipRuns(), 0);

  // an IPv6 client: one ip -6 neigh, then its MAC
  await new Promise((r) => setTimeout(r, 1100));
  t.equal(dir.macOf('fd00::6'), undefined);
  await settle();
  t.equal(k.ipRuns(), 1);
  t.equal(dir.macOf('fd00::6'), 'b8:27:eb:00:00:06');

  // a client that stays unknown (routed, not on the LAN) asks once per retry period, not once a second
  await new Promise((r) => setTimeout(r, 1100));
  dir.macOf('fd00::99');
  await settle();
  t.equal(k.ipRuns(), 2);
  await new Promise((r) => setTimeout(r, 1100));
  for (let i = 0; i < 20; i++) dir.macOf('fd00::99');
  await settle();
  t.equal(k.ipRuns(), 2, 'the same unknown address does not fork again within the retry period');

  // the periodic refresh keeps reading IPv6 while IPv6 clients ask, and keeps IPv4 a file read
  await dir.refresh();
  t.equal(k.ipRuns(), 3);
  t.equal(dir.macOf('10.10.1.7'), 'b8:27:eb:00:00:07');
});

t.test('IPv4-only school: the periodic refresh never forks, and keeps IPv6 MACs it read before', async (t) => {
  const k = fakeKernel(t);
  const dir = new KernelDeviceDirectory({ neighbours: true, procRoot: k.procRoot, ipCommand: k.ip, log: silentLogger(), refreshMs: 60_000 });
  await dir.start();
  t.teardown(() => dir.stop());
  for (let i = 0; i < 3; i++) await dir.refresh();
  t.equal(k.ipRuns(), 0);
  await dir.refresh(true);
  t.equal(dir.macOf('fd00::6'), 'b8:27:eb:00:00:06');
  await dir.refresh(false);
  t.equal(dir.macOf('fd00::6'), 'b8:27:eb:00:00:06', 'a refresh without IPv6 keeps the IPv6 entries');
});
