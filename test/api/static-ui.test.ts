// The built UI as static files: served from web-ui/dist only (no path leaves it, however it is
// spelled), the UI shell for its own routes, a plain page while the bundle is not built.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiFixture } from './fixture.js';
import { tempDir } from '../helpers/daemon.js';

t.test('while web-ui/dist is missing: a placeholder page, and the API still answers', async (t) => {
  const f = await apiFixture(t);
  const r = await f.agent().get('/');
  t.equal(r.statusCode, 503);
  t.match(r.body, /admin UI is not built on this appliance yet/);
  t.match(r.headers['content-security-policy'], /default-src 'self'/);
  t.equal((await f.agent().get('/api/v1/session')).statusCode, 200);
  t.equal((await f.agent().get('/api/v1/nothing-here')).statusCode, 404);
});

t.test('serves the bundle; the UI shell for UI routes; path traversal never leaves the folder', async (t) => {
  const d = tempDir('sg-webui-');
  t.teardown(d.cleanup);
  const root = join(d.dir, 'web-ui', 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>ui</title><script src="/app.js"></script>');
  writeFileSync(join(root, 'app.js'), 'console.log("ui")');
  writeFileSync(join(root, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(root, '.env'), 'SECRET=dotfile');
  writeFileSync(join(d.dir, 'web-ui', 'secret.txt'), 'SECRET=outside');
  writeFileSync(join(d.dir, 'secret.txt'), 'SECRET=outside');
  const f = await apiFixture(t, { uiRoot: root });
  const a = f.agent();
  const index = await a.get('/');
  t.equal(index.statusCode, 200);
  t.match(index.body, /<title>ui<\/title>/);
  t.equal(index.headers['cache-control'], 'no-cache');
  t.equal((await a.get('/app.js')).body, 'console.log("ui")');
  t.match((await a.get('/app.js')).headers['content-type'], /javascript/);
  t.equal((await a.get('/assets/app.css')).statusCode, 200);
  const shell = await a.get('/overrides/new');
  t.equal(shell.statusCode, 200, 'a UI route gets the shell');
  t.match(shell.body, /<title>ui<\/title>/);
  t.equal((await a.get('/missing.js')).statusCode, 404, 'a missing file is a 404, not the shell');

  const attempts = [
    '/../secret.txt', '/../../secret.txt', '/%2e%2e/secret.txt', '/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/..%2f..%2fsecret.txt',
    '/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/%252e%252e/secret.txt', '/..\\secret.txt', '/.env', '/assets/..%5c..%5csecret.txt',
    '/%00/../secret.txt', '//etc/passwd', '/../../../../../../etc/passwd', '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  ];
  for (const url of attempts) {
    const r = await a.get(url);
    t.notMatch(r.body, /SECRET=|root:x:0:0/, `${url} → ${r.statusCode}`);
  }
});
