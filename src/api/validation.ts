// How the admin API validates requests. From src (tests, tsx) fastify compiles each route's
// schema with ajv at start, as usual. The bundle (build/daemon.ts) carries validators generated
// at build time from the same schemas (build/api-validators.ts, with fastify's own ajv compiler
// and these options), so the daemon neither loads ajv and fast-json-stringify nor runs their
// code generation: ~5 MB of its resident memory at start (bench/out/lists.md). Each generated
// validator is keyed by a hash of its schema: a schema the build did not see is refused at
// start, never validated by stale code.
import { createHash } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import { PRECOMPILED_VALIDATORS } from './precompiled-validators.js';

/** ajv options on top of fastify's defaults. Unknown body keys are refused (a typo is an error, not silently dropped); query numbers coerced. */
export const AJV_CUSTOM_OPTIONS = { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } as const;

/** A generated validator: ajv's standalone function (errors on itself after a failed call). */
export interface PrecompiledValidator {
  (data: unknown): boolean;
  errors?: unknown;
}

export type PrecompiledValidators = ReadonlyMap<string, PrecompiledValidator>;

/** The key of a validator: the request part and its schema, with the options that shape the code. */
export function validatorKey(httpPart: string, schema: unknown): string {
  return createHash('sha256').update(JSON.stringify([httpPart, schema, AJV_CUSTOM_OPTIONS])).digest('hex').slice(0, 32);
}

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type SchemaOptions = Pick<FastifyServerOptions, 'ajv' | 'schemaController'>;

/** The fastify options for validation: the generated validators in the bundle, ajv at start from src. */
export function schemaOptions(precompiled: PrecompiledValidators | undefined = PRECOMPILED_VALIDATORS): SchemaOptions {
  if (!precompiled) return { ajv: { customOptions: AJV_CUSTOM_OPTIONS } };
  const compilersFactory = {
    buildValidator: () => ({ schema, method, url, httpPart }: { schema: unknown; method: string; url: string; httpPart?: string }) => {
      const validate = precompiled.get(validatorKey(httpPart ?? '', schema));
      if (!validate) throw new Error(`${method} ${url}: the build generated no validator for this ${httpPart} schema (it changed since the build): run npm run build`);
      return validate;
    },
    // No route has a response schema: answers are JSON.stringify'd. One added needs a generated serializer too.
    buildSerializer: () => ({ method, url }: { method: string; url: string }) => {
      throw new Error(`${method} ${url}: response schemas are not compiled in the bundle (build/api-validators.ts generates validators only)`);
    },
  } as unknown as CompilersFactory;
  return { schemaController: { compilersFactory } };
}
