// firmware/schoolgate.example.yaml documents every key of ConfigSchema (issue 3) and cannot drift:
// it is exactly what `schoolgate example-config` generates from this version's schema, it passes
// check-config, and a scan of its lines (active and "#key:" commented) finds every schema key.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ConfigSchema } from '../../src/config.js';
import { CLI, REPO, tempDir } from '../helpers/daemon.js';

const EXAMPLE = join(REPO, 'firmware', 'schoolgate.example.yaml');
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });

t.test('the committed example is what the generator makes from this schema', async (t) => {
  const r = cli(['example-config']);
  t.equal(r.status, 0, r.stderr);
  t.ok(r.stdout === readFileSync(EXAMPLE, 'utf8'), 'firmware/schoolgate.example.yaml is stale: run `npm run example-config`');
});

t.test('check-config accepts it', async (t) => {
  const r = cli(['check-config', EXAMPLE]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /ok \(gateway, 3 groups/);
});

// ---- every key of the schema appears -------------------------------------------------------------

interface KeyTree { children: Map<string, KeyTree> }
const tree = (): KeyTree => ({ children: new Map() });

/** Keys of the example by nesting (active and "#key:" lines; list items under "[]"). */
function scanKeys(text: string): KeyTree {
  const root = tree();
  const stack: { col: number; node: KeyTree }[] = [{ col: -1, node: root }];
  for (const line of text.split('\n')) {
    // "#key:" is a commented-out key; "# text" (hash, space) is documentation.
    const m = /^( *)(?:#(?! ))?(- )?([\w<>-]+):(?: |$)/.exec(line);
    if (!m) continue;
    const indent = m[1].length;
    const col = m[2] ? indent + 2 : indent;
    if (m[2]) {
      while (stack.at(-1)!.col >= indent) stack.pop();
      const list = stack.at(-1)!.node;
      const item = list.children.get('[]') ?? tree();
      list.children.set('[]', item);
      stack.push({ col: indent, node: item });
    } else {
      while (stack.at(-1)!.col >= col) stack.pop();
    }
    const parent = stack.at(-1)!.node;
    const child = parent.children.get(m[3]) ?? tree();
    parent.children.set(m[3], child);
    stack.push({ col, node: child });
  }
  return root;
}

function merge(nodes: KeyTree[]): KeyTree {
  const out = tree();
  const keys = new Set(nodes.flatMap((n) => [...n.children.keys()]));
  for (const k of keys) out.children.set(k, merge(nodes.map((n) => n.children.get(k)).filter((n): n is KeyTree => n !== undefined)));
  return out;
}

interface Schema { type?: string; properties?: Record<string, Schema>; patternProperties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] }

/** Schema keys not found in the scanned tree, as dotted paths. */
function missingKeys(s: Schema, node: KeyTree, path: string): string[] {
  if (s.anyOf) return s.anyOf.flatMap((alt) => missingKeys(alt, node, path));
  if (s.properties) {
    return Object.entries(s.properties).flatMap(([k, child]) => {
      const p = path ? `${path}.${k}` : k;
      const found = node.children.get(k);
      return found ? missingKeys(child, found, p) : [p];
    });
  }
  if (s.patternProperties) {
    const entries = [...node.children.values()];
    if (entries.length === 0) return [`${path}.*`];
    return missingKeys(Object.values(s.patternProperties)[0], merge(entries), `${path}.*`);
  }
  if (s.type === 'array' && s.items && (s.items.properties || s.items.anyOf?.some((a) => a.properties))) {
    const items = node.children.get('[]');
    return items ? missingKeys(s.items, items, `${path}[]`) : [`${path}[]`];
  }
  return [];
}

t.test('every key of ConfigSchema appears in it', async (t) => {
  const keys = scanKeys(readFileSync(EXAMPLE, 'utf8'));
  t.same(missingKeys(ConfigSchema as Schema, keys, ''), [], 'keys missing from firmware/schoolgate.example.yaml');
});

t.test('the scan really sees nesting (a key in the wrong place is missing)', async (t) => {
  const keys = scanKeys('dns:\n  #cache:\n    #size: 16MB\n  listen: ["x"]\nlists:\n    # doc: not a key\n  - name: a\n    #format: ut1\n');
  t.ok(keys.children.get('dns')?.children.get('cache')?.children.has('size'));
  t.ok(keys.children.get('lists')?.children.get('[]')?.children.has('format'));
  t.notOk(keys.children.get('lists')?.children.get('[]')?.children.has('doc'));
  const partial = missingKeys(ConfigSchema as Schema, scanKeys('mode: gateway\ndns:\n  listen: []\n'), '');
  t.ok(partial.includes('dns.upstreams') && partial.includes('groups') && !partial.includes('mode'));
});

t.test('--set writes a site\'s values into the documented file', async (t) => {
  const r = cli(['example-config', '--set', 'network.wan=end0', '--set', 'dns.listen=["192.168.50.1:53"]', '--set', 'dns.blocking.address=192.168.50.1', '--set', 'groups.1.match.subnets=["192.168.51.0/24"]']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /\n {2}wan: end0\n/);
  t.match(r.stdout, /listen: \["192\.168\.50\.1:53"\]/);
  t.match(r.stdout, /# WAN \(internet-side\) interface/, 'the documentation stays');
  const dir = tempDir();
  t.teardown(dir.cleanup);
  const file = join(dir.dir, 'schoolgate.yaml');
  writeFileSync(file, r.stdout);
  const check = cli(['check-config', file]);
  t.equal(check.status, 0, check.stderr);
  const virtual = cli(['example-config', '--set', 'leds.backend=virtual', '--set', 'leds.names=null']);
  t.equal(virtual.status, 0, virtual.stderr);
  t.notMatch(virtual.stdout, /^ {2}names:/m, 'null removes a key (it stays documented, commented out)');
  t.match(virtual.stdout, /^ {2}#names:/m);
  writeFileSync(file, virtual.stdout);
  t.equal(cli(['check-config', file]).status, 0, 'and the result still passes');
  const bad = cli(['example-config', '--set', 'dns.lisen=["x"]']);
  t.equal(bad.status, 1);
  t.match(bad.stderr, /dns\.lisen: in the values but not in the schema/);
});
