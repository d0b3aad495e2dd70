// The admin UI bundle as `npm run build` makes it: within its budget (≤ 150 kB gzipped, printed),
// self-contained (no external asset a Pi without internet could not load), free of HTML sinks,
// and without the API's TypeBox schemas (the browser gets only the route table's roles).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUDGET_GZIP_BYTES, buildUi, totalGzip } from '../../web-ui/build.js';
import { tempDir } from '../helpers/daemon.js';

t.test('the UI bundle', async (t) => {
  // Its own folder: browser tests running beside this one keep serving web-ui/dist.
  const out = tempDir('sg-bundle-');
  t.teardown(out.cleanup);
  const DIST = join(out.dir, 'dist');
  const sizes = await buildUi({ quiet: true, outDir: DIST });
  const total = totalGzip(sizes);
  for (const s of sizes) t.comment(`web-ui/dist/${s.file}: ${(s.bytes / 1024).toFixed(1)} kB, ${(s.gzip / 1024).toFixed(1)} kB gzipped`);
  t.comment(`web-ui bundle: ${(total / 1024).toFixed(1)} kB gzipped (budget ${BUDGET_GZIP_BYTES / 1024} kB)`);
  t.ok(total <= BUDGET_GZIP_BYTES, `whole bundle ${(total / 1024).toFixed(1)} kB gzipped ≤ 150 kB`);
  t.same(sizes.map((s) => s.file).sort(), ['app.css', 'app.js', 'favicon.svg', 'index.html'], 'one page, one script, one stylesheet, an icon');

  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const js = readFileSync(join(DIST, 'app.js'), 'utf8');
  const css = readFileSync(join(DIST, 'app.css'), 'utf8');
  t.match(html, /<script type="module" src="app\.js\?v=[0-9a-f]{10}"><\/script>/, 'index.html loads the hashed app.js');
  t.notMatch(html, /<script>|<style>|\sstyle=|\son[a-z]+=/i, 'no inline script or style (strict CSP)');
  t.notMatch(html + css, /(src|href)="?(https?:)?\/\//, 'no external asset in the page or the stylesheet');
  t.notMatch(css, /url\((?!["']?data:)/, 'the stylesheet loads nothing');
  t.notMatch(js, /\binnerHTML\b|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment/, 'no HTML sink in the bundle');
  t.notMatch(js, /\bfetch\(["'`]https?:/, 'no request leaves the appliance');
  t.notMatch(js, /TypeBox|\[Kind\]|sinclair/, 'no TypeBox in the bundle');
  t.match(js, /createOverride:\{access:\["technician"\]\}/, 'the route table\'s roles are in it');
});
