// firmware/install.sh against a debootstrap'd Debian root (trixie when the mirror has it,
// --variant=minbase, one debootstrap per machine, reused by every case below): the dry run lists
// every change and makes none; a real run (in the root, by chroot) leaves the units and config in
// place and changes nothing it did not announce; a second run changes nothing at all; a new bundle
// is an upgrade that keeps the school's config. What cannot be shown without a Pi: booting it.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, tempDir } from '../helpers/daemon.js';
import { debianRoot, diff, keepDebs, packageOwned, snapshot } from './debian-root.js';
import { ensureBuilt } from './build.js';

// Longer than the runner's per-file timeout: the comment tells the runner, setTimeout this process.
const LIMIT_MS = 20 * 60_000;
t.setTimeout(LIMIT_MS);
t.comment(`timeout=${LIMIT_MS}`);

const INSTALL = join(REPO, 'firmware', 'install.sh');
const work = tempDir('sg-install-');
t.teardown(() => {
  spawnSync('umount', [join(work.dir, 'root', 'proc')]);
  work.cleanup();
});
const root = join(work.dir, 'root');

// As a technician's shell would run it: without the test runner's NODE_OPTIONS.
const { NODE_OPTIONS: _runner, ...shellEnv } = process.env;
const install = (args: string[]) => spawnSync(INSTALL, ['--root', root, ...args], { encoding: 'utf8', timeout: 10 * 60_000, env: shellEnv });
const changes = (out: string) => out.split('\n').filter((l) => l.startsWith('+ ')).map((l) => l.slice(2));
const inRoot = (args: string[]) => spawnSync('chroot', [root, '/usr/bin/env', '-i', 'PATH=/usr/bin:/usr/sbin', ...args], { encoding: 'utf8', timeout: 120_000 });

let bundle = '';
const next = join(work.dir, 'schoolgate-0.1.1.tar.gz');
let dryLines: string[] = [];
let suite = '';

t.before(async () => {
  const r = debianRoot(root);
  suite = r.suite;
  t.comment(`Debian ${suite} minbase root${r.cached ? ' (from the cache)' : ' (debootstrapped now)'}`);
  ensureBuilt();
  const made = spawnSync(join(REPO, 'firmware', 'make-bundle.sh'), ['--no-ci', '--no-build', '--out', work.dir], { encoding: 'utf8', cwd: REPO, timeout: 10 * 60_000 });
  if (made.status !== 0) throw new Error(`make-bundle.sh: ${made.stderr.slice(-2000)}`);
  bundle = made.stdout.trim().split('\n').at(-1) ?? '';
});

