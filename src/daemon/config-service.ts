// Changes to the config while the daemon runs: from the UI/API (edit one section of the YAML
// document in place, comments kept), or a reload of the file (SIGHUP). Every change is validated
// as a whole config, written atomically, applied by swapping the snapshot, and audited with a
// diff. Keys that need a restart are refused here and named.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { Config } from '../config.js';
import { ConfigSchema } from '../config.js';
import { formatConfigError, parseConfig, DEV_PROFILE_NAME } from '../config-file/index.js';
import type { CatalogReader, ConfigError, LoadedConfig } from '../config-file/index.js';
import type { Actor, AuditLog } from '../audit/index.js';
import { canonicalJson } from '../audit/index.js';
import { writeFileAtomic } from '../store/index.js';
import type { StateHolder } from './state.js';
import { withConfig } from './state.js';
import type { EventBus } from './events.js';

export type ConfigChangeResult =
  | { ok: true; config: Config; changed: string[] }
  | { ok: false; code: 'SG_BAD_CONFIG' | 'SG_NEEDS_RESTART' | 'SG_NOT_FOUND'; message: string; errors?: ConfigError[] };

/** Top-level keys whose change needs a restart (schema `requiresRestart`). */
export const RESTART_KEYS: readonly string[] = Object.entries(ConfigSchema.properties)
  .filter(([, s]) => (s as { requiresRestart?: boolean }).requiresRestart)
  .map(([k]) => k);

export class ConfigService {
  private yaml: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private loaded: LoadedConfig,
    private readonly deps: { state: StateHolder; events: EventBus; audit: AuditLog; readCatalog: CatalogReader; now: () => number },
  ) {
    this.yaml = loaded.text;
  }

  get current(): Config {
    return this.deps.state.current.config;
  }

  /** the config file's current text (what a backup keeps) */
  get text(): string {
    return this.yaml;
  }

  get file(): string {
    return this.loaded.file;
  }

  /** Replaces one value (e.g. ['groups', 1] or ['schedules', 'lunch']) and applies the result. */
  set(path: (string | number)[], value: unknown, actor: Actor, reason?: string, extra?: Record<string, unknown>): Promise<ConfigChangeResult> {
    return this.serial(async () => this.apply(this.edited(path, value), actor, 'config.change', reason, path.join('.'), true, extra));
  }

  /** Applies a whole config text (an approved reload from disk). */
  applyText(text: string, actor: Actor, reason?: string, extra?: Record<string, unknown>): Promise<ConfigChangeResult> {
    return this.serial(async () => this.apply(text, actor, 'config.reload', reason, undefined, true, extra));
  }

  /** Would this change apply? (Validation only; nothing is written.) */
  async dryRun(change: { kind: 'set'; path: (string | number)[]; value: unknown } | { kind: 'text'; text: string }): Promise<ConfigChangeResult> {
    const text = change.kind === 'set' ? this.edited(change.path, change.value) : change.text;
    return this.apply(text, { name: 'dry-run', kind: 'system' }, 'dry-run', undefined, undefined, false, undefined, true);
  }

  /** The file as it is on disk now (four-eyes mode turns a changed file into a proposal). */
  async readFileText(): Promise<string | undefined> {
    return this.loaded.file === DEV_PROFILE_NAME ? undefined : readFile(this.loaded.file, 'utf8');
  }

  private edited(path: (string | number)[], value: unknown): string {
    const doc = parseDocument(this.yaml);
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
    return doc.toString();
  }

  /** The group named `name` replaced by `group` (DESIGN: PUT /api/v1/groups/:name). */
  setGroup(name: string, group: unknown, actor: Actor, reason?: string): Promise<ConfigChangeResult> {
    const at = this.current.groups.findIndex((g) => g.name === name);
    if (at === -1) return Promise.resolve({ ok: false, code: 'SG_NOT_FOUND', message: `no group "${name}"` });
    return this.set(['groups', at], group, actor, reason);
  }

  /** Re-reads the file (SIGHUP, or a changed file on disk). */
  reload(actor: Actor): Promise<ConfigChangeResult> {
    return this.serial(async () => {
      if (this.loaded.file === DEV_PROFILE_NAME) return { ok: false, code: 'SG_BAD_CONFIG', message: 'the dev profile has no file to reload' };
      const text = await readFile(this.loaded.file, 'utf8');
      return this.apply(text, actor, 'config.reload', undefined, undefined, false);
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(
    text: string, actor: Actor, action: string, reason: string | undefined, target: string | undefined,
    write = true, extra?: Record<string, unknown>, dryRun = false,
  ): Promise<ConfigChangeResult> {
    const parsed = await parseConfig(text, this.loaded.file, this.loaded.baseDir, this.deps.readCatalog);
    if (!parsed.ok) return { ok: false, code: 'SG_BAD_CONFIG', message: parsed.errors.map(formatConfigError).join('\n'), errors: parsed.errors };
    const before = this.current;
    const after = parsed.loaded.config;
    const changed = Object.keys(ConfigSchema.properties).filter((k) => canonicalJson(before[k as keyof Config]) !== canonicalJson(after[k as keyof Config]));
    const restart = changed.filter((k) => RESTART_KEYS.includes(k));
    if (restart.length > 0) return { ok: false, code: 'SG_NEEDS_RESTART', message: `changing ${restart.join(', ')} needs a restart of the daemon` };
    if (changed.length === 0 || dryRun) return { ok: true, config: changed.length === 0 ? before : after, changed };
    if (write && this.loaded.file !== DEV_PROFILE_NAME) await writeFileAtomic(this.loaded.file, text, 0o640);
    this.yaml = text;
    this.loaded = { ...this.loaded, text, config: after };
    this.deps.state.swap(withConfig(this.deps.state.current, after, this.deps.now()));
    await this.deps.audit.append({
      actor, action, target, reason,
      details: { ...extra, changed, diff: Object.fromEntries(changed.map((k) => [k, { before: before[k as keyof Config], after: after[k as keyof Config] }])) },
    });
    this.deps.events.emit('config:reloaded');
    return { ok: true, config: after, changed };
  }
}
