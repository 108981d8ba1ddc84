/**
 * Splits a byte stream into lines without holding more than one chunk and one partial line:
 * the way a multi-gigabyte file is read. UTF-8 characters split across chunks are decoded
 * correctly; `\r\n` and `\n` both end a line (the `\r` is left for the validator to drop).
 */
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private lineNo = 0;

  constructor(private readonly onLine: (line: string, lineNo: number) => void) {}

  push(chunk: Uint8Array): void {
    const text = this.rest + this.decoder.write(chunk as Buffer);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.onLine(text.slice(start, nl), ++this.lineNo);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.rest = text.slice(start);
  }

  end(): void {
    const text = this.rest + this.decoder.end();
    this.rest = '';
    if (text.length > 0) this.onLine(text, ++this.lineNo);
  }
}
