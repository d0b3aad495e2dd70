// Splits a byte stream into lines with a bound on line length: a 10 MB line costs a counter, not
// 10 MB of memory. CRLF and a missing final newline are handled.
import type { Readable } from 'node:stream';

export const MAX_LINE = 4096;

export interface LineSink {
  line(text: string): void;
  /** a line longer than MAX_LINE bytes, skipped */
  overlong(): void;
}

export class LineSplitter {
  private carry: Buffer | undefined;
  private skipping = false;

  constructor(private readonly sink: LineSink) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.emit(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
  }

  end(): void {
    if (this.carry && !this.skipping) this.finish(this.carry);
    else if (this.skipping) this.sink.overlong();
    this.carry = undefined;
    this.skipping = false;
  }

  private emit(chunk: Buffer, start: number, end: number): void {
    if (this.skipping) {
      this.skipping = false;
      this.carry = undefined;
      this.sink.overlong();
      return;
    }
    if (this.carry) {
      const joined = Buffer.concat([this.carry, chunk.subarray(start, end)]);
      this.carry = undefined;
      if (joined.length > MAX_LINE) this.sink.overlong();
      else this.finish(joined);
    } else if (end - start > MAX_LINE) {
      this.sink.overlong();
    } else {
      this.finish(chunk.subarray(start, end));
    }
  }

  private hold(rest: Buffer): void {
    if (this.skipping) return;
    const total = (this.carry?.length ?? 0) + rest.length;
    if (total > MAX_LINE) {
      this.skipping = true;
      this.carry = undefined;
      return;
    }
    this.carry = this.carry ? Buffer.concat([this.carry, rest]) : Buffer.from(rest);
  }

  private finish(bytes: Buffer): void {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 13) end--;
    this.sink.line(bytes.toString('utf8', 0, end));
  }
}

export async function readLines(stream: Readable, sink: LineSink): Promise<void> {
  const splitter = new LineSplitter(sink);
  for await (const chunk of stream) splitter.push(chunk as Buffer);
  splitter.end();
}
