// Keeps the device register in the store: an import replaces it in one atomic batch (all or
// nothing), is audited with counts added/changed/removed, and updates the running snapshot.
// The configured register file is imported at start and whenever it changes.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Actor, AuditLog } from '../audit/index.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import { diffRegister, parseRegister } from './device-register.js';
import type { RegisterDiff, RegisterError, RegisteredDevice } from './device-register.js';

export type ImportResult = { ok: true; diff: RegisterDiff; devices: number } | { ok: false; errors: RegisterError[] };

export class RegisterService {
  private devices = new Map<string, RegisteredDevice>();
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly groups: () => ReadonlySet<string>,
    private readonly onChange: (register: ReadonlyMap<string, RegisteredDevice>) => void,
    private readonly log: Logger,
  ) {}

  async load(): Promise<void> {
    for await (const v of this.store.devices.values()) {
      const d = v as RegisteredDevice;
      this.devices.set(d.mac, d);
    }
    this.onChange(this.devices);
  }

  list(): RegisteredDevice[] {
    return [...this.devices.values()];
  }

  async importText(text: string, actor: Actor, from: string): Promise<ImportResult> {
    const parsed = parseRegister(text, this.groups());
    if (!parsed.ok) {
      await this.audit.append({ actor, action: 'devices.import-refused', target: from, details: { errors: parsed.errors.slice(0, 10) } });
      return parsed;
    }
    const diff = diffRegister(this.list(), parsed.devices);
    const next = new Map(parsed.devices.map((d) => [d.mac, d]));
    const ops = [
      ...[...this.devices.keys()].filter((mac) => !next.has(mac)).map((key) => ({ type: 'del' as const, key })),
      ...parsed.devices.map((d) => ({ type: 'put' as const, key: d.mac, value: d })),
    ];
    await this.store.devices.batch(ops);
    this.devices = next;
    await this.audit.append({ actor, action: 'devices.import', target: from, details: { ...diff, devices: next.size } });
    this.onChange(this.devices);
    return { ok: true, diff, devices: next.size };
  }

  /** Imports the file now and again whenever it is replaced or rewritten. */
  async watchFile(path: string): Promise<void> {
    const system: Actor = { name: 'schoolgate', kind: 'system' };
    const importNow = async () => {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        this.log.warn({ file: path, err: (err as Error).message }, 'device register unreadable; the stored register stays');
        return;
      }
      const r = await this.importText(text, system, path);
      if (r.ok) this.log.info({ file: path, ...r.diff }, 'device register imported');
      else this.log.error({ file: path, errors: r.errors.slice(0, 5).map((e) => `${path}:${e.line}: ${e.message}`) }, 'device register rejected; the previous register stays');
    };
    await importNow();
    // Watch the folder: editors and scripts replace files by rename.
    this.watcher = watch(dirname(path), (_e, file) => {
      if (file !== basename(path)) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void importNow(), 500);
    });
    this.watcher.on('error', (err) => this.log.warn({ err: err.message }, 'device register watch failed'));
  }

  stop(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }
}
