// The admin API's validators generated at build time (build/api-validators.ts): one for every
// schema of the route table, behaving as ajv does at start from src (same options: unknown keys
// refused, all errors reported, query strings coerced); a schema the build did not see, or a
// response schema, stops the app at start instead of being validated by stale code.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import { generateApiValidators } from '../../build/api-validators.js';
import { ROUTES } from '../../src/api/schemas/index.js';
import { schemaOptions, validatorKey } from '../../src/api/validation.js';
import type { PrecompiledValidators } from '../../src/api/validation.js';
import type { RouteSpec } from '../../src/api/schemas/index.js';
import { REPO, tempDir } from '../helpers/daemon.js';

/** The generated module as the bundle gets it; ajv's runtime helpers resolved as esbuild resolves them. */
async function loadGenerated(): Promise<PrecompiledValidators> {
  const d = tempDir('sg-validators-');
  t.teardown(d.cleanup);
  const file = join(d.dir, 'validators.mjs');
  const from = join(REPO, 'node_modules', '@fastify', 'ajv-compiler', 'index.js');
  writeFileSync(file, `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(from)});\n${generateApiValidators().source}`);
  return ((await import(pathToFileURL(file).href)) as { PRECOMPILED_VALIDATORS: PrecompiledValidators }).PRECOMPILED_VALIDATORS;
}

t.test('every request schema of the route table has its generated validator', async (t) => {
  const validators = await loadGenerated();
  const parts = Object.values<RouteSpec>(ROUTES).flatMap((spec) => (['body', 'querystring', 'params'] as const).filter((p) => spec[p] !== undefined).map((p) => validatorKey(p, spec[p])));
  t.ok(parts.length > 30, `${parts.length} schemas`);
  t.same(parts.filter((k) => !validators.has(k)), [], 'none missing');
});

t.test('a generated validator answers as the runtime one: 400 with every error, unknown keys refused, queries coerced', async (t) => {
  const validators = await loadGenerated();
  for (const [name, options] of [['generated', schemaOptions(validators)], ['ajv at start', schemaOptions(undefined)]] as const) {
    const app = Fastify(options);
    t.teardown(() => app.close());
    app.post('/setup', { schema: { body: ROUTES.setup.body } }, async (req) => req.body);
    app.get('/querylog', { schema: { querystring: ROUTES.queryLog.querystring } }, async (req) => req.query);
    const bad = await app.inject({ method: 'POST', url: '/setup', payload: { code: 'ABCD-EFGH', username: 'x', password: 'short', extra: 1 } });
    t.equal(bad.statusCode, 400, `${name}: bad body`);
    const errors = (bad.json<{ message: string }>().message).split(', ');
    t.equal(errors.length, 3, `${name}: all errors (${bad.body})`);
    t.match(bad.body, /additional properties/, `${name}: the unknown key is refused, not dropped`);
    const good = await app.inject({ method: 'POST', url: '/setup', payload: { code: 'ABCD-EFGH', username: 'tess', password: 'a long password' } });
    t.same(good.json(), { code: 'ABCD-EFGH', username: 'tess', password: 'a long password' }, `${name}: a good body passes`);
    t.same((await app.inject('/querylog?limit=5')).json(), { limit: 5 }, `${name}: the query number coerced`);
    t.same((await app.inject('/querylog')).json(), { limit: 100 }, `${name}: the default filled in`);
    t.equal((await app.inject('/querylog?limit=many')).statusCode, 400, `${name}: a bad query refused`);
  }
});

t.test('a schema the build did not see stops the app at start', async (t) => {
  const app = Fastify(schemaOptions(await loadGenerated()));
  t.teardown(() => app.close());
  app.post('/setup', { schema: { body: Type.Object({ ...ROUTES.setup.body.properties, added: Type.String() }) } }, async () => 'ok');
  await t.rejects(async () => { await app.ready(); }, /POST \/setup: the build generated no validator for this body schema.*npm run build/);
});

t.test('a response schema stops the app at start (the bundle has no serializer for it)', async (t) => {
  const app = Fastify(schemaOptions(await loadGenerated()));
  t.teardown(() => app.close());
  app.get('/session', { schema: { response: { 200: ROUTES.getSession.response } } }, async () => ({}));
  await t.rejects(async () => { await app.ready(); }, /response schemas are not compiled in the bundle/);
});
