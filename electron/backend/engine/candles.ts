/**
 * Candles as the engine reads them, the intrabar path a candle is walked along, and the mark
 * models built from it (see {@link MarkSpec}).
 *
 * Only last-trade candles of one venue are available. By default the mark price the engine
 * liquidates on IS the candle path (stated in every result as `markSource: 'candle-path'`).
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

/**
 * How the mark price that triggers liquidations is built from the one venue's last-trade candles.
 *
 * Why: venues do not liquidate on their last trade. Binance USDⓈ-M uses
 * Mark Price = Median(Price 1, Price 2, Last/Contract Price), Price 1 = Index × (1 + last funding
 * rate × time until funding / interval), Price 2 = Index + moving average of the basis, where the
 * Index is a volume-weighted average of the spot price on several other exchanges (a source more
 * than 5% off the median of all sources gets weight 0). Sources: Binance FAQ "What Are Mark Price
 * and Price Index in USDⓈ-Margined Futures?" (binance.com/en/support/faq/360033525071) and the
 * Binance announcement of 2025-09-16 on the mark price calculation (Price 2 basis moving average).
 * A median of three ignores one outlier, so a wick in the last price alone does not move the mark;
 * a wick reaches the mark only as far as it is in the multi-venue index. How far that is, per event,
 * is not in our data (no index or mark series), so the models bracket it:
 * - `candle-path` (default): the candle path itself (O→L→H→C / O→H→L→C): every wick of the one
 *   venue reaches the mark. Unchanged from before the option existed.
 * - `close`: the mark follows the 1m closes only: bar i's path is close[i−1] → close[i]; no
 *   intra-minute wick triggers anything (an upper bound on the damping).
 * - `damped` with `wick` = k in [0, 1]: the share of a bar's wick that reaches the mark. Path points
 *   0 … 3 of bar i: k·open + (1−k)·close[i−1], then the two extremes pulled towards the close,
 *   close + k·(extreme − close), in the candle's order, then close. k = 1 is `candle-path`, k = 0 is
 *   `close`. k is a modelling assumption, not a venue parameter.
 * Every point of bar i uses bars ≤ i only (close[i−1] and bar i's own OHLC, as the candle path does).
 */
export type MarkSpec = { readonly source: 'candle-path' } | { readonly source: 'close' } | { readonly source: 'damped'; readonly wick: number };

/** The share of a bar's wick that reaches the mark: 1 candle path, 0 closes only. */
export function markWickOf(mark: MarkSpec | undefined): number {
  if (!mark || mark.source === 'candle-path') return 1;
  if (mark.source === 'close') return 0;
  return mark.wick;
}

/** The label a result carries for its mark model. */
export type MarkSourceLabel = 'candle-path' | 'close' | `damped(wick=${number})`;

export function markSourceLabel(mark: MarkSpec | undefined): MarkSourceLabel {
  if (!mark || mark.source === 'candle-path') return 'candle-path';
  if (mark.source === 'close') return 'close';
  return `damped(wick=${mark.wick})`;
}

/**
 * Write the mark path of bar `i` with wick share `k` into `out` (length 4), see {@link MarkSpec}.
 * k = 1 writes exactly {@link intrabarPath}. The first bar of the candles has no previous close:
 * its open stands for it.
 */
export function markPath(c: CandleColumns, i: number, k: number, out: Float64Array): void {
  if (k === 1) {
    intrabarPath(c, i, out);
    return;
  }
  const o = c.open[i]!;
  const cl = c.close[i]!;
  const prev = i > 0 ? c.close[i - 1]! : o;
  const lo = cl + k * (c.low[i]! - cl);
  const hi = cl + k * (c.high[i]! - cl);
  out[0] = k === 0 ? prev : k * o + (1 - k) * prev;
  if (cl >= o) {
    out[1] = lo;
    out[2] = hi;
  } else {
    out[1] = hi;
    out[2] = lo;
  }
  out[3] = cl;
}
