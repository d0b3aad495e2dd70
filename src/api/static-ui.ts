// The built admin UI (web-ui/dist) as static files. @fastify/static (send) resolves paths inside
// the root only: "..", encoded or not, is refused, and dotfiles are denied. Unknown paths that
// are not API calls get index.html (the UI routes in the browser); while the bundle is not
// built, a plain page says so instead of a bare 404.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { API_PREFIX } from './schemas/index.js';
import { fail, sendFailure } from './route.js';

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>schoolgate</title></head>
<body><h1>schoolgate</h1><p>The admin UI is not built on this appliance yet (<code>web-ui/dist</code> is missing; <code>npm run build</code> makes it).</p>
<p>The JSON API answers under <code>${API_PREFIX}</code>, for example <code>${API_PREFIX}/session</code>. Filtering does not depend on the UI.</p></body></html>`;

export async function registerStaticUi(app: FastifyInstance, root: string): Promise<void> {
  const present = () => existsSync(join(root, 'index.html'));
  // Registered even while the folder is missing: a bundle built later is served without a restart.
  await app.register(fastifyStatic, {
    root, prefix: '/', wildcard: true, index: ['index.html'], dotfiles: 'deny', preCompressed: true, decorateReply: true,
    setHeaders: (reply, path) => {
      if (path.endsWith('.html')) void reply.header('cache-control', 'no-cache');
    },
  });
  app.setNotFoundHandler(async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0];
    if (path.startsWith('/api/') || path === '/api' || req.method !== 'GET') return sendFailure(reply, fail('SG_NOT_FOUND', `no route ${req.method} ${path.slice(0, 200)}`));
    if (!present()) return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(PLACEHOLDER);
    // A browser route of the single-page UI (e.g. /overrides): its shell.
    if (/\.[a-z0-9]{1,8}$/i.test(path)) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
  });
}
