// Reads a YAML config, validates it against the schema, applies defaults, runs the semantic
// checks and reports every problem as FILE:LINE:COL: message.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { Value } from '@sinclair/typebox/value';
import { ConfigSchema } from '../config.js';
import type { Config } from '../config.js';
import { semanticProblems } from './checks.js';
import type { Problem } from './checks.js';
import type { CategoryCatalog } from '../lists/index.js';
import { positionOf } from './positions.js';
import { schemaProblems } from './schema-errors.js';
import { DEV_PROFILE_NAME, DEV_PROFILE_YAML, PACKAGE_ROOT } from './dev-profile.js';

export interface ConfigError {
  file: string;
  line: number;
  col: number;
  message: string;
}

export interface LoadedConfig {
  config: Config;
  /** the file it came from, or the dev profile's name */
  file: string;
  /** relative paths in the file resolve against this folder */
  baseDir: string;
  text: string;
}

export type LoadResult = { ok: true; loaded: LoadedConfig } | { ok: false; errors: ConfigError[] };

/** Finds what categories the configured lists provide (reads local sources and caches). */
export type CatalogReader = (config: Config) => Promise<CategoryCatalog>;

export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.message}`;
}

export async function loadConfig(file: string | undefined, readCatalog: CatalogReader): Promise<LoadResult> {
  if (file === undefined) return parseConfig(DEV_PROFILE_YAML, DEV_PROFILE_NAME, PACKAGE_ROOT, readCatalog);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err);
    return { ok: false, errors: [{ file, line: 1, col: 1, message }] };
  }
  return parseConfig(text, file, dirname(resolve(file)), readCatalog);
}

export async function parseConfig(text: string, file: string, baseDir: string, readCatalog: CatalogReader): Promise<LoadResult> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const errorAt = (problems: Problem[]): ConfigError[] =>
    problems
      .map((p) => ({ file, ...positionOf(doc, lines, p.path, p.atKey), message: p.message }))
      .sort((a, b) => a.line - b.line || a.col - b.col);

  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { file, line: pos.line, col: pos.col, message: firstLine(e.message) };
      }),
    };
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ file, line: 1, col: 1, message: 'the config must be a mapping of keys (mode:, dns:, groups:, …)' }] };
  }
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw));
  const schemaErrors = schemaProblems(ConfigSchema, withDefaults);
  if (schemaErrors.length > 0) return { ok: false, errors: errorAt(schemaErrors) };

  const config = resolvePaths(withDefaults as Config, baseDir);
  const catalog = await readCatalog(config);
  const problems = semanticProblems(config, catalog);
  if (problems.length > 0) return { ok: false, errors: errorAt(problems) };
  return { ok: true, loaded: { config, file, baseDir, text } };
}

function resolvePaths(config: Config, baseDir: string): Config {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    ...config,
    dataDir: abs(config.dataDir),
    lists: config.lists.map((l) => (/^https?:\/\//i.test(l.source) ? l : { ...l, source: abs(l.source) })),
    identity: { ...config.identity, leases: config.identity.leases && abs(config.identity.leases) },
    leds: { ...config.leds, path: config.leds.path && abs(config.leds.path) },
    devices: { ...config.devices, register: config.devices.register && abs(config.devices.register) },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
