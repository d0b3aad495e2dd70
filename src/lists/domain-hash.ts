// The index stores no names, only a 64-bit fingerprint of each listed name (two independent
// 32-bit hashes). A name is hashed character by character from its end ("www.example.com" is fed
// as "moc.elpmaxe.www"), so each dot passed yields the fingerprint of one suffix: one pass over a
// query gives the name and every parent, with no substring. The same walk runs over a string and
// over DNS wire labels; DomainIndex inlines it on the lookup path (index formats 3 and 4).

export const H1_SEED = 0x811c9dc5;
export const H2_SEED = 0x9747b28c;
/** FNV-1a's prime (lane 1: xor then multiply) */
export const H1_MUL = 0x01000193;
/** murmur2's constant (lane 2: add then multiply, so the lanes do not move together) */
export const H2_MUL = 0x5bd1e995;
export const DOT = 0x2e;

/** murmur3's finaliser: spreads every input bit over the output (the lanes' low bits are weak). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** ASCII upper case to lower case; everything else as it is. */
export function foldCase(c: number): number {
  return c - 65 >>> 0 < 26 ? c | 0x20 : c;
}

/** Receives one (h1, h2) pair per suffix, shortest first; return false to stop the walk. */
export type SuffixVisitor = (h1: number, h2: number, suffixStart: number) => boolean;

/**
 * Walks the suffixes of a lower- or mixed-case name (no trailing dot) from the top-level label
 * down. `suffixStart` is the index in `name` where the suffix begins.
 */
export function walkSuffixes(name: string, visit: SuffixVisitor): void {
  if (name.length === 0) return;
  let h1 = H1_SEED;
  let h2 = H2_SEED;
  for (let i = name.length - 1; i >= 0; i--) {
    const c = foldCase(name.charCodeAt(i));
    if (c === DOT && !visit(fmix32(h1), fmix32(h2), i + 1)) return;
    h1 = Math.imul(h1 ^ c, H1_MUL);
    h2 = Math.imul((h2 + c) | 0, H2_MUL);
  }
  visit(fmix32(h1), fmix32(h2), 0);
}

/**
 * The same walk over a DNS question name in wire form. `labelOffsets` holds the offset of each
 * label's length byte, left to right (`count` of them). Compression pointers must already be
 * resolved by the caller (questions from clients are never compressed in practice, and the
 * parser rejects pointers in the question). `suffixStart` is the label number.
 */
export function walkWireSuffixes(buf: Uint8Array, labelOffsets: Uint16Array | number[], count: number, visit: SuffixVisitor): void {
  let h1 = H1_SEED;
  let h2 = H2_SEED;
  for (let l = count - 1; l >= 0; l--) {
    if (l !== count - 1) {
      h1 = Math.imul(h1 ^ DOT, H1_MUL);
      h2 = Math.imul((h2 + DOT) | 0, H2_MUL);
    }
    const at = labelOffsets[l];
    for (let i = at + buf[at]; i > at; i--) {
      const c = foldCase(buf[i]);
      h1 = Math.imul(h1 ^ c, H1_MUL);
      h2 = Math.imul((h2 + c) | 0, H2_MUL);
    }
    if (!visit(fmix32(h1), fmix32(h2), l)) return;
  }
}

/** The fingerprint of a whole (normalised) name: the last suffix of the walk, in one loop. */
export function fingerprint(name: string): [number, number] {
  let h1 = H1_SEED;
  let h2 = H2_SEED;
  for (let i = name.length - 1; i >= 0; i--) {
    const c = foldCase(name.charCodeAt(i));
    h1 = Math.imul(h1 ^ c, H1_MUL);
    h2 = Math.imul((h2 + c) | 0, H2_MUL);
  }
  return [fmix32(h1), fmix32(h2)];
}
