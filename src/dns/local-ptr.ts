// Reverse names of private and special-use addresses (the RFC 6303 zones, plus 100.64/10 from
// RFC 7793) never leave the school: an upstream cannot know them, and asking leaks the LAN's
// layout. They are answered here, from the hostnames the device directory knows, or NXDOMAIN.
// Pure: the caller passes the hostname lookup.
import { compressV6 } from './response-scan.js';

export interface PtrName {
  /** the name lies in one of the zones */
  local: boolean;
  /** the address, when the name is a whole one (4 octets / 32 nibbles) */
  ip?: string;
}

const V4_ZONES: readonly number[][] = [
  [10], [127], [0], [169, 254], [192, 168], [192, 0, 2], [198, 51, 100], [203, 0, 113], [255, 255, 255, 255],
  ...Array.from({ length: 16 }, (_, i) => [172, 16 + i]),
  ...Array.from({ length: 64 }, (_, i) => [100, 64 + i]),
];

// Nibble prefixes, most significant first: fd00::/8 and fc00::/8 (ULA), fe80::/10, 2001:db8::/32,
// ::1 and :: (their whole 32 nibbles).
const V6_ZONES: readonly string[] = ['fd', 'fc', 'fe8', 'fe9', 'fea', 'feb', '20010db8', `${'0'.repeat(31)}1`, '0'.repeat(32)];

const NOT_LOCAL: PtrName = { local: false };

export function classifyPtr(name: string): PtrName {
  if (name.endsWith('.in-addr.arpa')) {
    const labels = name.slice(0, -'.in-addr.arpa'.length).split('.').reverse();
    const octets: number[] = [];
    for (const l of labels) {
      if (!/^\d{1,3}$/.test(l) || Number(l) > 255) return octets.length > 0 && inV4Zone(octets, true) ? { local: true } : NOT_LOCAL;
      octets.push(Number(l));
    }
    if (!inV4Zone(octets, octets.length === 4)) return NOT_LOCAL;
    return octets.length === 4 ? { local: true, ip: octets.join('.') } : { local: true };
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.').reverse();
    if (nibbles.some((n) => !/^[0-9a-f]$/.test(n))) {
      const valid = nibbles.slice(0, nibbles.findIndex((n) => !/^[0-9a-f]$/.test(n))).join('');
      return V6_ZONES.some((z) => valid.startsWith(z)) ? { local: true } : NOT_LOCAL;
    }
    const hex = nibbles.join('');
    if (!V6_ZONES.some((z) => hex.startsWith(z))) return NOT_LOCAL;
    if (hex.length !== 32) return { local: true };
    const words = hex.match(/.{4}/g) ?? [];
    return { local: true, ip: compressV6(words.map((w) => parseInt(w, 16).toString(16))) };
  }
  return NOT_LOCAL;
}

function inV4Zone(octets: number[], whole: boolean): boolean {
  // A name inside a zone needs at least the zone's own labels; a parent of a zone is not local.
  return V4_ZONES.some((z) => octets.length >= z.length && z.every((o, i) => octets[i] === o)) && (whole || octets.length > 0);
}
