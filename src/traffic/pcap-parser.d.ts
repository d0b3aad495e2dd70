// Types for pcap-parser 0.2 (it ships none): a libpcap 2.4 file/stream reader.
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface GlobalHeader {
    magicNumber: number;
    majorVersion: number;
    minorVersion: number;
    gmtOffset: number;
    timestampAccuracy: number;
    snapshotLength: number;
    linkLayerType: number;
  }
  export interface PacketHeader {
    timestampSeconds: number;
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  }
  export interface Parser extends EventEmitter {
    on(event: 'globalHeader', fn: (h: GlobalHeader) => void): this;
    on(event: 'packet', fn: (p: { header: PacketHeader; data: Buffer }) => void): this;
    on(event: 'end', fn: () => void): this;
    on(event: 'error', fn: (err: Error) => void): this;
  }
  export function parse(input: string | Readable): Parser;
}
