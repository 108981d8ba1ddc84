/**
 * Test helper: read a `time,open,high,low,close,volume` CSV (header row, seconds) into candle
 * columns. Small and strict; the product's importer lives in market-data/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
import type { CandleColumns } from '../../electron/backend/engine/candles';

/** Directory of the shared crash-window data, beside the repository (`../shared/data/events`). */
export const SHARED_EVENTS_DIR = path.resolve(HERE, '../../../shared/data/events');

/** Parse CSV text into columns; throws naming the line on a malformed row. */
export function parseCandlesCsv(text: string): CandleColumns {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines.shift();
  if (header?.trim() !== 'time,open,high,low,close,volume') throw new Error(`unexpected header: ${header}`);
  const n = lines.length;
  const cols = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const f = lines[i]!.split(',');
    const v = f.map(Number);
    if (f.length !== 6 || v.some((x) => !Number.isFinite(x))) throw new Error(`line ${i + 2}: not six numbers`);
    cols.time[i] = v[0]!;
    cols.open[i] = v[1]!;
    cols.high[i] = v[2]!;
    cols.low[i] = v[3]!;
    cols.close[i] = v[4]!;
    cols.volume[i] = v[5]!;
  }
  return cols;
}

/** Read one file of `../shared/data/events/` by name. */
export function readEventCandles(fileName: string): CandleColumns {
  return parseCandlesCsv(readFileSync(path.join(SHARED_EVENTS_DIR, fileName), 'utf8'));
}
