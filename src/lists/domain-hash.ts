// The index stores no names, only a 64-bit fingerprint of each listed name (two independent
// 32-bit hashes). Names are hashed label by label from the right ("www.example.com" is fed as
// "com" "." "example" "." "www"), so one pass over a query yields the fingerprint of the name and
// of every parent suffix. The same walk runs over a string and over DNS wire labels.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const H2_SEED = 0x9747b28c;
const H2_MUL = 0x5bd1e995;
const DOT = 0x2e;

/** murmur3's finaliser: spreads every input bit over the output. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Receives one (h1, h2) pair per suffix, shortest first; return false to stop the walk. */
export type SuffixVisitor = (h1: number, h2: number, suffixStart: number) => boolean;

/**
 * Walks the suffixes of a lower- or mixed-case name (no trailing dot) from the top-level label
 * down. `suffixStart` is the index in `name` where the suffix begins.
 */
export function walkSuffixes(name: string, visit: SuffixVisitor): void {
  let h1 = FNV_OFFSET;
  let h2 = H2_SEED;
  let end = name.length;
  let first = true;
  while (end > 0) {
    const dot = name.lastIndexOf('.', end - 1);
    const start = dot + 1;
    if (!first) {
      h1 = Math.imul(h1 ^ DOT, FNV_PRIME);
      h2 = Math.imul(h2 ^ DOT, H2_MUL);
      h2 ^= h2 >>> 15;
    }
    first = false;
    for (let i = start; i < end; i++) {
      let c = name.charCodeAt(i);
      if (c >= 65 && c <= 90) c |= 0x20;
      h1 = Math.imul(h1 ^ c, FNV_PRIME);
      h2 = Math.imul(h2 ^ c, H2_MUL);
      h2 ^= h2 >>> 15;
    }
    if (!visit(fmix32(h1), fmix32(h2 ^ 0x5f3759df), start)) return;
    end = dot;
  }
}

/**
 * The same walk over a DNS question name in wire form. `labelOffsets` holds the offset of each
 * label's length byte, left to right (`count` of them). Compression pointers must already be
 * resolved by the caller (questions from clients are never compressed in practice, and the
 * parser rejects pointers in the question).
 */
export function walkWireSuffixes(
  buf: Uint8Array,
  labelOffsets: Uint16Array | number[],
  count: number,
  visit: SuffixVisitor,
): void {
  let h1 = FNV_OFFSET;
  let h2 = H2_SEED;
  for (let l = count - 1; l >= 0; l--) {
    const at = labelOffsets[l];
    const len = buf[at];
    if (l !== count - 1) {
      h1 = Math.imul(h1 ^ DOT, FNV_PRIME);
      h2 = Math.imul(h2 ^ DOT, H2_MUL);
      h2 ^= h2 >>> 15;
    }
    for (let i = at + 1, end = at + 1 + len; i < end; i++) {
      let c = buf[i];
      if (c >= 65 && c <= 90) c |= 0x20;
      h1 = Math.imul(h1 ^ c, FNV_PRIME);
      h2 = Math.imul(h2 ^ c, H2_MUL);
      h2 ^= h2 >>> 15;
    }
    if (!visit(fmix32(h1), fmix32(h2 ^ 0x5f3759df), l)) return;
  }
}

/** The fingerprint of a whole (normalised) name: the last suffix of the walk. */
export function fingerprint(name: string): [number, number] {
  let out: [number, number] = [0, 0];
  walkSuffixes(name, (h1, h2) => {
    out = [h1, h2];
    return true;
  });
  return out;
}
