// The Host header of an HTTP/1.x request (RFC 9112 §3.2) in the first segment of a connection.
// Looks only at the first MAX_SCAN bytes: request line and headers fit there in practice.
import { hostText } from './tls-hello.js';

const MAX_SCAN = 4096;
const METHODS = ['GET ', 'POST ', 'HEAD ', 'PUT ', 'DELETE ', 'OPTIONS ', 'PATCH ', 'CONNECT '].map((m) => Buffer.from(m));

function startsWithMethod(b: Uint8Array, start: number, end: number): boolean {
  outer: for (const m of METHODS) {
    if (end - start < m.length) continue;
    for (let i = 0; i < m.length; i++) if (b[start + i] !== m[i]) continue outer;
    return true;
  }
  return false;
}

/** The request's host (port and trailing dot removed), undefined if none, null if not HTTP. */
export function httpHost(b: Uint8Array, start: number, end: number): string | null | undefined {
  if (!startsWithMethod(b, start, end)) return null;
  const stop = Math.min(end, start + MAX_SCAN);
  for (let i = start; i + 7 < stop; i++) {
    // "\nhost:" case-insensitively
    if (b[i] !== 0x0a) continue;
    if (b[i + 1] === 0x0d || b[i + 1] === 0x0a) return undefined; // end of headers
    if ((b[i + 1] | 0x20) !== 0x68 || (b[i + 2] | 0x20) !== 0x6f || (b[i + 3] | 0x20) !== 0x73 || (b[i + 4] | 0x20) !== 0x74 || b[i + 5] !== 0x3a) continue;
    let s = i + 6;
    while (s < stop && (b[s] === 0x20 || b[s] === 0x09)) s++;
    let e = s;
    while (e < stop && b[e] !== 0x0d && b[e] !== 0x0a && b[e] !== 0x3a && b[e] !== 0x20) e++;
    // an IPv6 literal host ("[::1]:80") is an address, not a name to look up
    if (b[s] === 0x5b) return undefined;
    return hostText(b, s, e) ?? undefined;
  }
  return undefined;
}
