// The ClientHello inside a QUIC v1 Initial packet (RFC 9000 §17.2.2). Initial packets are
// encrypted, but with keys derived from the client's Destination Connection ID, which travels in
// the clear (RFC 9001 §5.2): removing header protection (§5.4) and AEAD_AES_128_GCM (§5.3) gives
// the CRYPTO frames, whose data is the TLS ClientHello. Chrome's hellos (post-quantum key shares)
// span two Initials, and CRYPTO frames may come in any order: fragments are put together per
// connection ID, within MAX_CRYPTO_BYTES and MAX_CONNECTIONS.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import type { Cipher } from 'node:crypto';
import { HELLO, parseHandshake } from './tls-hello.js';
import type { HelloResult, HelloStatus } from './tls-hello.js';

/** RFC 9001 §5.2 */
const INITIAL_SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const QUIC_V1 = 0x00000001;
const MAX_CRYPTO_BYTES = 16_384;
const MAX_CONNECTIONS = 256;

export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
  /** AES-128-ECB with the header protection key, reused for every sample */
  mask: Cipher;
}

/** The HkdfLabel of RFC 8446 §7.1 with an empty context. */
function hkdfLabel(label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  return Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
}
const CLIENT_IN = hkdfLabel('client in', 32);
const LABELS = { 'quic key': hkdfLabel('quic key', 16), 'quic iv': hkdfLabel('quic iv', 12), 'quic hp': hkdfLabel('quic hp', 16) };
const ONE = Buffer.from([1]);

/** HKDF-Expand-Label for outputs of at most one SHA-256 block: T(1) = HMAC(secret, label | 0x01). */
function expandLabel(secret: Buffer, label: keyof typeof LABELS, length: number): Buffer {
  return createHmac('sha256', secret).update(LABELS[label]).update(ONE).digest().subarray(0, length);
}

/** The client's Initial keys for a Destination Connection ID. */
export function clientInitialKeys(dcid: Uint8Array): InitialKeys {
  // HKDF-Extract(salt, dcid) then Expand-Label "client in": one native call
  const client = Buffer.from(hkdfSync('sha256', dcid, INITIAL_SALT_V1, CLIENT_IN, 32));
  const hp = expandLabel(client, 'quic hp', 16);
  const mask = createCipheriv('aes-128-ecb', hp, null);
  mask.setAutoPadding(false);
  return { key: expandLabel(client, 'quic key', 16), iv: expandLabel(client, 'quic iv', 12), hp, mask };
}

/** RFC 9000 §16 variable-length integer at b[p]; -1 if it runs past end. */
function varint(b: Uint8Array, p: number, end: number, len: { n: number }): number {
  if (p >= end) return -1;
  const size = 1 << (b[p] >> 6);
  if (p + size > end) return -1;
  let v = b[p] & 0x3f;
  for (let i = 1; i < size; i++) v = v * 256 + b[p + i];
  len.n = size;
  return v;
}

class CryptoStream {
  // unfilled bytes are never read: only the received ranges are
  readonly data = Buffer.allocUnsafe(MAX_CRYPTO_BYTES);
  /** received [start, end) ranges, sorted and merged */
  ranges: [number, number][] = [];

  add(offset: number, bytes: Uint8Array): boolean {
    if (offset + bytes.length > MAX_CRYPTO_BYTES) return false;
    this.data.set(bytes, offset);
    const all = [...this.ranges, [offset, offset + bytes.length] as [number, number]].sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const r of all) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.ranges = merged;
    return true;
  }

  /** bytes available from offset 0 */
  contiguous(): number {
    const first = this.ranges[0];
    return first && first[0] === 0 ? first[1] : 0;
  }
}

export class QuicInitialReader {
  private readonly keys = new Map<string, InitialKeys>();
  private readonly streams = new Map<string, CryptoStream>();
  private readonly vlen = { n: 0 };
  /** connections whose hello is still incomplete */
  get pending(): number {
    return this.streams.size;
  }

