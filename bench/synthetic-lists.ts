// Deterministic synthetic category lists shaped like UT1 (one big adult category, a long tail of
// small ones), and a query mix over them. Same seed, same names: runs are comparable.
import { mkdirSync, existsSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'shi', 'po', 'zen', 'qua', 'vex', 'dor', 'fin', 'gal', 'hub', 'jo', 'kit', 'lux', 'max', 'nov', 'ox', 'pix', 'rad', 'sol'];
const TLDS = ['com', 'com', 'com', 'net', 'org', 'fr', 'de', 'ru', 'info', 'xyz', 'top', 'co.uk', 'io', 'online', 'site'];

export function randomName(next: () => number, depth = 1 + Math.floor(next() * 2)): string {
  const label = () => {
    let l = '';
    const n = 2 + Math.floor(next() * 4);
    for (let i = 0; i < n; i++) l += SYLLABLES[Math.floor(next() * SYLLABLES.length)];
    if (next() < 0.3) l += Math.floor(next() * 1000);
    return l;
  };
  const parts: string[] = [];
  for (let i = 0; i < depth; i++) parts.push(label());
  return `${parts.join('.')}.${TLDS[Math.floor(next() * TLDS.length)]}`;
}

/** Category sizes as fractions of the total, shaped like the real UT1 set. */
const SHAPE: [string, number][] = [
  ['adult', 0.84], ['malware', 0.05], ['phishing', 0.04], ['gambling', 0.01], ['games', 0.01],
  ['vpn', 0.005], ['doh', 0.002], ['redirector', 0.008], ['social_networks', 0.002], ['shopping', 0.01],
  ['warez', 0.004], ['dating', 0.004], ['audio-video', 0.01], ['filehosting', 0.002], ['hacking', 0.002],
  ['drogue', 0.002], ['agressif', 0.002], ['cryptojacking', 0.002], ['liste_blanche', 0.001],
];

/** Writes a UT1-shaped folder of `total` names (cached by size); returns its path and a sample of listed names. */
export async function ut1Folder(root: string, total: number): Promise<{ path: string; listed: string[] }> {
  const path = join(root, `ut1-${total}`);
  const next = rng(total);
  const listed: string[] = [];
  const fresh = !existsSync(join(path, 'done'));
  // Distinct names, as in the real lists (a name appears in one category, rarely two).
  const seen = new Set<string>();
  for (const [cat, share] of SHAPE) {
    const dir = join(path, cat);
    mkdirSync(dir, { recursive: true });
    const count = Math.round(total * share);
    const out = fresh ? createWriteStream(join(dir, 'domains')) : undefined;
    for (let i = 0; i < count; i++) {
      let name = randomName(next);
      while (seen.has(name)) name = randomName(next);
      seen.add(name);
      if (i % 97 === 0) listed.push(name);
      if (out && !out.write(`${name}\n`)) await once(out, 'drain');
    }
    if (out) {
      out.end();
      await once(out, 'finish');
      writeFileSync(join(dir, 'usage'), cat === 'liste_blanche' ? 'white\n' : 'black\n');
    }
  }
  if (fresh) writeFileSync(join(path, 'done'), '');
  return { path, listed };
}

/** A query mix: `blockedShare` of names listed (half of them as subdomains), the rest unlisted. */
export function queryMix(listed: string[], count: number, blockedShare: number, seed = 7): string[] {
  const next = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (next() < blockedShare) {
      const n = listed[Math.floor(next() * listed.length)];
      out.push(next() < 0.5 ? n : `www.${n}`);
    } else {
      out.push(`${next() < 0.5 ? 'www.' : ''}${randomName(next)}.example`);
    }
  }
  return out;
}
