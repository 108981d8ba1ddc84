/**
 * Candles in blocks: up to BLOCK_ROWS bars held as six Float64 columns in one buffer. Blocks
 * are the importer's staging form (bounded memory per chunk) and, stored beside the candles
 * table, the read-side copy that resampling and the crash finder scan without building a
 * JavaScript object per row. The candles table stays the source of truth.
 */

export const BLOCK_ROWS = 65_536;

/** Six columns of equal length; times are bar open, UTC seconds, increasing. */
export interface Columns {
  rows: number;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Views on the six columns of a block buffer of `rows` bars (column after column). */
export function decodeBlock(data: Uint8Array, rows: number): Columns {
  const aligned = data.byteOffset % 8 === 0 ? data : new Uint8Array(data);
  const all = new Float64Array(aligned.buffer, aligned.byteOffset, rows * 6);
  return {
    rows,
    time: all.subarray(0, rows),
    open: all.subarray(rows, 2 * rows),
    high: all.subarray(2 * rows, 3 * rows),
    low: all.subarray(3 * rows, 4 * rows),
    close: all.subarray(4 * rows, 5 * rows),
    volume: all.subarray(5 * rows, 6 * rows),
  };
}

/** Collects rows and hands out full blocks as buffers of exactly 6 × rows doubles. */
export class BlockBuilder {
  private cols = newColumns();
  private n = 0;

  constructor(private readonly onBlock: (data: Buffer, rows: number, firstTime: number) => void) {}

  push(time: number, open: number, high: number, low: number, close: number, volume: number): void {
    const n = this.n;
    const c = this.cols;
    c[0][n] = time;
    c[1][n] = open;
    c[2][n] = high;
    c[3][n] = low;
    c[4][n] = close;
    c[5][n] = volume;
    if (++this.n === BLOCK_ROWS) this.flush();
  }

  flush(): void {
    const rows = this.n;
    if (rows === 0) return;
    const out = Buffer.allocUnsafeSlow(rows * 6 * 8);
    const view = new Float64Array(out.buffer, out.byteOffset, rows * 6);
    for (let k = 0; k < 6; k++) view.set(this.cols[k]!.subarray(0, rows), k * rows);
    const firstTime = this.cols[0][0]!;
    this.n = 0;
    this.onBlock(out, rows, firstTime);
  }
}

function newColumns(): [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array] {
  return [0, 1, 2, 3, 4, 5].map(() => new Float64Array(BLOCK_ROWS)) as never;
}
