// The documented example config, generated from the one schema (src/config.ts): every key with
// its description, allowed values, default and whether it needs a restart. Values come from
// `firmware/example-values.yaml` (a realistic school; its first document is the active config,
// its second maps optional keys that have no default to an example). Keys missing from the
// values are written commented out (`#key: value`, the sshd_config habit), so uncommenting one
// changes nothing unless its value is changed too.
//
// Layout rules the example's tests rely on: block style for every mapping (one key per line),
// flow style only for lists of scalars, two spaces per level.
import { Kind, OptionalKind } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { readFile } from 'node:fs/promises';
import { parse, parseAllDocuments } from 'yaml';

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  patternProperties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  const?: unknown;
  default?: unknown;
  description?: string;
  requiresRestart?: boolean;
  minimum?: number;
  maximum?: number;
}

const kindOf = (s: Node): string => String((s as Record<symbol, unknown>)[Kind] ?? '');
const isOptional = (s: Node): boolean => (s as Record<symbol, unknown>)[OptionalKind] === 'Optional';
const literals = (s: Node): unknown[] | undefined => (kindOf(s) === 'Union' && s.anyOf?.every((a) => kindOf(a) === 'Literal') ? s.anyOf.map((a) => a.const) : undefined);
const isObject = (s: Node) => kindOf(s) === 'Object';
const isRecord = (s: Node) => kindOf(s) === 'Record';
const recordValue = (s: Node): Node => Object.values(s.patternProperties ?? {})[0];
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ExampleResult {
  text: string;
  /** keys that have no description, or no value, default or example (the integrator fills these in) */
  warnings: string[];
}

export interface ExampleInput {
  schema: TSchema;
  /** the active config (first YAML document of the values file) */
  values: Record<string, unknown>;
  /** dotted path (arrays `[]`, records `*`) → example value, for optional keys without a default */
  examples: Record<string, unknown>;
  header: string[];
}

const WIDTH = 100;
const RESERVED = /^(y|n|yes|no|on|off|true|false|null|~)$/i;

export function scalar(v: unknown): string {
  if (typeof v === 'string') {
    // Plain only when every YAML reader sees the same string (dates and times stay quoted for
    // YAML 1.1 readers, which would make them timestamps and sexagesimal numbers).
    const plain = /^[\w./+-][\w./@+-]*$/.test(v) && !RESERVED.test(v) && !/^\d{4}-\d\d-\d\d/.test(v) && parse(v) === v && !v.startsWith('-');
    return plain ? v : JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(scalar).join(', ')}]`;
  if (isPlainObject(v) && Object.keys(v).length === 0) return '{}';
  return v === undefined ? '~' : String(v);
}

const isScalarish = (v: unknown) => !isPlainObject(v) && !(Array.isArray(v) && v.some((x) => isPlainObject(x) || Array.isArray(x)));

export function generateExample(input: ExampleInput): ExampleResult {
  const out: string[] = input.header.map((l) => (l ? `# ${l}` : '#'));
  const warnings: string[] = [];
  const pad = (n: number) => ' '.repeat(n);

  const doc = (indent: number, s: Node, path: string) => {
    const parts: string[] = [];
    if (s.description) parts.push(/[.\u2026?!]$/.test(s.description) ? s.description : `${s.description}.`);
    else if (!isObject(s) && !path.endsWith('*')) warnings.push(`${path}: no description`);
    const lit = literals(s);
    if (lit) parts.push(`One of: ${lit.join(' | ')}.`);
    if (s.minimum !== undefined && s.maximum !== undefined) parts.push(`Range: ${s.minimum} to ${s.maximum}.`);
    else if (s.minimum !== undefined) parts.push(`At least ${s.minimum}.`);
    else if (s.maximum !== undefined) parts.push(`At most ${s.maximum}.`);
    if (s.default !== undefined && isScalarish(s.default)) parts.push(`Default: ${scalar(s.default)}.`);
    else if (s.default === undefined && isOptional(s)) parts.push('Optional.');
    if (s.requiresRestart) parts.push('Needs a restart.');
    if (parts.length > 0) wrap(parts.join(' '), WIDTH - indent - 2).forEach((l) => out.push(`${pad(indent)}# ${l}`));
  };

  // One key: its docs (when asked), then the key, active or commented out, and what it holds.
  const key = (k: string, s: Node, value: unknown, indent: number, path: string, o: Opts) => {
    if (o.docs) doc(indent, s, path);
    const present = value !== undefined && !o.commented;
    const hash = present ? '' : '#';
    const lead = o.dash ? `${pad(indent - 2)}${hash}- ` : `${pad(indent)}${hash}`;
    const v = value !== undefined ? value : fallback(s, path, o.hint);
    const alt = unionObjectFor(s, v);
    const target = alt ?? s;
    const commented = !present;
    if (isObject(target) && (v === undefined || isPlainObject(v))) {
      out.push(`${lead}${k}:`);
      object(target, isPlainObject(v) ? v : {}, indent + 2, path, { commented, docs: o.docs });
    } else if (isRecord(target) && (v === undefined || isPlainObject(v))) {
      const entries = isPlainObject(v) ? v : {};
      out.push(`${lead}${k}:${Object.keys(entries).length === 0 && present ? ' {}' : ''}`);
      record(target, entries, indent + 2, path, { commented: commented || Object.keys(entries).length === 0, docs: o.docs });
    } else if (kindOf(target) === 'Array' && target.items && holdsObjects(target.items)) {
      const items = Array.isArray(v) ? v : [];
      out.push(`${lead}${k}:${items.length === 0 && present ? ' []' : ''}`);
      array(target.items, items, indent + 2, `${path}[]`, { commented: commented || items.length === 0, docs: o.docs });
    } else if (v === undefined) {
      warnings.push(`${path}: no value, default or example`);
      out.push(`${lead}${k}: ~`);
    } else {
      out.push(`${lead}${k}: ${scalar(v)}`);
    }
    // A union with an object form the value does not use (admin.tls: {cert, key}): show it too.
    if (o.docs && kindOf(s) === 'Union' && !literals(s)) {
      for (const other of s.anyOf ?? []) {
        if (other === alt || !isObject(other)) continue;
        out.push(`${pad(indent)}# or:`);
        out.push(`${pad(indent)}#${k}:`);
        object(other, isPlainObject(input.examples[path]) ? input.examples[path] as Record<string, unknown> : {}, indent + 2, path, { commented: true, docs: true });
      }
    }
  };

  // A key left out: its example, else its default, else what a later item of the list sets.
  const fallback = (s: Node, path: string, hint: unknown): unknown => (path in input.examples ? input.examples[path] : s.default ?? hint);

  const object = (s: Node, value: Record<string, unknown>, indent: number, path: string, o: Opts) => {
    const props = Object.entries(s.properties ?? {});
    for (const k of Object.keys(value)) if (!(s.properties ?? {})[k]) warnings.push(`${path}.${k}: in the values but not in the schema`);
    // In a list item the dash goes on the first key written: present keys first, then the rest.
    const ordered = o.dash ? [...props.filter(([k]) => value[k] !== undefined), ...props.filter(([k]) => value[k] === undefined)] : props;
    let first = true;
    for (const [k, child] of ordered) {
      // Later items of a list show only what they set; the first one documents every key.
      if (!o.docs && value[k] === undefined) continue;
      if (indent === 0) out.push('');
      key(k, child, value[k], indent, path ? `${path}.${k}` : k, { commented: o.commented || value[k] === undefined, docs: o.docs, dash: o.dash && first, hint: o.hints?.[k] });
      first = false;
    }
  };

  const array = (item: Node, items: unknown[], indent: number, path: string, o: Opts) => {
    const shown = items.length > 0 ? items : [input.examples[path] ?? {}];
    const hints: Record<string, unknown> = {};
    for (const later of shown.slice(1)) if (isPlainObject(later)) for (const [k, v] of Object.entries(later)) hints[k] ??= v;
    shown.forEach((v, i) => {
      const alt = unionObjectFor(item, v) ?? item;
      object(alt, isPlainObject(v) ? v : {}, indent + 2, path, { commented: o.commented, docs: o.docs && i === 0, dash: true, hints: i === 0 ? hints : undefined });
    });
  };

  const record = (s: Node, value: Record<string, unknown>, indent: number, path: string, o: Opts) => {
    const inner = recordValue(s);
    const entries = Object.entries(value);
    const shown: [string, unknown][] = entries.length > 0 ? entries : [['<name>', input.examples[`${path}.*`]]];
    // Each differently shaped entry documents its own form (a schedule as a list of windows,
    // and as {windows, only, except}).
    const documented = new Set<Node>();
    for (const [name, v] of shown) {
      const alt = unionObjectFor(inner, v) ?? inner;
      key(name, alt, v, indent, `${path}.*`, { commented: o.commented, docs: o.docs && !documented.has(alt) });
      documented.add(alt);
    }
  };

  object(input.schema as Node, input.values, 0, '', { commented: false, docs: true });
  return { text: `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`, warnings };
}

