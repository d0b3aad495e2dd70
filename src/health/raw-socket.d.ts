// The part of raw-socket (a native addon without its own types) the ICMP probe uses.
declare module 'raw-socket' {
  import type { EventEmitter } from 'node:events';

  export interface RawSocket extends EventEmitter {
    send(buffer: Buffer, offset: number, length: number, address: string, afterSend: (error: Error | null, bytes: number) => void): RawSocket;
    close(): RawSocket;
    on(event: 'message', listener: (buffer: Buffer, source: string) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'close', listener: () => void): this;
  }

  export const AddressFamily: { IPv4: number; IPv6: number };
  export const Protocol: { None: number; ICMP: number; TCP: number; UDP: number; ICMPv6: number };
  export function createSocket(options: { protocol?: number; addressFamily?: number; bufferSize?: number }): RawSocket;
  export function createChecksum(...buffers: Buffer[]): number;
  export function writeChecksum(buffer: Buffer, offset: number, checksum: number): Buffer;

  const raw: {
    AddressFamily: typeof AddressFamily;
    Protocol: typeof Protocol;
    createSocket: typeof createSocket;
    createChecksum: typeof createChecksum;
    writeChecksum: typeof writeChecksum;
  };
  export default raw;
}
