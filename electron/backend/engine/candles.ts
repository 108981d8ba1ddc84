/**
 * Candles as the engine reads them, and the intrabar path a candle is walked along.
 *
 * Only last-trade candles are available, so the mark price the engine liquidates on IS the candle
 * path (stated in every result as `markSource: 'candle-path'`).
 */
import { assert } from './assert';

/** One OHLCV bar; `time` is the bar's open time in UTC seconds. */
export interface Candle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Candles in columns (one typed array per field, all of the same length). */
export interface CandleColumns {
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Number of bars in a column set. */
export const candleCount = (c: CandleColumns): number => c.time.length;

/** Accept rows or columns; return columns (rows are copied once). */
export function toCandleColumns(candles: readonly Candle[] | CandleColumns): CandleColumns {
  if (!Array.isArray(candles)) {
    const c = candles as CandleColumns;
    const n = c.time.length;
    assert(c.open.length === n && c.high.length === n && c.low.length === n && c.close.length === n && c.volume.length === n, 'candle columns must have equal lengths');
    return c;
  }
  const rows = candles as readonly Candle[];
  const n = rows.length;
  const cols = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    cols.time[i] = r.time;
    cols.open[i] = r.open;
    cols.high[i] = r.high;
    cols.low[i] = r.low;
    cols.close[i] = r.close;
    cols.volume[i] = r.volume;
  }
  return cols;
}

/** Keep bars [from, to). Views, not copies. */
export function sliceCandles(c: CandleColumns, from: number, to: number): CandleColumns {
  return {
    time: c.time.subarray(from, to),
    open: c.open.subarray(from, to),
    high: c.high.subarray(from, to),
    low: c.low.subarray(from, to),
    close: c.close.subarray(from, to),
    volume: c.volume.subarray(from, to),
  };
}

/** Bar length in seconds: the smallest positive gap between consecutive bars (60 if one bar). */
export function barSeconds(c: CandleColumns): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 1; i < c.time.length; i++) {
    const d = c.time[i]! - c.time[i - 1]!;
    if (d > 0 && d < best) best = d;
  }
  return Number.isFinite(best) ? best : 60;
}

/** Number of points a bar is walked through: open, first extreme, second extreme, close. */
export const PATH_POINTS = 4;

/**
 * Write the intrabar path of bar `i` into `out` (length 4): bullish or flat bars O→L→H→C,
 * bearish bars O→H→L→C. The points are taken at 0, ⅓, ⅔ and 1 of the bar.
 */
export function intrabarPath(c: CandleColumns, i: number, out: Float64Array): void {
  const o = c.open[i]!;
  const cl = c.close[i]!;
  out[0] = o;
  if (cl >= o) {
    out[1] = c.low[i]!;
    out[2] = c.high[i]!;
  } else {
    out[1] = c.high[i]!;
    out[2] = c.low[i]!;
  }
  out[3] = cl;
}

/** Fractions of the bar at which the path points are taken. */
export const PATH_TIMES: readonly number[] = [0, 1 / 3, 2 / 3, 1];
