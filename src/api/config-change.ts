// Every policy change of the API goes through here: validated as a whole config by the config
// service (the errors check-config would give), applied and audited with a diff — or, in
// four-eyes mode, held as a proposal (202) until a second person approves it.
import { parseDocument } from 'yaml';
import type { Actor } from '../audit/index.js';
import type { ConfigChangeResult } from '../daemon/index.js';
import type { Applied } from './schemas/index.js';
import type { ApiDeps } from './api-deps.js';
import { Accepted, Failure, fail, failureOf } from './route.js';

export async function changeConfig(deps: ApiDeps, path: (string | number)[], value: unknown, summary: string, actor: Actor, reason?: string): Promise<Applied | Accepted | Failure> {
  const { config, proposals } = deps.ctx.core;
  if (proposals.enabled) {
    const p = await proposals.propose({ kind: 'set', path, value }, summary, actor, reason);
    if (!p.ok) return failureOf(p.code === 'SG_BAD_INPUT' ? { code: 'SG_BAD_CONFIG', message: p.message } : p);
    return new Accepted({ proposalId: p.value.id, status: 'pending', message: `four-eyes mode: "${summary}" waits for a second person (another user with another role) until ${p.value.expiresAt}` });
  }
  return appliedOrFailure(await config.set(path, value, actor, reason));
}

export function appliedOrFailure(r: ConfigChangeResult): Applied | Failure {
  if (r.ok) return { ok: true, changed: r.changed };
  return new Failure(r.code, r.message, r.errors ? { errors: r.errors.map((e) => ({ path: `config:${e.line}:${e.col}`, message: e.message })) } : {});
}

/** The config entry at `path` as written in the file (no defaults filled in), or undefined. */
export function writtenValue(deps: ApiDeps, path: (string | number)[]): unknown {
  const node = parseDocument(deps.ctx.core.config.text).getIn(path, true) as { toJSON?: () => unknown } | undefined;
  return node && typeof node.toJSON === 'function' ? node.toJSON() : node;
}

export const badName = (what: string, name: string): Failure | undefined =>
  /^[a-z0-9][a-z0-9_-]{0,63}$/i.test(name) ? undefined : fail('SG_BAD_INPUT', `${what} "${name.slice(0, 64)}": letters, digits, "_" and "-" only`);
