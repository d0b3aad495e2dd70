// The server name of a TLS ClientHello (RFC 8446 §4.1.2, SNI: RFC 6066 §3), and whether it
// carries Encrypted Client Hello (draft-ietf-tls-esni, extension 0xfe0d: the SNI we see is then
// only the outer, public name). Reads bytes in place; allocates only the name it returns.

export const HELLO = {
  /** a ClientHello with a server name (or none: name undefined) */
  OK: 0,
  /** the start of a ClientHello whose rest is in later segments: `needed` bytes in all */
  PARTIAL: 1,
  /** not a TLS handshake record with a ClientHello */
  NOT_HELLO: 2,
  /** a ClientHello whose fields do not add up */
  BAD: 3,
} as const;
export type HelloStatus = (typeof HELLO)[keyof typeof HELLO];

export interface HelloResult {
  status: HelloStatus;
  name: string | undefined;
  ech: boolean;
  /** PARTIAL: bytes of the whole record, from the start */
  needed: number;
}

const EXT_SERVER_NAME = 0x0000;
const EXT_ECH = 0xfe0d;
/** Larger than any real ClientHello record (16 KiB + header): the reassembly bound. */
export const MAX_HELLO_BYTES = 16_389;

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];

export function newHelloResult(): HelloResult {
  return { status: HELLO.NOT_HELLO, name: undefined, ech: false, needed: 0 };
}

/** Quick test on a TCP payload: does a TLS handshake record with a ClientHello start here? */
export function looksLikeHello(b: Uint8Array, start: number, end: number): boolean {
  return end - start >= 6 && b[start] === 0x16 && b[start + 1] === 0x03 && b[start + 5] === 0x01;
}

/** A ClientHello inside a TLS record (TCP): bytes [start, end) from the record header on. */
export function parseTlsRecord(b: Uint8Array, start: number, end: number, out: HelloResult): HelloStatus {
  out.name = undefined;
  out.ech = false;
  out.needed = 0;
  if (!looksLikeHello(b, start, end)) return (out.status = HELLO.NOT_HELLO);
  const recordLen = u16(b, start + 3);
  if (recordLen < 4 || recordLen > 16_384) return (out.status = HELLO.BAD);
  if (end - start < 5 + recordLen) {
    out.needed = 5 + recordLen;
    return (out.status = HELLO.PARTIAL);
  }
  const hsLen = (b[start + 6] << 16) | (b[start + 7] << 8) | b[start + 8];
  // A hello split over several records is legal but unseen in practice: not followed.
  if (hsLen + 4 > recordLen) return (out.status = HELLO.BAD);
  return parseHandshake(b, start + 5, start + 5 + recordLen, out);
}

/** A ClientHello handshake message (QUIC CRYPTO data carries it without a record layer). */
export function parseHandshake(b: Uint8Array, start: number, end: number, out: HelloResult): HelloStatus {
  out.name = undefined;
  out.ech = false;
  if (end - start < 4 || b[start] !== 0x01) return (out.status = HELLO.NOT_HELLO);
  const hsEnd = start + 4 + ((b[start + 1] << 16) | (b[start + 2] << 8) | b[start + 3]);
  if (hsEnd > end) {
    out.needed = hsEnd - start;
    return (out.status = HELLO.PARTIAL);
  }
  // legacy_version, random
  let p = start + 4 + 2 + 32;
  if (p + 1 > hsEnd) return (out.status = HELLO.BAD);
  p += 1 + b[p]; // session id
  if (p + 2 > hsEnd) return (out.status = HELLO.BAD);
  p += 2 + u16(b, p); // cipher suites
  if (p + 1 > hsEnd) return (out.status = HELLO.BAD);
  p += 1 + b[p]; // compression methods
  if (p === hsEnd) return (out.status = HELLO.OK); // no extensions (TLS 1.2 may omit them)
  if (p + 2 > hsEnd) return (out.status = HELLO.BAD);
  const extEnd = p + 2 + u16(b, p);
  if (extEnd > hsEnd) return (out.status = HELLO.BAD);
  p += 2;
  while (p + 4 <= extEnd) {
    const type = u16(b, p);
    const len = u16(b, p + 2);
    const body = p + 4;
    if (body + len > extEnd) return (out.status = HELLO.BAD);
    if (type === EXT_SERVER_NAME) {
      const name = serverName(b, body, body + len);
      if (name === null) return (out.status = HELLO.BAD);
      out.name = name;
    } else if (type === EXT_ECH) {
      out.ech = true;
    }
    p = body + len;
  }
  if (p !== extEnd) return (out.status = HELLO.BAD);
  return (out.status = HELLO.OK);
}

/** The host_name entry of a server_name extension, lower-cased; null when malformed. */
function serverName(b: Uint8Array, start: number, end: number): string | null | undefined {
  if (start + 2 > end || start + 2 + u16(b, start) !== end) return null;
  let p = start + 2;
  while (p + 3 <= end) {
    const kind = b[p];
    const len = u16(b, p + 1);
    if (p + 3 + len > end) return null;
    if (kind === 0) return hostText(b, p + 3, p + 3 + len);
    p += 3 + len;
  }
  return undefined;
}

/**
 * A DNS host name as lower-case text, or null if a byte is not a letter, digit, '-', '_' or '.'
 * (the policy looks it up like a query name; anything else is not a name we could match).
 */
export function hostText(b: Uint8Array, start: number, end: number): string | null {
  if (end <= start || end - start > 253) return null;
  let upper = false;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c >= 0x41 && c <= 0x5a) upper = true;
    else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f)) return null;
  }
  if (b[end - 1] === 0x2e) end--; // the root's trailing dot
  if (end <= start) return null;
  // one string, made once (no per-character concatenation on the hot path)
  const s = Buffer.prototype.latin1Slice.call(b, start, end) as string;
  return upper ? s.toLowerCase() : s;
}
