// pcap (libpcap 2.4: either byte order, micro- or nanosecond timestamps) from a file or from
// tcpdump's stdout, as one call per packet: (frame, capture time in epoch ms, link type).
//
// Our own reader, not pcap-parser (the dependency the design named): pcap-parser allocates two
// header objects, three Buffer slices and four events per packet and copies its whole carry
// buffer with the deprecated `new Buffer` on every chunk; it tops out near 400k packets/s with
// nothing else to do, below the 500k budget for the whole pipeline. This reader hands out views
// into the chunk it was given and copies only a record split across two chunks.
//
// Files and sockets are read into one reused buffer: a stream's fresh chunk per read is
// external memory that V8 lets pile up (~64 MB) before it collects it, which was most of
// this pipeline's peak resident memory under a flood.
import { open } from 'node:fs/promises';
import type { OnReadOpts, Socket } from 'node:net';
import type { Readable } from 'node:stream';

export type PacketHandler = (frame: Uint8Array, timeMs: number, linkType: number) => void;
/** The hot path's form: the record is buf[start, end), valid during the call only (no view object). */
export type RecordHandler = (buf: Buffer, start: number, end: number, timeMs: number, linkType: number) => void;

export type PcapEnd = { ok: true; packets: number } | { ok: false; packets: number; error: string };

/** Records longer than this are a corrupt file, not a packet (tcpdump's default snaplen). */
const MAX_RECORD = 262_144;

export class PcapReader {
  packets = 0;
  linkType = 1;
  error: string | undefined;
  private le = true;
  private nanos = false;
  private headerSeen = false;
  /** a partial record (or the file header) carried over to the next chunk */
  private carry = Buffer.alloc(0);
  private carryLen = 0;

  constructor(private readonly onRecord: RecordHandler) {}

  /** Feeds a chunk; false once the stream is known to be bad (see error). */
  push(chunk: Buffer): boolean {
    if (this.error) return false;
    let p = 0;
    // complete a carried record (or the file header) from the front of this chunk: its
    // length is known once its 16-byte header is there, so at most two rounds
    while (this.carryLen > 0) {
      const need = this.needed(this.carry, this.carryLen);
      if (need < 0) return false;
      const take = Math.min(need - this.carryLen, chunk.length - p);
      this.ensureCarry(this.carryLen + take);
      chunk.copy(this.carry, this.carryLen, p, p + take);
      this.carryLen += take;
      p += take;
      if (this.carryLen < need) return true; // chunk used up
      const full = this.needed(this.carry, this.carryLen);
      if (full < 0) return false;
      if (this.carryLen < full) continue; // only the record header was there: now its length is known
      if (this.consume(this.carry, 0, this.carryLen) < 0) return false;
      this.carryLen = 0;
    }
    const end = chunk.length;
    for (;;) {
      const used = this.consume(chunk, p, end);
      if (used < 0) return false;
      if (used === 0) break;
      p += used;
    }
    if (p < end) {
      this.ensureCarry(end - p);
      chunk.copy(this.carry, 0, p, end);
      this.carryLen = end - p;
    }
    return true;
  }

  /** At the end of the stream: a partial record left over is a truncated capture. */
  finish(): PcapEnd {
    if (this.error) return { ok: false, packets: this.packets, error: this.error };
    if (!this.headerSeen) return { ok: false, packets: 0, error: 'not a pcap stream: no file header' };
    // tcpdump killed mid-write leaves a partial last record: not an error worth failing for
    return { ok: true, packets: this.packets };
  }

  /** bytes the item starting at b[0] needs (file header or record), from what is there */
  private needed(b: Buffer, len: number): number {
    if (!this.headerSeen) return 24;
    if (len < 16) return 16;
    const caplen = this.le ? b.readUInt32LE(8) : b.readUInt32BE(8);
    if (caplen > MAX_RECORD) return this.fail(`a record of ${caplen} bytes: not a pcap stream, or a corrupt one`);
    return 16 + caplen;
  }

