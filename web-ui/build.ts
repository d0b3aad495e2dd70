// Bundles the admin UI: web-ui/src → web-ui/dist/{index.html, app.js, app.css}. One script and
// one stylesheet, no external assets (a Pi on a school LAN often has no internet). index.html
// names them with a content hash in the query string, so a browser never mixes an old app.js
// with a new API after an upgrade. Prints the gzipped size and fails above the 150 kB budget.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

export async function buildUi(opts: { quiet?: boolean } = {}): Promise<BundleSize[]> {
  const src = join(UI_ROOT, 'src');
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  const result = await build({
    entryPoints: { app: join(src, 'main.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // Chromium/Firefox/Safari of the last few years: what school staff laptops and phones run.
    target: ['es2020', 'chrome90', 'firefox88', 'safari14'],
    outdir: DIST,
    legalComments: 'eof',
    logLevel: opts.quiet ? 'silent' : 'warning',
    write: false,
  });
  const files = new Map<string, Uint8Array>();
  for (const f of result.outputFiles) files.set(f.path.slice(DIST.length + 1), f.contents);
  const js = files.get('app.js');
  const css = files.get('app.css');
  if (!js || !css) throw new Error(`esbuild produced ${[...files.keys()].join(', ')}, expected app.js and app.css`);
  const hash = (b: Uint8Array) => createHash('sha256').update(b).digest('hex').slice(0, 10);
  const html = readFileSync(join(src, 'index.html'), 'utf8')
    .replace('app.css"', `app.css?v=${hash(css)}"`)
    .replace('app.js"', `app.js?v=${hash(js)}"`);
  files.set('index.html', new TextEncoder().encode(html));
  const sizes: BundleSize[] = [];
  for (const [name, bytes] of files) {
    writeFileSync(join(DIST, name), bytes);
    sizes.push({ file: name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
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
