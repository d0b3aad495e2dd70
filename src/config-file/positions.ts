// Maps a JSON path in the parsed config back to line:col in the YAML text.
import { isMap, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';

export type Path = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

export function pointerToPath(pointer: string): Path {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The node at `path`; with `key`, the key node of the last segment (for "unknown key" errors). */
export function nodeAt(doc: Document, path: Path, key = false): Node | undefined {
  let node: unknown = doc.contents;
  let last: Node | undefined = doc.contents ?? undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) return last;
      if (key && i === path.length - 1) return (pair.key as Node) ?? last;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      return last;
    }
    if (node && typeof node === 'object' && 'range' in node) last = node as Node;
    else return last;
  }
  return last;
}

function keyText(k: unknown): string | undefined {
  if (k && typeof k === 'object' && 'value' in k) return String((k as { value: unknown }).value);
  return k === undefined || k === null ? undefined : String(k);
}

export function positionOf(doc: Document, lines: LineCounter, path: Path, key = false): Position {
  const node = nodeAt(doc, path, key);
  const offset = node?.range?.[0] ?? 0;
  return lines.linePos(offset);
}
