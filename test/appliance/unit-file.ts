// Reads systemd/schoolgate.service the way the tests need it: directives by name, the privilege
// model as setpriv(1) arguments, and the syscall filter expanded from systemd's own group lists.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../helpers/daemon.js';

export const UNIT_PATH = join(REPO, 'systemd', 'schoolgate.service');

/** Every value of every directive, in file order (systemd allows repeats, e.g. SystemCallFilter). */
export function readUnit(path = UNIT_PATH): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq).trim();
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return out;
}

const capNames = (v: string[] | undefined) => (v ?? []).join(' ').split(/\s+/).filter(Boolean).map((c) => c.replace(/^CAP_/, '').toLowerCase());

/**
 * setpriv(1) arguments reproducing what systemd does before exec'ing ExecStart: drop to a
 * non-root user, keep only the ambient (and inheritable) capabilities, cap the bounding set,
 * set no_new_privs. `user` stands in for the unit's User= (which need not exist on the host).
 */
export function setprivArgs(unit: Map<string, string[]>, user: string, group: string, ambient = true): string[] {
  const amb = capNames(unit.get('AmbientCapabilities'));
  const bounding = capNames(unit.get('CapabilityBoundingSet'));
  const list = (caps: string[]) => ['-all', ...caps.map((c) => `+${c}`)].join(',');
  return [
    `--reuid=${user}`, `--regid=${group}`, '--clear-groups',
    `--inh-caps=${list(ambient ? amb : [])}`, `--ambient-caps=${list(ambient ? amb : [])}`,
    `--bounding-set=${list(bounding)}`,
    ...(unit.get('NoNewPrivileges')?.includes('yes') ? ['--no-new-privs'] : []),
  ];
}

/** systemd-analyze syscall-filter: group name → members (syscalls and @groups). */
function filterGroups(): Map<string, string[]> {
  const text = execFileSync('systemd-analyze', ['syscall-filter', '--no-pager'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const groups = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (/^@[\w-]+$/.test(line) && !raw.startsWith(' ')) {
      current = [];
      groups.set(line, current);
    } else if (current) {
      current.push(line.split(/\s+/)[0]);
    }
  }
  return groups;
}

function expand(name: string, groups: Map<string, string[]>, seen = new Set<string>()): Set<string> {
  if (!name.startsWith('@')) return new Set([name]);
  const out = new Set<string>();
  if (seen.has(name)) return out;
  seen.add(name);
  for (const m of groups.get(name) ?? []) for (const s of expand(m, groups, seen)) out.add(s);
  return out;
}

/** The syscalls SystemCallFilter= lets through: the allow list minus every "~" deny list. */
export function allowedSyscalls(unit: Map<string, string[]>): Set<string> {
  const groups = filterGroups();
  const allowed = new Set<string>();
  const denied = new Set<string>();
  for (const v of unit.get('SystemCallFilter') ?? []) {
    const deny = v.startsWith('~');
    for (const item of v.replace(/^~/, '').split(/\s+/).filter(Boolean)) {
      for (const s of expand(item, groups)) (deny ? denied : allowed).add(s);
    }
  }
  for (const s of denied) allowed.delete(s);
  return allowed;
}

/** Syscall names in an `strace -f -o FILE` log. */
export function tracedSyscalls(strace: string): Set<string> {
  const out = new Set<string>();
  for (const line of strace.split('\n')) {
    const m = /^\d+\s+([a-z0-9_]+)\(/.exec(line);
    if (m) out.add(m[1]);
  }
  return out;
}
