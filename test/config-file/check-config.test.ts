// check-config catches each error class with FILE:LINE:COL, through the real CLI.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO, tempDir } from '../helpers/daemon.js';

const SAMPLE = `${REPO}/firmware/lists/ut1-sample/blacklists`;

const BASE = `mode: dns-only
dataDir: /tmp/sg-never-written
lists:
  - { name: ut1, format: ut1, source: ${SAMPLE} }
schedules:
  lunch: [{ days: [mon, tue], from: "12:15", to: "13:15" }]
groups:
  - name: pupils
    match: { subnets: ["10.10.1.0/24"] }
    block: [gambling, games]
    allowDuring: { games: [lunch] }
  - name: guests
    default: true
`;

function check(yaml: string): { code: number | null; out: string; err: string; file: string } {
  const d = tempDir();
  const file = join(d.dir, 'schoolgate.yaml');
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'check-config', file], { encoding: 'utf8', cwd: REPO });
  d.cleanup();
  return { code: r.status, out: r.stdout, err: r.stderr, file };
}

t.test('a good config passes', async (t) => {
  const r = check(BASE);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /ok \(dns-only, 2 groups, 1 lists\)/);
});

const cases: { name: string; yaml: string; want: RegExp }[] = [
  { name: 'unknown top-level key', yaml: `${BASE}colour: blue\n`, want: /:14:1: unknown key "colour"/ },
  { name: 'misspelt key with a hint', yaml: BASE.replace('timezone', 'x').replace('mode:', 'mdoe:'), want: /:1:1: unknown key "mdoe" \(did you mean "mode"\?\)/ },
  { name: 'unknown nested key', yaml: BASE.replace('block: [gambling, games]', 'blok: [gambling]'), want: /:10:5: unknown key "blok" \(did you mean "block"\?\)/ },
  { name: 'wrong type', yaml: BASE.replace('mode: dns-only', 'mode: 12'), want: /:1:7: 12 is not one of: gateway, dns-only/ },
  { name: 'wrong type (list expected)', yaml: BASE.replace('block: [gambling, games]', 'block: gambling'), want: /:10:12: expected a list, got "gambling"/ },
  { name: 'unknown category in a group', yaml: BASE.replace('block: [gambling, games]', 'block: [gambling, gamez]'), want: /:10:23: unknown category "gamez": no list provides it/ },
  { name: 'unknown category as allowDuring key', yaml: BASE.replace('allowDuring: { games: [lunch] }', 'allowDuring: { gamez: [lunch] }'), want: /:11:20: unknown category "gamez"/ },
  { name: 'unknown schedule', yaml: BASE.replace('games: [lunch]', 'games: [brunch]'), want: /:11:28: unknown schedule "brunch"/ },
  { name: 'bad CIDR (host bits)', yaml: BASE.replace('10.10.1.0/24', '10.10.1.5/24'), want: /:9:24: "10.10.1.5\/24" is not an IP network/ },
  { name: 'bad CIDR (syntax)', yaml: BASE.replace('10.10.1.0/24', '10.10.1.0/33'), want: /:9:24: "10.10.1.0\/33" is not an IP network/ },
  { name: 'bad time', yaml: BASE.replace('"13:15"', '"25:00"'), want: /:6:50: "25:00" is not a time of day/ },
  {
    name: 'overlapping subnets',
    yaml: BASE.replace('  - name: guests\n', '  - name: staff\n    match: { subnets: ["10.10.0.0/16"] }\n  - name: guests\n'),
    want: /:13:24: 10\.10\.0\.0\/16 overlaps 10\.10\.1\.0\/24 of group "pupils"/,
  },
  { name: 'no default group', yaml: BASE.replace('    default: true\n', ''), want: /:8:3: no group has "default: true"/ },
  { name: 'bad timezone', yaml: `timezone: Mars/Olympus\n${BASE}`, want: /:1:11: "Mars\/Olympus" is not an IANA time zone/ },
  { name: 'YAML syntax error', yaml: `${BASE}groups: [\n`, want: /:\d+:\d+: / },
  { name: 'duplicate key', yaml: `mode: dns-only\n${BASE}`, want: /:2:1: Map keys must be unique/ },
  { name: 'blockpage needs an address', yaml: BASE.replace('mode: dns-only\n', 'mode: dns-only\ndns: { blocking: { answer: blockpage } }\n'), want: /:2:18: answer "blockpage" needs "address"/ },
  { name: 'locked category cannot be an allow list', yaml: BASE.replace('lists:', 'locked: [gambling]\nlists:').replace('    default: true\n', '    default: true\n    allow: [gambling]\n'), want: /:15:13: "gambling" is locked: it cannot be an allow list/ },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const r = check(c.yaml);
    t.equal(r.code, 1, 'exit 1');
    t.match(r.err, new RegExp(`^${r.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}${c.want.source}`, 'm'), r.err);
  });
}

t.test('every error is reported, not just the first', async (t) => {
  const r = check(BASE.replace('mode: dns-only', 'mode: gate').replace('"13:15"', '"13:75"'));
  t.equal(r.code, 1);
  t.equal(r.err.trim().split('\n').length, 2, r.err);
});

t.test('a missing file is a clear error', async (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'check-config', '/nonexistent/sg.yaml'], { encoding: 'utf8' });
  t.equal(r.status, 1);
  t.match(r.stderr, /^\/nonexistent\/sg\.yaml:1:1: no such file/);
});
