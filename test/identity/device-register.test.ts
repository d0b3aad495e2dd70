import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffRegister, parseRegister, parseIpNeigh, parseLeases, parseProcArp, IdentityService, compileGroupMatcher } from '../../src/identity/index.js';
import type { CompiledGroup } from '../../src/policy/index.js';
import { CLI, REPO, tempDir } from '../helpers/daemon.js';

const GROUPS = new Set(['pupils', 'staff', 'guests']);

t.test('register CSV: all or nothing, errors name the line', async (t) => {
  const good = 'mac,user,group,class,expires\nB8:27:EB:00:00:01,Sam Jones,pupils,7B,2027-07-20\n"b8-27-eb-00-00-02","Jones, Ann",staff,,\n# comment\n\n';
  const r = parseRegister(good, GROUPS);
  t.ok(r.ok);
  if (r.ok) t.same(r.devices, [
    { mac: 'b8:27:eb:00:00:01', user: 'Sam Jones', group: 'pupils', class: '7B', expires: '2027-07-20' },
    { mac: 'b8:27:eb:00:00:02', user: 'Jones, Ann', group: 'staff', class: undefined, expires: undefined },
  ]);
  const cases: [string, string, RegExp][] = [
    ['bad MAC', 'mac,user,group\nnot-a-mac,Sam,pupils\n', /^2: "not-a-mac" is not a MAC/],
    ['unknown group', 'mac,user,group\nb8:27:eb:00:00:01,Sam,year7\n', /^2: unknown group "year7"/],
    ['duplicate MAC', 'mac,user,group\nb8:27:eb:00:00:01,Sam,pupils\nB8:27:EB:00:00:01,Ann,staff\n', /^3: MAC B8:27:EB:00:00:01 is already on line 2/],
    ['wrong field count', 'mac,user,group\nb8:27:eb:00:00:01,Sam\n', /^2: expected 3 fields, found 2/],
    ['bad date', 'mac,user,group,expires\nb8:27:eb:00:00:01,Sam,pupils,31/07/2027\n', /^2: "31\/07\/2027" is not a date/],
    ['broken quotes', 'mac,user,group\nb8:27:eb:00:00:01,"Sam,pupils\n', /^2: unbalanced quotes/],
    ['bad header', 'address,name\n', /^1: the header must name the columns/],
    ['unknown column', 'mac,user,group,shoe\n', /^1: unknown column "shoe"/],
  ];
  for (const [name, text, want] of cases) {
    const p = parseRegister(text, GROUPS);
    t.notOk(p.ok, name);
    if (!p.ok) t.match(`${p.errors[0].line}: ${p.errors[0].message}`, want, name);
  }
  t.same(diffRegister([{ mac: 'a', user: 'x', group: 'pupils' }, { mac: 'b', user: 'y', group: 'pupils' }], [{ mac: 'a', user: 'x', group: 'staff' }, { mac: 'c', user: 'z', group: 'pupils' }]), { added: 1, changed: 1, removed: 1 });
});

t.test('identity: register beats subnets; expiry by local date', async (t) => {
  const groups = ['pupils', 'staff', 'guests'].map((name) => ({ name }) as CompiledGroup);
  const matcher = compileGroupMatcher([
    { match: { subnets: ['10.10.1.0/24'], ranges: [], macs: [] } },
    { match: { subnets: ['10.10.2.0/24'], ranges: [], macs: [] } },
    { match: { subnets: [], ranges: [], macs: [] }, default: true },
  ]);
  const register = new Map([['b8:27:eb:00:00:01', { mac: 'b8:27:eb:00:00:01', user: 'Ms Teacher', group: 'staff', expires: '2026-11-30' }]]);
  let now = Date.parse('2026-11-30T12:00:00Z');
  const macs: Record<string, string> = { '10.10.1.5': 'b8:27:eb:00:00:01' };
  const id = new IdentityService(() => ({ matcher, groups, register, bindings: new Map(), portalGroups: new Set(['guests']) }), { macOf: (ip) => macs[ip], hostnameOf: () => 'laptop-17', generation: 0 }, () => now);
  t.match(id.identify('10.10.1.5'), { user: 'Ms Teacher', group: { name: 'staff' }, hostname: 'laptop-17' });
  t.match(id.identify('10.10.1.6'), { user: undefined, group: { name: 'pupils' } });
  now = Date.parse('2026-12-01T00:00:01Z');
  t.match(id.identify('10.10.1.5'), { user: undefined, group: { name: 'pupils' } }, 'expired the next day');
});

t.test('neighbour table and lease parsers', async (t) => {
  t.same([...parseProcArp('IP address       HW type     Flags       HW address            Mask     Device\n10.10.1.5        0x1         0x2         B8:27:EB:00:00:01     *        eth1\n10.10.1.6        0x1         0x0         00:00:00:00:00:00     *        eth1\n')], [['10.10.1.5', 'b8:27:eb:00:00:01']]);
  t.same([...parseIpNeigh('fd00::5 dev eth1 lladdr b8:27:eb:00:00:01 REACHABLE\nfd00::6 dev eth1 FAILED\n')], [['fd00::5', 'b8:27:eb:00:00:01']]);
  const l = parseLeases('1764000000 b8:27:eb:00:00:01 10.10.1.5 laptop-17 01:b8:27:eb:00:00:01\n1764000000 b8:27:eb:00:00:02 10.10.1.6 * *\n');
  t.same([...l.byMac], [['b8:27:eb:00:00:01', 'laptop-17']]);
});

t.test('schoolgate devices import: a bad line changes nothing and names the line', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const cfg = join(d.dir, 'sg.yaml');
  writeFileSync(cfg, `dataDir: ${d.dir}/data\nlists: [{ name: deny, format: domains, category: deny, source: ${REPO}/firmware/lists/school-deny.txt }]\ngroups:\n  - { name: pupils, match: { subnets: ["10.10.1.0/24"] } }\n  - { name: staff, default: true }\n`);
  const good = join(d.dir, 'good.csv');
  const bad = join(d.dir, 'bad.csv');
  writeFileSync(good, 'mac,user,group\nb8:27:eb:00:00:01,Sam,pupils\nb8:27:eb:00:00:02,Ann,staff\n');
  writeFileSync(bad, 'mac,user,group\nb8:27:eb:00:00:03,Lee,pupils\nzz,Bob,staff\n');
  const run = (file: string) => spawnSync(process.execPath, ['--import', 'tsx', CLI, 'devices', 'import', file, '--config', cfg], { encoding: 'utf8', cwd: REPO });
  const ok = run(good);
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /2 devices registered: 2 added, 0 changed, 0 removed/);
  const no = run(bad);
  t.equal(no.status, 1);
  t.match(no.stderr, new RegExp(`^${bad.replace(/[/.]/g, '\\$&')}:3: "zz" is not a MAC address`, 'm'));
  const again = run(good);
  t.match(again.stdout, /0 added, 0 changed, 0 removed/, 'the bad file changed nothing');
});