  /** One UDP payload [start, end). OK/PARTIAL/NOT_HELLO/BAD as for TLS; never throws. */
  read(b: Uint8Array, start: number, end: number, out: HelloResult): HelloStatus {
    out.name = undefined;
    out.ech = false;
    out.needed = 0;
    // long header, fixed bit, type Initial (RFC 9000 §17.2)
    if (end - start < 7 || (b[start] & 0xc0) !== 0xc0 || (b[start] & 0x30) !== 0) return (out.status = HELLO.NOT_HELLO);
    const version = ((b[start + 1] << 24) | (b[start + 2] << 16) | (b[start + 3] << 8) | b[start + 4]) >>> 0;
    if (version !== QUIC_V1) return (out.status = HELLO.NOT_HELLO);
    let p = start + 5;
    const dcidLen = b[p];
    if (dcidLen > 20 || p + 1 + dcidLen >= end) return (out.status = HELLO.BAD);
    const dcid = b.subarray(p + 1, p + 1 + dcidLen);
    p += 1 + dcidLen;
    const scidLen = b[p];
    if (scidLen > 20) return (out.status = HELLO.BAD);
    p += 1 + scidLen;
    const tokenLen = varint(b, p, end, this.vlen);
    if (tokenLen < 0) return (out.status = HELLO.BAD);
    p += this.vlen.n + tokenLen;
    const length = varint(b, p, end, this.vlen);
    if (length < 0) return (out.status = HELLO.BAD);
    const pnOffset = p + this.vlen.n;
    const packetEnd = pnOffset + length;
    // the sample starts 4 bytes after the packet number's first byte (§5.4.2)
    if (packetEnd > end || pnOffset + 4 + 16 > packetEnd) return (out.status = HELLO.BAD);
    const id = Buffer.from(dcid.buffer, dcid.byteOffset, dcid.length).toString('hex');
    const keys = this.keysFor(id, dcid);
    const plain = decryptPayload(b, start, pnOffset, packetEnd, keys);
    if (!plain) return (out.status = HELLO.BAD);
    return this.readFrames(id, plain, out);
  }

  private keysFor(id: string, dcid: Uint8Array): InitialKeys {
    let k = this.keys.get(id);
    if (k) return k;
    k = clientInitialKeys(dcid);
    if (this.keys.size >= MAX_CONNECTIONS) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(id, k);
    return k;
  }

  private readFrames(id: string, plain: Buffer, out: HelloResult): HelloStatus {
    let stream = this.streams.get(id);
    let p = 0;
    const end = plain.length;
    let sawCrypto = false;
    while (p < end) {
      const type = plain[p];
      if (type === 0x00 || type === 0x01) { p++; continue; } // PADDING, PING
      if (type === 0x06) {
        p++;
        const offset = varint(plain, p, end, this.vlen);
        if (offset < 0) return (out.status = HELLO.BAD);
        p += this.vlen.n;
        const len = varint(plain, p, end, this.vlen);
        if (len < 0 || p + this.vlen.n + len > end) return (out.status = HELLO.BAD);
        p += this.vlen.n;
        if (!stream) {
          if (this.streams.size >= MAX_CONNECTIONS) this.streams.delete(this.streams.keys().next().value as string);
          stream = new CryptoStream();
          this.streams.set(id, stream);
        }
        if (!stream.add(offset, plain.subarray(p, p + len))) return this.fail(id, out);
        sawCrypto = true;
        p += len;
        continue;
      }
      if (type === 0x02 || type === 0x03) { // ACK (a retransmitted Initial may carry one)
        const next = skipAck(plain, p + 1, end, type === 0x03, this.vlen);
        if (next < 0) return (out.status = HELLO.BAD);
        p = next;
        continue;
      }
      // CONNECTION_CLOSE or a frame an Initial may not carry: stop reading frames
      break;
    }
    if (!sawCrypto || !stream) return (out.status = HELLO.NOT_HELLO);
    const have = stream.contiguous();
    if (have === 0) return (out.status = HELLO.PARTIAL);
    const status = parseHandshake(stream.data, 0, have, out);
    if (status !== HELLO.PARTIAL) this.streams.delete(id);
    return status;
  }

  private fail(id: string, out: HelloResult): HelloStatus {
    this.streams.delete(id);
    return (out.status = HELLO.BAD);
  }
}

function skipAck(b: Uint8Array, p: number, end: number, ecn: boolean, len: { n: number }): number {
  const fields = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    fields[i] = varint(b, p, end, len);
    if (fields[i] < 0) return -1;
    p += len.n;
  }
  const ranges = fields[2];
  if (ranges > 256) return -1;
  for (let i = 0; i < ranges * 2 + (ecn ? 3 : 0); i++) {
    if (varint(b, p, end, len) < 0) return -1;
    p += len.n;
  }
  return p;
}

/** Header protection off, then AEAD open; undefined when the packet does not authenticate. */
function decryptPayload(b: Uint8Array, start: number, pnOffset: number, packetEnd: number, keys: InitialKeys): Buffer | undefined {
  const mask = keys.mask.update(b.subarray(pnOffset + 4, pnOffset + 20));
  const first = b[start] ^ (mask[0] & 0x0f);
  const pnLen = (first & 0x03) + 1;
  const header = Buffer.from(b.subarray(start, pnOffset + pnLen));
  header[0] = first;
  let pn = 0;
  for (let i = 0; i < pnLen; i++) {
    header[pnOffset - start + i] ^= mask[1 + i];
    pn = pn * 256 + header[pnOffset - start + i];
  }
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (pn >>> (8 * i)) & 0xff;
  const tagStart = packetEnd - 16;
  try {
    const d = createDecipheriv('aes-128-gcm', keys.key, nonce);
    d.setAAD(header);
    d.setAuthTag(b.subarray(tagStart, packetEnd));
    const body = d.update(b.subarray(pnOffset + pnLen, tagStart));
    d.final();
    return body;
  } catch {
    return undefined;
  }
}
