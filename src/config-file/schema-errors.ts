// Turns TypeBox validation errors into short messages a technician can act on.
import { Kind } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import type { ValueError } from '@sinclair/typebox/value';
import { FORMAT_HINTS } from '../schema/index.js';
import { pointerToPath } from './positions.js';
import type { Path } from './positions.js';

export interface SchemaProblem {
  path: Path;
  /** true when the position should be the key itself (unknown keys) */
  atKey: boolean;
  message: string;
}

export function schemaProblems(schema: TSchema, value: unknown): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    for (const p of explain(e)) {
      const id = p.path.join('/');
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(p);
    }
  }
  return out;
}

function explain(e: ValueError): SchemaProblem[] {
  const path = pointerToPath(e.path);
  const last = path[path.length - 1];
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      const known = Object.keys((e.schema as { properties?: object }).properties ?? {});
      const hint = closest(String(last), known);
      return [{ path, atKey: true, message: `unknown key "${String(last)}"${hint ? ` (did you mean "${hint}"?)` : ''}` }];
    }
    case ValueErrorType.ObjectRequiredProperty:
      return [{ path: path.slice(0, -1), atKey: false, message: `missing required key "${String(last)}"` }];
    case ValueErrorType.StringFormat:
      return [{ path, atKey: false, message: `${JSON.stringify(e.value)} is not ${FORMAT_HINTS[kw(e.schema, 'format')] ?? 'valid'}` }];
    case ValueErrorType.StringPattern:
      return [{ path, atKey: false, message: `${JSON.stringify(e.value)} is not allowed here${describe(e.schema)}` }];
    case ValueErrorType.Union:
      return unionProblems(e, path);
    case ValueErrorType.ArrayMinItems:
      return [{ path, atKey: false, message: `needs at least ${kw(e.schema, 'minItems')} entr${kw<number>(e.schema, 'minItems') === 1 ? 'y' : 'ies'}` }];
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return [{ path, atKey: false, message: `${String(e.value)} is below the minimum ${kw(e.schema, 'minimum')}` }];
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return [{ path, atKey: false, message: `${String(e.value)} is above the maximum ${kw(e.schema, 'maximum')}` }];
    case ValueErrorType.StringMinLength:
      return [{ path, atKey: false, message: `must be at least ${kw(e.schema, 'minLength')} characters` }];
    default:
      if (e.value === undefined) return [];
      return [{ path, atKey: false, message: `expected ${kindName(e.schema)}, got ${shown(e.value)}` }];
  }
}

function unionProblems(e: ValueError, path: Path): SchemaProblem[] {
  const variants = kw<TSchema[]>(e.schema, 'anyOf');
  const literals = variants.filter((v) => v[Kind] === 'Literal').map((v) => kw(v, 'const'));
  if (literals.length === variants.length) {
    return [{ path, atKey: false, message: `${shown(e.value)} is not one of: ${literals.join(', ')}` }];
  }
  // Report against the variant of the same shape (a list against the list form, and so on).
  const same = variants.find((v) => kindMatches(v, e.value));
  if (same) {
    const inner = schemaProblems(same, e.value);
    if (inner.length > 0) return inner.map((p) => ({ ...p, path: [...path, ...p.path] }));
  }
  const shapes = variants.map((v) => (v[Kind] === 'Literal' ? JSON.stringify(kw(v, 'const')) : kindName(v)));
  return [{ path, atKey: false, message: `expected ${shapes.join(' or ')}, got ${shown(e.value)}` }];
}

function kindMatches(schema: TSchema, value: unknown): boolean {
  switch (schema[Kind]) {
    case 'Array': return Array.isArray(value);
    case 'Object': case 'Record': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'String': return typeof value === 'string';
    case 'Integer': case 'Number': return typeof value === 'number';
    case 'Boolean': return typeof value === 'boolean';
    default: return false;
  }
}

function kindName(schema: TSchema): string {
  switch (schema[Kind]) {
    case 'Array': return 'a list';
    case 'Object': case 'Record': return 'a mapping (key: value)';
    case 'String': return 'text';
    case 'Integer': return 'a whole number';
    case 'Number': return 'a number';
    case 'Boolean': return 'true or false';
    case 'Literal': return JSON.stringify(kw(schema, 'const'));
    default: return 'a different value';
  }
}

function describe(schema: TSchema): string {
  return schema.description ? ` (${schema.description})` : '';
}

function shown(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The known key nearest to a misspelt one (edit distance ≤ 2). */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** A JSON-schema keyword of a TypeBox schema (minItems, format, const, …). */
function kw<T = string>(schema: TSchema, name: string): T {
  return (schema as Record<string, unknown>)[name] as T;
}
