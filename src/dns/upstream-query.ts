// What we send an upstream for a question, and what counts as its answer.
import { FLAG, HEADER, TYPE, EDNS_DO, sameQuestion } from './wire.js';

/** A query for upstreams: RD, the client's CD, our OPT record with the client's DO bit (RFC 3225). */
export function upstreamQuery(question: Uint8Array, id: number, dnssecOk: boolean, cd: boolean, udpSize: number): Buffer {
  const msg = Buffer.allocUnsafe(HEADER + question.length + 11);
  const flags = FLAG.RD | (cd ? FLAG.CD : 0);
  msg.writeUInt16BE(id, 0);
  msg.writeUInt16BE(flags, 2);
  msg.writeUInt16BE(1, 4);
  msg.writeUInt32BE(0, 6);
  msg.writeUInt16BE(1, 10);
  msg.set(question, HEADER);
  let p = HEADER + question.length;
  msg[p++] = 0;
  msg.writeUInt16BE(TYPE.OPT, p);
  msg.writeUInt16BE(udpSize, p + 2);
  msg.writeUInt32BE(dnssecOk ? EDNS_DO : 0, p + 4);
  msg.writeUInt16BE(0, p + 8);
  return msg;
}

/** Is `m` the answer to our query `id` with `question`? */
export function matchesQuery(m: Uint8Array, id: number, question: Uint8Array): boolean {
  if (m.length < HEADER + question.length) return false;
  if (((m[0] << 8) | m[1]) !== id || (m[2] & 0x80) === 0) return false;
  if (((m[4] << 8) | m[5]) !== 1) return false;
  return sameQuestion(m, HEADER, HEADER + question.length, question, 0, question.length);
}
