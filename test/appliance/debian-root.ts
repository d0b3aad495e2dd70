// A debootstrap'd Debian root for the install tests: one debootstrap per machine (cached as a
// tarball), unpacked fresh for each run, with a Raspberry Pi OS-like /boot/firmware/config.txt.
// The apt archives of a run are kept too, so the next run's apt-get installs from them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, copyFileSync, writeFileSync, lstatSync, readlinkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MIRROR = process.env.SG_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
export const CACHE = process.env.SG_ROOT_CACHE ?? '/var/cache/schoolgate-test';

const PI_CONFIG_TXT = `# For more options and information see
# http://rptl.io/configtxt
dtparam=audio=on
camera_auto_detect=1
display_auto_detect=1
auto_initramfs=1
dtoverlay=vc4-kms-v3d
max_framebuffers=2
disable_fw_kms_setup=1
arm_64bit=1
disable_overscan=1
arm_boost=1

[cm4]
otg_mode=1

[cm5]
dtoverlay=dwc2,dr_mode=host

[all]
`;

/** trixie when the mirror has it, else bookworm. */
function suite(): string {
  const r = spawnSync('curl', ['-sfI', '--max-time', '20', `${MIRROR}/dists/trixie/Release`]);
  return r.status === 0 ? 'trixie' : 'bookworm';
}

export function debianRoot(into: string): { suite: string; cached: boolean } {
  mkdirSync(CACHE, { recursive: true });
  const s = suite();
  const tarball = join(CACHE, `${s}-minbase.tar`);
  let cached = existsSync(tarball);
  if (!cached) {
    const base = join(CACHE, `${s}-minbase.build`);
    execFileSync('rm', ['-rf', base]);
    const r = spawnSync('debootstrap', ['--variant=minbase', s, base, MIRROR], { encoding: 'utf8', timeout: 15 * 60_000 });
    if (r.status !== 0) throw new Error(`debootstrap ${s} failed: ${r.stderr.slice(-2000)}`);
    execFileSync('tar', ['-C', base, '-cf', `${tarball}.tmp`, '.']);
    execFileSync('mv', [`${tarball}.tmp`, tarball]);
    execFileSync('rm', ['-rf', base]);
    cached = false;
  }
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-C', into, '-xf', tarball]);
  mkdirSync(join(into, 'boot', 'firmware'), { recursive: true });
  writeFileSync(join(into, 'boot', 'firmware', 'config.txt'), PI_CONFIG_TXT);
  // Debian packages of earlier runs: apt-get takes them instead of downloading again.
  const debs = join(CACHE, `${s}-debs`);
  if (existsSync(debs)) for (const f of readdirSync(debs)) copyFileSync(join(debs, f), join(into, 'var/cache/apt/archives', f));
  // and their package lists, so apt-get update only asks whether they changed
  const lists = join(CACHE, `${s}-lists.tar`);
  if (existsSync(lists)) execFileSync('tar', ['-C', join(into, 'var/lib/apt/lists'), '-xf', lists]);
  return { suite: s, cached };
}

export function keepDebs(root: string, s: string): void {
  const debs = join(CACHE, `${s}-debs`);
  mkdirSync(debs, { recursive: true });
  const dir = join(root, 'var/cache/apt/archives');
  for (const f of readdirSync(dir)) if (f.endsWith('.deb')) copyFileSync(join(dir, f), join(debs, f));
  const lists = join(CACHE, `${s}-lists.tar`);
  execFileSync('tar', ['-C', join(root, 'var/lib/apt/lists'), '--exclude=lock', '--exclude=partial', '-cf', `${lists}.tmp`, '.']);
  execFileSync('mv', [`${lists}.tmp`, lists]);
}

const SKIP = new Set(['/proc', '/sys', '/dev', '/run', '/tmp']);

/** Everything about every entry of the tree that a change would touch (ctime catches chmod/chown). */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const p = `${rel}/${name}`;
      if (SKIP.has(p)) continue;
      const s = lstatSync(join(root, p));
      const link = s.isSymbolicLink() ? readlinkSync(join(root, p)) : '';
      const kind = s.isDirectory() ? 'd' : s.isSymbolicLink() ? 'l' : 'f';
      out.set(p, `${kind}:${s.mode}:${s.uid}:${s.gid}:${kind === 'd' ? '' : s.size}:${s.mtimeMs}:${s.ctimeMs}:${link}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
}

export function diff(a: Map<string, string>, b: Map<string, string>): { added: string[]; changed: string[]; removed: string[] } {
  const added: string[] = [];
  const changed: string[] = [];
  for (const [p, v] of b) {
    const old = a.get(p);
    if (old === undefined) added.push(p);
    else if (old !== v) changed.push(p);
  }
  return { added, changed, removed: [...a.keys()].filter((p) => !b.has(p)) };
}

/** Paths that Debian packages own (dpkg's lists), for telling apt's changes from ours. */
export function packageOwned(root: string): Set<string> {
  const owned = new Set<string>();
  const info = join(root, 'var/lib/dpkg/info');
  for (const f of readdirSync(info)) {
    if (!f.endsWith('.list')) continue;
    for (const line of readFileSync(join(info, f), 'utf8').split('\n')) if (line) owned.add(line);
  }
  return owned;
}
