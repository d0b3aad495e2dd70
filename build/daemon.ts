// Bundles the daemon and CLI: src/cli.ts → dist/cli.js (+ dist/chunks/ for code loaded on demand:
// other CLI verbs, tar, nodemailer, the self-signed certificate maker…). One minified file instead
// of ~1,100 module files: V8 holds less source, fewer module records and less bytecode, ~6 MB of
// the daemon's resident memory (bench/out/lists.md). Native addons stay in node_modules.
// Source maps are written next to the code; Node reads them only with --enable-source-maps.
// The admin API's request validators are generated here from the route schemas
// (build/api-validators.ts) and take the place of src/api/precompiled-validators.ts.
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApiValidators } from './api-validators.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DIST = join(ROOT, 'dist');

/** CommonJS dependencies call require() for Node's modules; an ES module has none of its own. */
export const REQUIRE_BANNER = "import { createRequire as __sgRequire } from 'node:module'; const require = __sgRequire(import.meta.url);";

/** Loaded with require() at run time, from node_modules: compiled addons and their loaders. */
const NATIVE = ['classic-level', 'raw-socket', 'onoff', 'epoll', '@schoolgate/udp-batch'];
/**
 * fastify's default compilers (ajv, ajv-formats, fast-json-stringify): the apps give fastify the
 * generated validators instead (src/api/validation.ts), so fastify never require()s these; left
 * in node_modules, their ~260 kB of source is not held by the daemon.
 */
const UNUSED_COMPILERS = ['@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'];

/**
 * Node modules that a dependency require()s when it loads but uses only behind an option the
 * daemon never sets: fastify's server.js takes node:http2 for its `http2` option. Loading http2
 * costs ~1.9 MB resident (bare node, measured); here it is a proxy that loads it on first use.
 */
const LAZY_BUILTINS = ['node:http2', 'http2'];

export function lazyBuiltinsPlugin(): Plugin {
  return {
    name: 'lazy-builtins',
    setup(b) {
      const filter = new RegExp(`^(${LAZY_BUILTINS.join('|')})$`);
      b.onResolve({ filter }, (args) => {
        if (args.kind !== 'require-call' || args.namespace === 'lazy-builtin') return undefined;
        return { path: args.path, namespace: 'lazy-builtin' };
      });
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
        contents: `let m; module.exports = new Proxy({}, { get: (_, key) => (m ??= require(${JSON.stringify(args.path)}))[key] });`,
        loader: 'js',
      }));
    },
  };
}

/** Serves the generated validators for src/api/precompiled-validators.ts; ajv's runtime helpers resolve from fastify's compiler. */
function apiValidatorsPlugin(): Plugin {
  const placeholder = join(ROOT, 'src', 'api', 'precompiled-validators.ts');
  return {
    name: 'api-validators',
    setup(b) {
      let served = false;
      b.onLoad({ filter: /precompiled-validators\.ts$/ }, (args) => {
        if (args.path !== placeholder) return undefined;
        served = true;
        return { contents: generateApiValidators().source, loader: 'js', resolveDir: join(ROOT, 'node_modules', '@fastify', 'ajv-compiler') };
      });
      // Without them the bundle would fall back to ajv at start, unnoticed.
      b.onEnd((r) => {
        if (r.errors.length === 0 && !served) throw new Error(`${placeholder} was not bundled: the API's generated validators are missing`);
      });
    },
  };
}

export async function bundleDaemon(outDir = DIST): Promise<{ file: string; bytes: number }[]> {
  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { cli: join(ROOT, 'src', 'cli.ts') },
    outdir: outDir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    // Licence comments go to *.LEGAL.txt; in the code they would be resident for nothing.
    legalComments: 'external',
    external: [...NATIVE, ...UNUSED_COMPILERS],
    banner: { js: REQUIRE_BANNER },
    plugins: [apiValidatorsPlugin(), lazyBuiltinsPlugin()],
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  for (const [file] of outputs) {
    // One character beyond ASCII makes V8 keep the whole file as a two-byte string (2× memory).
    const bad = /[^\x00-\x7f]/.exec(readFileSync(join(ROOT, file), 'latin1'));
    if (bad) throw new Error(`${file}: non-ASCII character at offset ${bad.index} (escape it in the source, e.g. \\u2026)`);
  }
  chmodSync(join(outDir, 'cli.js'), 0o755);
  return outputs.map(([file, o]) => ({ file, bytes: o.bytes }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await bundleDaemon();
  const main = files.find((f) => f.file.endsWith('cli.js'));
  const total = files.reduce((n, f) => n + f.bytes, 0);
  process.stdout.write(`daemon bundle: dist/cli.js ${((main?.bytes ?? 0) / 1024).toFixed(0)} kB, ${files.length - 1} chunks loaded on demand, ${(total / 1024).toFixed(0)} kB in all\n`);
}