t.test('--dry-run on a fresh root lists every change and makes none', async (t) => {
  const before = snapshot(root);
  const r = install(['--dry-run', '--bundle', bundle]);
  t.equal(r.status, 0, r.stderr);
  dryLines = changes(r.stdout);
  const want: [string, RegExp][] = [
    ['packages', /^install Debian packages: .*\bnodejs\b.*\bnftables\b.*\btcpdump\b.*\biproute2\b.*\bconntrack\b.*\bdnsmasq\b/],
    ['user', /^create system user and group schoolgate/],
    ['bundle', /^install the release bundle 0\.1\.0 .* to \/opt\/schoolgate$/],
    ['CLI', /^write \/usr\/local\/bin\/schoolgate \(new/],
    ['unit', /^write \/etc\/systemd\/system\/schoolgate\.service \(new/],
    ['enabled', /^link \/etc\/systemd\/system\/multi-user\.target\.wants\/schoolgate\.service -> \/etc\/systemd\/system\/schoolgate\.service/],
    ['LED drop-in', /^write \/etc\/systemd\/system\/schoolgate\.service\.d\/leds\.conf/],
    ['sysctl', /^write \/etc\/sysctl\.d\/90-schoolgate\.conf/],
    ['conntrack accounting', /^write \/etc\/modprobe\.d\/schoolgate-conntrack\.conf/],
    ['WAN keyfile', /^write \/etc\/NetworkManager\/system-connections\/schoolgate-wan\.nmconnection/],
    ['LAN keyfile', /^write \/etc\/NetworkManager\/system-connections\/schoolgate-lan-eth1\.nmconnection/],
    ['dnsmasq', /^write \/etc\/dnsmasq\.d\/schoolgate\.conf/],
    ['config.txt', /^write \/boot\/firmware\/config\.txt \(changed/],
    ['udev', /^write \/etc\/udev\/rules\.d\/90-schoolgate-leds\.rules/],
    ['LED triggers', /^write \/etc\/modules-load\.d\/schoolgate-leds\.conf/],
    ['dataDir', /^create directory \/var\/lib\/schoolgate /],
    ['/etc/schoolgate', /^link \/etc\/schoolgate -> \/var\/lib\/schoolgate\/config/],
    ['school lists', /^write \/var\/lib\/schoolgate\/config\/school-deny\.txt/],
    ['config', /^write \/var\/lib\/schoolgate\/config\/schoolgate\.yaml \(new/],
  ];
  for (const [name, re] of want) t.ok(dryLines.some((l) => re.test(l)), `lists ${name}`);
  t.match(r.stdout, new RegExp(`${dryLines.length} change\\(s\\) \\(dry run: none made\\)`));
  t.same(diff(before, snapshot(root)), { added: [], changed: [], removed: [] }, 'nothing in the root changed');
});

// Package maintainer scripts change more than their packages' files (users, alternatives,
// certificates, enabled units, caches); those belong to "install Debian packages".
const PACKAGE_SIDE_EFFECTS = [
  /^\/var\/(lib\/(dpkg|apt|ucf|systemd|misc)|cache|log)(\/|$)/, /^\/etc\/(alternatives|ssl|ca-certificates|systemd\/system\/[^/]+\.wants\/dnsmasq)/,
  /^\/etc\/(passwd|group|shadow|gshadow)-?$/, /^\/etc\/(ld\.so\.cache|ca-certificates\.conf|subuid|subgid)$/, /^\/usr\/(share|lib)\/.*\.(pyc|cache)$/,
  /^\/etc\/systemd\/system\/(timers\.target\.wants|sockets\.target\.wants)(\/|$)/, /^\/usr\/sbin\/policy-rc\.d$/, /^\/usr\/local\/share\/ca-certificates$/,
  /^\/etc\/dnsmasq\.d$/, /^\/etc\/dhcp(\/|$)/, /^\/root\/\.npm/, /^\/etc\/rc[\dS]\.d\//, /^\/etc\/apparmor\.d\/local/,
  /^\/etc\/(hosts|networks)$/,
];

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

t.test('a real run in the root installs units, config and the appliance', async (t) => {
  const before = snapshot(root);
  const r = install(['--bundle', bundle]);
  t.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  t.match(r.stdout, /: ok \(gateway, 3 groups, 5 lists\)/, 'the starting config passed check-config in the root');
  keepDebs(root, suite);
  t.same(changes(r.stdout), dryLines, 'the real run made exactly the changes the dry run listed');

  // Every file it touched was announced (apart from what the packages' own scripts did).
  const owned = packageOwned(root);
  const announced = dryLines.flatMap((l) => l.match(/\/[\w./@+-]+/g) ?? []);
  const d = diff(before, snapshot(root));
  const surprising = [...d.added, ...d.changed, ...d.removed].filter((p) => {
    const usr = p.replace(/^\/usr(?=\/(bin|sbin|lib)\b)/, '');
    if (owned.has(p) || owned.has(usr) || PACKAGE_SIDE_EFFECTS.some((re) => re.test(p))) return false;
    const entry = lstatOrUndefined(join(root, p));
    if (entry?.isSymbolicLink() && readlinkSync(join(root, p)).startsWith('/etc/alternatives/')) return false; // update-alternatives
    const isDir = entry?.isDirectory() ?? false;
    if (isDir && !d.added.includes(p)) return false; // a folder whose entries changed
    return !announced.some((a) => a === p || a.startsWith(`${p}/`) || p.startsWith(`${a}/`));
  });
  t.same(surprising, [], 'no change that the dry run did not list');

  const unit = join(root, 'etc/systemd/system/schoolgate.service');
  t.equal(readFileSync(unit, 'utf8'), readFileSync(join(REPO, 'systemd/schoolgate.service'), 'utf8'), 'the unit as in systemd/');
  t.equal(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/schoolgate.service')), '/etc/systemd/system/schoolgate.service', 'enabled');
  t.ok(existsSync(join(root, 'bin/kill')), 'ExecReload\'s kill is there (procps)');

  const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
  const sg = /^schoolgate:x:(\d+):(\d+):[^:]*:\/var\/lib\/schoolgate:\/usr\/sbin\/nologin$/m.exec(passwd);
  t.ok(sg, 'schoolgate is a system user without a login');
  const data = statSync(join(root, 'var/lib/schoolgate/config'));
  t.equal(data.uid, Number(sg?.[1]), 'the config folder belongs to the service user');
  t.equal(data.mode & 0o777, 0o750);
  const conf = readFileSync(join(root, 'var/lib/schoolgate/config/schoolgate.yaml'), 'utf8');
  for (const re of [/^mode: gateway$/m, /^ {2}wan: eth0$/m, /^ {2}lan: \[eth1\]$/m, /^ {2}listen: \["10\.10\.0\.1:53"\]$/m, /^ {4}address: 10\.10\.0\.1$/m, /^ {2}backend: sysfs$/m]) t.match(conf, re);
  t.match(conf, /# Category list sources/, 'the documentation came along');

  // The CLI wrapper: as root it runs the CLI as the service user, through /etc/schoolgate.
  const check = inRoot(['/usr/local/bin/schoolgate', 'check-config', '/etc/schoolgate/schoolgate.yaml']);
  t.equal(check.status, 0, check.stderr);
  t.match(check.stdout, /ok \(gateway/);

  const nm = join(root, 'etc/NetworkManager/system-connections/schoolgate-lan-eth1.nmconnection');
  t.equal(statSync(nm).mode & 0o777, 0o600, 'NetworkManager only reads keyfiles private to root');
  t.match(readFileSync(nm, 'utf8'), /\[ipv4\]\nmethod=manual\naddress1=10\.10\.0\.1\/24\nnever-default=true/);
  const dnsmasq = join(root, 'etc/dnsmasq.d/schoolgate.conf');
  const test = spawnSync('dnsmasq', ['--test', `--conf-file=${dnsmasq}`], { encoding: 'utf8' });
  t.equal(test.status, 0, `dnsmasq --test: ${test.stderr}`);
  t.match(readFileSync(dnsmasq, 'utf8'), /^port=0$/m);
  t.match(readFileSync(dnsmasq, 'utf8'), /^dhcp-option=tag:lan0,114,"http:\/\/10\.10\.0\.1\/captive-portal\/api"$/m);
  t.match(readFileSync(join(root, 'etc/sysctl.d/90-schoolgate.conf'), 'utf8'), /net\.ipv4\.ip_forward = 1[\s\S]*rp_filter = 1/);
  t.match(readFileSync(join(root, 'etc/modprobe.d/schoolgate-conntrack.conf'), 'utf8'), /^options nf_conntrack acct=1$/m);
  const cfgTxt = readFileSync(join(root, 'boot/firmware/config.txt'), 'utf8');
  t.match(cfgTxt, /^dtparam=audio=on$/m, 'config.txt keeps its own lines');
  t.match(cfgTxt, /# >>> schoolgate LEDs\n[\s\S]*dtoverlay=gpio-led,gpio=17,label=schoolgate-power,trigger=none[\s\S]*# <<< schoolgate LEDs\n$/);
  t.notOk(existsSync(join(root, 'usr/sbin/policy-rc.d')), 'the chroot guard is gone again');
  const node = inRoot(['node', '-p', 'process.versions.node']);
  t.comment(`${suite}'s Node: ${node.stdout.trim()}`);
});

t.test('a second run changes nothing', async (t) => {
  const before = snapshot(root);
  const r = install(['--bundle', bundle]);
  t.equal(r.status, 0, r.stderr);
  t.same(changes(r.stdout), [], 'no change listed');
  t.match(r.stdout, /install\.sh: nothing to change/);
  t.same(diff(before, snapshot(root)), { added: [], changed: [], removed: [] }, 'no file touched');
  const dry = install(['--dry-run', '--bundle', bundle]);
  t.match(dry.stdout, /nothing to change/, 'and the dry run agrees');
});

t.test('a new bundle is an upgrade: code replaced, the old kept, the school\'s config untouched', async (t) => {
  const conf = join(root, 'var/lib/schoolgate/config/schoolgate.yaml');
  writeFileSync(conf, readFileSync(conf, 'utf8').replace('school: "Example Academy"', 'school: "Our Own School"'));
  // The same code as version 0.1.1: the installed tree, hard-linked, with another BUNDLE file.
  const repacked = join(work.dir, 'repack');
  mkdirSync(repacked);
  execFileSync('cp', ['-al', join(root, 'opt/schoolgate'), join(repacked, 'schoolgate')]);
  const info = join(repacked, 'schoolgate', 'BUNDLE');
  const text = readFileSync(info, 'utf8').replace(/^version=.*$/m, 'version=0.1.1');
  execFileSync('rm', [info, join(repacked, 'schoolgate', '.bundle-sha256')]);
  writeFileSync(info, text);
  execFileSync('tar', ['-C', repacked, '-czf', next, 'schoolgate']);
  const r = install(['--bundle', next]);
  t.equal(r.status, 0, r.stderr);
  const lines = changes(r.stdout);
  t.equal(lines.length, 1, lines.join('\n'));
  t.match(lines[0], /^install the release bundle 0\.1\.1 .* to \/opt\/schoolgate \(replacing 0\.1\.0; the old one is kept as \/opt\/schoolgate\.previous\)$/);
  t.match(readFileSync(join(root, 'opt/schoolgate/BUNDLE'), 'utf8'), /version=0\.1\.1/);
  t.match(readFileSync(join(root, 'opt/schoolgate.previous/BUNDLE'), 'utf8'), /version=0\.1\.0/);
  t.match(readFileSync(conf, 'utf8'), /Our Own School/, 'config kept');
  t.equal(statSync(join(root, 'opt/schoolgate/dist/cli.js')).uid, 0, 'the code belongs to root');
});

t.test('VLANs with IPv6: keyfiles per VLAN, RA and DHCPv6 portal option', async (t) => {
  const r = install(['--bundle', next, '--lan', 'eth0.10=10.10.1.1/24,fd00:5347:1::1/64', '--lan', 'eth0.20=172.16.0.1/16', '--wan', 'eth1']);
  t.equal(r.status, 0, r.stderr);
  const vlan = readFileSync(join(root, 'etc/NetworkManager/system-connections/schoolgate-lan-eth0.10.nmconnection'), 'utf8');
  t.match(vlan, /type=vlan\ninterface-name=eth0\.10[\s\S]*\[vlan\]\nparent=eth0\nid=10/);
  t.match(vlan, /\[ipv6\]\nmethod=manual\naddress1=fd00:5347:1::1\/64/);
  const conf = readFileSync(join(root, 'etc/dnsmasq.d/schoolgate.conf'), 'utf8');
  t.match(conf, /^dhcp-range=set:lan0,10\.10\.1\.100,10\.10\.1\.250,255\.255\.255\.0,12h$/m);
  t.match(conf, /^dhcp-range=set:lan1,172\.16\.1\.0,172\.16\.255\.254,255\.255\.0\.0,12h$/m, 'a /16 pool past the first 256 addresses');
  t.match(conf, /^enable-ra$/m);
  t.match(conf, /^dhcp-option=tag:lan0v6,option6:103,"http:\/\/\[fd00:5347:1::1\]\/captive-portal\/api"$/m);
  const test = spawnSync('dnsmasq', ['--test', `--conf-file=${join(root, 'etc/dnsmasq.d/schoolgate.conf')}`], { encoding: 'utf8' });
  t.equal(test.status, 0, test.stderr);
  t.match(r.stdout, /kept the existing/, 'the config is not rewritten for the new network');
});