interface Opts {
  commented: boolean;
  docs: boolean;
  dash?: boolean;
  /** for a left-out key: the value a later list item gives it */
  hint?: unknown;
  /** for the first item of a list: the keys later items set */
  hints?: Record<string, unknown>;
}

const holdsObjects = (s: Node): boolean => isObject(s) || (kindOf(s) === 'Union' && (s.anyOf ?? []).some(isObject));

/** The alternative of a union that `v` matches (objects and lists only), if any. */
function unionObjectFor(s: Node, v: unknown): Node | undefined {
  if (kindOf(s) !== 'Union' || literals(s)) return undefined;
  const alts = s.anyOf ?? [];
  const match = v === undefined ? undefined : alts.find((a) => (isObject(a) || kindOf(a) === 'Array') && Value.Check(a as TSchema, v));
  return match;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** firmware/example-values.yaml: the active values and the examples for optional keys. */
export async function readExampleValues(file: string): Promise<{ values: Record<string, unknown>; examples: Record<string, unknown> }> {
  const docs = parseAllDocuments(await readFile(file, 'utf8'));
  if (!Array.isArray(docs) || docs.length !== 2) throw new Error(`${file}: expected two YAML documents (values, then examples)`);
  const [values, examples] = docs.map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
    const v: unknown = d.toJS();
    if (!isPlainObject(v)) throw new Error(`${file}: each document must be a mapping`);
    return v;
  });
  return { values, examples };
}

/** Sets `a.b.0.c` to `value` in a plain-object tree (a --set of `schoolgate example-config`); null removes it. */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> | unknown[] = root;
  parts.forEach((p, i) => {
    const k: string | number = Array.isArray(node) ? Number(p) : p;
    if (Array.isArray(node) && !Number.isInteger(k)) throw new Error(`${path}: "${p}" is not a list index`);
    const container = node as Record<string | number, unknown>;
    if (i === parts.length - 1) {
      if (value === null) delete container[k];
      else container[k] = value;
      return;
    }
    const next = container[k];
    if (typeof next !== 'object' || next === null) container[k] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    node = container[k] as Record<string, unknown> | unknown[];
  });
}
