// pcap (libpcap 2.4) from a file or tcpdump's stdout, through pcap-parser, as calls of one
// function per packet: (frame, capture time in epoch ms, link type).
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { parse } from 'pcap-parser';

export type PacketHandler = (frame: Buffer, timeMs: number, linkType: number) => void;

export type PcapEnd = { ok: true; packets: number } | { ok: false; packets: number; error: string };

/** Feeds every packet of the stream to `onPacket`; resolves at the end (or on a format error). */
export function readPcap(input: Readable, onPacket: PacketHandler): Promise<PcapEnd> {
  return new Promise((resolve) => {
    let linkType = 1;
    let packets = 0;
    let done = false;
    const finish = (r: PcapEnd) => {
      if (done) return;
      done = true;
      resolve(r);
    };
    const parser = parse(input);
    parser.on('globalHeader', (h) => {
      linkType = h.linkLayerType;
    });
    parser.on('packet', (p) => {
      packets++;
      onPacket(p.data, p.header.timestampSeconds * 1000 + Math.floor(p.header.timestampMicroseconds / 1000), linkType);
    });
    parser.on('error', (err) => finish({ ok: false, packets, error: err.message }));
    parser.on('end', () => finish({ ok: true, packets }));
  });
}

export function readPcapFile(path: string, onPacket: PacketHandler): Promise<PcapEnd> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return new Promise((resolve) => {
    stream.once('error', (err) => resolve({ ok: false, packets: 0, error: err.message }));
    void readPcap(stream, onPacket).then(resolve);
  });
}
