// Bundles the admin UI: web-ui/src → web-ui/dist/{index.html, app.js, app.css, favicon.svg}. One script and
// one stylesheet, no external assets (a Pi on a school LAN often has no internet). index.html
// names them with a content hash in the query string, so a browser never mixes an old app.js
// with a new API after an upgrade. Prints the gzipped size and fails above the 150 kB budget.
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const UI_ROOT = fileURLToPath(new URL('./', import.meta.url));
export const DIST = join(UI_ROOT, 'dist');
export const BUDGET_GZIP_BYTES = 150 * 1024;

export interface BundleSize {
  file: string;
  bytes: number;
  gzip: number;
}

/**
 * The UI draws a control only when the role may call its route, read from the API's route table.
 * The table's TypeBox schemas are of no use in the browser (~19 kB gzipped), so the bundle gets
 * the same table reduced to `{access}` per route, generated here from the real one.
 */
const routeAccessOnly: Plugin = {
  name: 'route-access-only',
  setup(b) {
    b.onResolve({ filter: /api\/schemas\/routes\.js$/ }, (args) => ({ path: join(args.resolveDir, args.path), namespace: 'route-access' }));
    b.onLoad({ filter: /.*/, namespace: 'route-access' }, async () => {
      const { ROUTES } = await import('../src/api/schemas/routes.js');
      const slim = Object.fromEntries(Object.entries(ROUTES).map(([name, r]) => [name, { access: r.access }]));
      return { contents: `export const ROUTES = ${JSON.stringify(slim)};`, loader: 'js' };
    });
  },
};

/** Builds into `outDir` (default web-ui/dist, replaced in one rename so a server never reads half of it). */
export async function buildUi(opts: { quiet?: boolean; outDir?: string } = {}): Promise<BundleSize[]> {
  const src = join(UI_ROOT, 'src');
  const outDir = opts.outDir ?? DIST;
  const work = `${outDir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const result = await build({
    entryPoints: { app: join(src, 'main.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // ES2020: every evergreen browser of the last five years (staff laptops, phones, tablets).
    target: 'es2020',
    outdir: work,
    legalComments: 'eof',
    logLevel: opts.quiet ? 'silent' : 'warning',
    write: false,
    plugins: [routeAccessOnly],
  });
  const files = new Map<string, Uint8Array>();
  for (const f of result.outputFiles) files.set(f.path.slice(work.length + 1), f.contents);
  const js = files.get('app.js');
  const css = files.get('app.css');
  if (!js || !css) throw new Error(`esbuild produced ${[...files.keys()].join(', ')}, expected app.js and app.css`);
  const hash = (b: Uint8Array) => createHash('sha256').update(b).digest('hex').slice(0, 10);
  const html = readFileSync(join(src, 'index.html'), 'utf8')
    .replace('app.css"', `app.css?v=${hash(css)}"`)
    .replace('app.js"', `app.js?v=${hash(js)}"`);
  files.set('index.html', new TextEncoder().encode(html));
  // The tab icon, so browsers do not ask for a /favicon.ico that is not there.
  files.set('favicon.svg', readFileSync(join(src, 'favicon.svg')));
  const sizes: BundleSize[] = [];
  for (const [name, bytes] of files) {
    writeFileSync(join(work, name), bytes);
    sizes.push({ file: name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  rmSync(outDir, { recursive: true, force: true });
  renameSync(work, outDir);
  return sizes;
}

export function totalGzip(sizes: readonly BundleSize[]): number {
  return sizes.reduce((n, s) => n + s.gzip, 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = await buildUi();
  const total = totalGzip(sizes);
  for (const s of sizes) console.log(`web-ui/dist/${s.file}: ${(s.bytes / 1024).toFixed(1)} kB, ${(s.gzip / 1024).toFixed(1)} kB gzipped`);
  console.log(`web-ui bundle: ${(total / 1024).toFixed(1)} kB gzipped (budget ${BUDGET_GZIP_BYTES / 1024} kB)`);
  if (total > BUDGET_GZIP_BYTES) {
    console.error('web-ui bundle is over its budget');
    process.exit(1);
  }
}
