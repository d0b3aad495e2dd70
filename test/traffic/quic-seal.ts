// Builds protected QUIC v1 client Initial packets (RFC 9001 §5), the way a client does: for
// tests and the bench. The decoder under test only ever decrypts.
import { createCipheriv } from 'node:crypto';
import { clientInitialKeys } from '../../src/traffic/quic-initial.js';

const varint = (v: number) => (v < 64 ? Buffer.from([v]) : v < 16384 ? Buffer.from([0x40 | (v >> 8), v & 0xff]) : Buffer.from([0x80 | (v >>> 24), (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]));

/** A CRYPTO frame (RFC 9000 §19.6). */
export const cryptoFrame = (offset: number, data: Uint8Array) => Buffer.concat([Buffer.from([0x06]), varint(offset), varint(data.length), data]);

/** A client Initial carrying `frames` (padded to 1200 bytes, as clients must). */
export function sealInitial(dcid: Buffer, pn: number, frames: Buffer, scid = Buffer.from('c0ffee00', 'hex')): Buffer {
  const keys = clientInitialKeys(dcid);
  const pnLen = 4;
  const headerBase = Buffer.concat([Buffer.from([0xc0 | (pnLen - 1), 0, 0, 0, 1, dcid.length]), dcid, Buffer.from([scid.length]), scid, Buffer.from([0])]);
  const target = 1200 - headerBase.length - 2 - pnLen - 16;
  const payload = frames.length < target ? Buffer.concat([frames, Buffer.alloc(target - frames.length)]) : frames;
  const length = pnLen + payload.length + 16;
  const header = Buffer.concat([headerBase, Buffer.from([0x40 | (length >> 8), length & 0xff]), Buffer.from([pn >>> 24, (pn >> 16) & 0xff, (pn >> 8) & 0xff, pn & 0xff])]);
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (pn >>> (8 * i)) & 0xff;
  const c = createCipheriv('aes-128-gcm', keys.key, nonce);
  c.setAAD(header);
  const sealed = Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
  const pnOffset = header.length - pnLen;
  const sample = sealed.subarray(4 - pnLen, 20 - pnLen);
  const hp = createCipheriv('aes-128-ecb', keys.hp, null);
  const mask = hp.update(sample);
  const out = Buffer.concat([header, sealed]);
  out[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < pnLen; i++) out[pnOffset + i] ^= mask[1 + i];
  return out;
}

/** A minimal TLS 1.3 ClientHello handshake message naming `name` (and ECH, if asked). */
export function clientHello(name: string, opts: { ech?: boolean; padTo?: number } = {}): Buffer {
  const host = Buffer.from(name);
  const sni = Buffer.concat([u16(host.length + 3), Buffer.from([0]), u16(host.length), host]);
  const exts = [ext(0, sni), ext(0x002b, Buffer.from([2, 3, 4]))];
  if (opts.ech) exts.push(ext(0xfe0d, Buffer.alloc(40, 7)));
  if (opts.padTo) exts.push(ext(0x0015, Buffer.alloc(opts.padTo)));
  const extBytes = Buffer.concat(exts);
  const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 0xab), Buffer.from([0]), u16(2), Buffer.from([0x13, 0x01]), Buffer.from([1, 0]), u16(extBytes.length), extBytes]);
  return Buffer.concat([Buffer.from([1, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}

/** The hello inside a TLS record (TCP). */
export const tlsRecord = (hello: Buffer) => Buffer.concat([Buffer.from([0x16, 3, 1]), u16(hello.length), hello]);

function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}
function ext(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}