  /** Handles one complete item at b[p]; returns bytes used, 0 if incomplete, -1 on error. */
  private consume(b: Buffer, p: number, end: number): number {
    if (!this.headerSeen) {
      if (end - p < 24) return 0;
      const magic = b.readUInt32LE(p);
      if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) this.le = true;
      else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) this.le = false;
      else return this.fail(magic === 0x0a0d0d0a ? 'pcapng is not supported: write pcap (tcpdump -w, or editcap -F pcap)' : 'not a pcap stream: bad magic number');
      this.nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
      this.linkType = (this.le ? b.readUInt32LE(p + 20) : b.readUInt32BE(p + 20)) & 0xffff;
      this.headerSeen = true;
      return 24;
    }
    if (end - p < 16) return 0;
    const le = this.le;
    const caplen = le ? b.readUInt32LE(p + 8) : b.readUInt32BE(p + 8);
    if (caplen > MAX_RECORD) return this.fail(`a record of ${caplen} bytes: not a pcap stream, or a corrupt one`);
    if (end - p < 16 + caplen) return 0;
    const sec = le ? b.readUInt32LE(p) : b.readUInt32BE(p);
    const frac = le ? b.readUInt32LE(p + 4) : b.readUInt32BE(p + 4);
    this.packets++;
    this.onRecord(b, p + 16, p + 16 + caplen, sec * 1000 + Math.floor(this.nanos ? frac / 1e6 : frac / 1e3), this.linkType);
    return 16 + caplen;
  }

  private ensureCarry(n: number): void {
    if (this.carry.length >= n) return;
    const next = Buffer.alloc(Math.max(n, this.carry.length * 2, 4096));
    this.carry.copy(next, 0, 0, this.carryLen);
    this.carry = next;
  }

  private fail(error: string): -1 {
    this.error = error;
    return -1;
  }
}

/** Feeds every packet of the stream to `onPacket`; resolves at its end or at a format error. */
export function readPcap(input: Readable, onPacket: PacketHandler): Promise<PcapEnd> {
  return readPcapRecords(input, (b, start, end, time, link) => onPacket(b.subarray(start, end), time, link));
}

export function readPcapRecords(input: Readable, onRecord: RecordHandler): Promise<PcapEnd> {
  const reader = new PcapReader(onRecord);
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: PcapEnd) => {
      if (done) return;
      done = true;
      input.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      if (!reader.push(chunk)) {
        finish(reader.finish());
        input.destroy();
      }
    };
    input.on('data', onData);
    input.once('end', () => finish(reader.finish()));
    input.once('error', (err) => finish({ ok: false, packets: reader.packets, error: err.message }));
  });
}

/**
 * A socket or pipe's pcap stream through one reused buffer (net's `onread`). `connect` makes
 * the socket with the options it is given (net.connect, or new Socket({ fd }) for stdin).
 */
export function readPcapSocket(connect: (onread: OnReadOpts) => Socket, onRecord: RecordHandler): Promise<PcapEnd> {
  const reader = new PcapReader(onRecord);
  const buffer = Buffer.allocUnsafe(SOCKET_CHUNK);
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: PcapEnd) => {
      if (done) return;
      done = true;
      resolve(r);
    };
    const socket = connect({
      buffer,
      callback: (n) => {
        if (done || reader.push(buffer.subarray(0, n))) return true;
        finish(reader.finish());
        socket.destroy();
        return false;
      },
    });
    socket.once('end', () => finish(reader.finish()));
    socket.once('close', () => finish(reader.finish()));
    socket.once('error', (err) => finish({ ok: false, packets: reader.packets, error: err.message }));
  });
}

const SOCKET_CHUNK = 1 << 16;
const FILE_CHUNK = 1 << 20;

export function readPcapFile(path: string, onPacket: PacketHandler): Promise<PcapEnd> {
  return readPcapFileRecords(path, (b, start, end, time, link) => onPacket(b.subarray(start, end), time, link));
}

export async function readPcapFileRecords(path: string, onRecord: RecordHandler): Promise<PcapEnd> {
  const reader = new PcapReader(onRecord);
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    return { ok: false, packets: 0, error: (err as Error).message };
  }
  const buffer = Buffer.allocUnsafe(FILE_CHUNK);
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0 || !reader.push(buffer.subarray(0, bytesRead))) return reader.finish();
    }
  } catch (err) {
    return { ok: false, packets: reader.packets, error: (err as Error).message };
  } finally {
    await file.close();
  }
}
