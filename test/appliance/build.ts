// The compiled daemon (dist/), as install.sh ships it. Tests that trace or install the real
// program build it first when dist/ is missing or older than src/ or build/ (the bundler and the
// API validators it generates).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/daemon.js';

export const DIST_CLI = join(REPO, 'dist', 'cli.js');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function ensureBuilt(): void {
  if (existsSync(DIST_CLI) && statSync(DIST_CLI).mtimeMs >= Math.max(newest(join(REPO, 'src')), newest(join(REPO, 'build')))) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
}
