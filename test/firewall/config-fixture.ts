// Firewall unit tests build a full Config from a small object the way the loader does: schema
// defaults, then validation (a typo in a fixture fails loudly).
import { Value } from '@sinclair/typebox/value';
import { ConfigSchema } from '../../src/config.js';
import type { Config } from '../../src/config.js';

export function configOf(raw: Record<string, unknown>): Config {
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw));
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length > 0) throw new Error(`bad fixture config: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return withDefaults as Config;
}
