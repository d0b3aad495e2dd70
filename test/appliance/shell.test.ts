// firmware/*.sh: shellcheck-clean (Debian's shellcheck), and the pure parts of install.sh's
// library (address arithmetic, LAN specs, stable UUIDs) as a table.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../helpers/daemon.js';

const FIRMWARE = join(REPO, 'firmware');

t.test('shellcheck finds nothing', async (t) => {
  const files = ['install.sh', 'make-bundle.sh', 'install-lib/actions.sh', 'install-lib/system.sh', 'install-lib/network.sh'].map((f) => join(FIRMWARE, f));
  const r = spawnSync('shellcheck', ['-x', '--severity=style', ...files], { cwd: FIRMWARE, encoding: 'utf8' });
  t.equal(r.status, 0, r.stdout + r.stderr);
});

/** Runs a function of install-lib/network.sh in bash. */
const lib = (call: string) => spawnSync('bash', ['-c', `set -euo pipefail; die() { echo "die: $*"; exit 3; }; . ${join(FIRMWARE, 'install-lib/network.sh')}; ${call}`], { encoding: 'utf8' });

const ranges = [
  { name: '/24: .100 to .250', cidr: '10.10.0.1/24', want: '10.10.0.100,10.10.0.250,255.255.255.0' },
  { name: '/24 with the Pi inside the pool', cidr: '192.168.1.120/24', want: '192.168.1.121,192.168.1.250,255.255.255.0' },
  { name: '/16: everything past the first 256', cidr: '172.16.0.1/16', want: '172.16.1.0,172.16.255.254,255.255.0.0' },
  { name: '/22', cidr: '10.20.4.1/22', want: '10.20.5.0,10.20.7.254,255.255.252.0' },
  { name: '/28: the upper half', cidr: '10.0.0.1/28', want: '10.0.0.7,10.0.0.14,255.255.255.240' },
];
for (const c of ranges) {
  t.test(`DHCP pool: ${c.name}`, async (t) => {
    const r = lib(`dhcp_range ${c.cidr}`);
    t.equal(r.stdout.trim(), c.want, r.stderr);
  });
}

t.test('DHCP pool: a /31 is too small, and says so', async (t) => {
  const r = lib('dhcp_range 10.0.0.0/31');
  t.match(r.stdout, /die: .*too small/);
});

const specs = [
  { spec: 'eth1=10.10.0.1/24', ok: true },
  { spec: 'eth0.20=10.10.2.1/24,fd00:5347:2::1/64', ok: true },
  { spec: 'eth1=10.10.0.1', ok: false },
  { spec: 'eth1=10.10.0.300/24', ok: false },
  { spec: 'eth1;rm=10.10.0.1/24', ok: false },
  { spec: 'eth1=10.10.0.1/24,not-v6/64', ok: false },
];
for (const c of specs) {
  t.test(`--lan ${c.spec}: ${c.ok ? 'accepted' : 'refused'}`, async (t) => {
    const r = lib(`valid_lan '${c.spec}' && echo fine`);
    if (c.ok) t.equal(r.stdout.trim(), 'fine', r.stdout + r.stderr);
    else t.match(r.stdout, /^die: --lan/);
  });
}

t.test('NetworkManager UUIDs are stable and well-formed', async (t) => {
  const a = lib('uuid_for wan').stdout.trim();
  t.equal(lib('uuid_for wan').stdout.trim(), a);
  t.not(lib('uuid_for lan-eth1').stdout.trim(), a);
  t.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
});
