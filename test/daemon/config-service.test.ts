import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config-file/index.js';
import { ConfigService, EventBus, StateHolder, buildState } from '../../src/daemon/index.js';
import { AuditLog } from '../../src/audit/index.js';
import { openStore } from '../../src/store/index.js';
import { memoryIndex } from '../fixtures/memory-index.js';
import { tempDir } from '../helpers/daemon.js';

const YAML = `# the school's config
mode: dns-only
groups:
  # pupils: the strict profile
  - name: pupils
    match: { subnets: ["10.10.1.0/24"] }
    block: [games]
  - { name: guests, default: true }
`;

t.test('UI edits are validated, written atomically with comments kept, applied and audited', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const file = join(d.dir, 'schoolgate.yaml');
  writeFileSync(file, YAML);
  const catalog = async () => ({ categories: new Map([['games', { list: 'x', kind: 'block' as const }], ['gambling', { list: 'x', kind: 'block' as const }]]), complete: true });
  const loaded = await loadConfig(file, catalog);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const opened = await openStore(d.dir);
  if (!opened.ok) throw new Error(opened.error);
  t.teardown(() => opened.store.close());
  const audit = new AuditLog(opened.store, Date.now);
  await audit.open();
  const index = memoryIndex({ games: { names: ['arcade.example'] }, gambling: { names: ['casino.example'] } });
  const state = new StateHolder(buildState(loaded.loaded.config, index, [], Date.now()));
  const events = new EventBus();
  let reloaded = 0;
  events.on('config:reloaded', () => reloaded++);
  const svc = new ConfigService(loaded.loaded, { state, events, audit, readCatalog: catalog, now: Date.now });
  const actor = { name: 'tess', kind: 'user' as const, role: 'technician' as const };

  const ok = await svc.setGroup('pupils', { name: 'pupils', match: { subnets: ['10.10.1.0/24'] }, block: ['games', 'gambling'] }, actor, 'gambling ads seen in class');
  t.match(ok, { ok: true, changed: ['groups'] });
  t.same(state.current.config.groups[0].block, ['games', 'gambling'], 'the running snapshot has it');
  t.equal(reloaded, 1);
  const text = readFileSync(file, 'utf8');
  t.match(text, /# pupils: the strict profile/, 'comments kept');
  t.match(text, /gambling/);
  const entry = (await audit.list({ limit: 1 }))[0];
  t.match(entry, { action: 'config.change', target: 'groups.0', reason: 'gambling ads seen in class', details: { changed: ['groups'] } });

  const bad = await svc.setGroup('pupils', { name: 'pupils', block: ['gamez'] }, actor);
  t.match(bad, { ok: false, code: 'SG_BAD_CONFIG' });
  if (!bad.ok) t.match(bad.message, /unknown category "gamez"/);
  t.same(state.current.config.groups[0].block, ['games', 'gambling'], 'a bad change changes nothing');

  const restart = await svc.set(['dataDir'], '/elsewhere', actor);
  t.match(restart, { ok: false, code: 'SG_NEEDS_RESTART' });

  writeFileSync(file, YAML.replace('block: [games]', 'block: []'));
  const r = await svc.reload({ name: 'SIGHUP', kind: 'system' });
  t.match(r, { ok: true, changed: ['groups'] });
  t.same(state.current.config.groups[0].block, []);
  t.ok((await audit.verify()).ok);
});
