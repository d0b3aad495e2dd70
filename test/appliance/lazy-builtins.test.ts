// The bundle's lazy node:http2 (build/daemon.ts): a dependency's require() of it costs nothing
// until the module is used, and then it is the real module.
import t from 'tap';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REQUIRE_BANNER, lazyBuiltinsPlugin } from '../../build/daemon.js';
import { tempDir } from '../helpers/daemon.js';

t.test('http2 required by a dependency loads on first use only', async (t) => {
  const d = tempDir('sg-lazy-builtins-');
  t.teardown(d.cleanup);
  // what fastify's server.js does: require at load, use behind an option
  writeFileSync(join(d.dir, 'dep.cjs'), "const http2 = require('node:http2'); module.exports = (use) => use ? typeof http2.createSecureServer : 'unused';");
  writeFileSync(join(d.dir, 'entry.mjs'), [
    "import dep from './dep.cjs';",
    "const loaded = () => process.moduleLoadList.includes('NativeModule http2');",
    "const before = [dep(false), loaded()];",
    "console.log(JSON.stringify({ before, used: dep(true), after: loaded() }));",
  ].join('\n'));
  const out = join(d.dir, 'out.mjs');
  await build({
    entryPoints: [join(d.dir, 'entry.mjs')], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent',
    banner: { js: REQUIRE_BANNER },
    plugins: [lazyBuiltinsPlugin()],
  });
  const r = spawnSync(process.execPath, [out], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.same(JSON.parse(r.stdout), { before: ['unused', false], used: 'function', after: true });
});
