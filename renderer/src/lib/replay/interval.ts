/**
 * Replay at a higher timeframe than the stored bars: stored bars grouped into UTC buckets
 * (bucket start = floor(time / bucket) · bucket) and the candles visible at cursor N — every
 * bucket completed by then plus the one still forming, built only from stored bars ≤ N. Pure
 * functions; nothing returned for cursor N reads a stored bar after N (a property test checks).
 */
import type { CandleColumns } from '../../../../shared/domain';

export interface Candle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Which bucket each stored bar falls in, computed once per (bars, bucket size). */
export interface Buckets {
  readonly seconds: number;
  /** Bucket index of each stored bar (non-decreasing). */
  readonly of: readonly number[];
  /** Start time (UTC seconds) of each bucket. */
  readonly start: readonly number[];
  /** First stored bar of each bucket. */
  readonly first: readonly number[];
}

/** Higher timeframes offered for a run's bar size: the stored one and its whole multiples. */
export const INTERVAL_CHOICES = [60, 300, 900, 3600, 14_400, 86_400] as const;

export function intervalChoices(barSeconds: number): number[] {
  const out = INTERVAL_CHOICES.filter((s) => s >= barSeconds && s % barSeconds === 0) as number[];
  return out.includes(barSeconds) ? out : [barSeconds, ...out];
}

/** Start of the UTC bucket holding time `t`. */
export function bucketStart(t: number, seconds: number): number {
  return Math.floor(t / seconds) * seconds;
}

/** Groups ascending bar times into buckets of `seconds` (a multiple of the bar size). */
export function bucketize(times: readonly number[], seconds: number): Buckets {
  if (!(seconds > 0)) throw new Error(`bucket size must be positive, got ${seconds}`);
  const of: number[] = new Array(times.length);
  const start: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < times.length; i++) {
    const s = bucketStart(times[i]!, seconds);
    if (start.length === 0 || start[start.length - 1] !== s) {
      start.push(s);
      first.push(i);
    }
    of[i] = start.length - 1;
  }
  return { seconds, of, start, first };
}

/** OHLCV of stored bars from…to (inclusive), stamped `time`. */
export function aggregate(c: CandleColumns, from: number, to: number, time: number): Candle {
  let high = c.high[from]!;
  let low = c.low[from]!;
  let volume = 0;
  for (let i = from; i <= to; i++) {
    if (c.high[i]! > high) high = c.high[i]!;
    if (c.low[i]! < low) low = c.low[i]!;
    volume += c.volume[i] ?? 0;
  }
  return { time, open: c.open[from]!, high, low, close: c.close[to]!, volume };
}

/** The bucket holding stored bar `upto`, built from its bars up to `upto` only (forming or just completed). */
export function formingCandle(c: CandleColumns, b: Buckets, upto: number): Candle {
  const k = b.of[upto]!;
  return aggregate(c, b.first[k]!, upto, b.start[k]!);
}

/** Every candle visible at cursor `upto` (a stored bar index): the completed buckets, then the forming one. */
export function candlesAt(c: CandleColumns, b: Buckets, upto: number): Candle[] {
  if (upto < 0) return [];
  const k = b.of[upto]!;
  const out: Candle[] = new Array(k + 1);
  for (let j = 0; j < k; j++) out[j] = aggregate(c, b.first[j]!, b.first[j + 1]! - 1, b.start[j]!);
  out[k] = formingCandle(c, b, upto);
  return out;
}

/**
 * Per-bar values summed per bucket up to cursor `upto` (e.g. liquidated notional). `values[i]`
 * belongs to stored bar `offset + i`; only values of bars ≤ upto count. One entry per bucket
 * that has a valued bar ≤ upto.
 */
export function sumsAt(values: readonly number[], b: Buckets, offset: number, upto: number): { time: number; value: number }[] {
  const out: { time: number; value: number }[] = [];
  for (let i = 0; i < values.length && offset + i <= upto; i++) {
    const t = b.start[b.of[offset + i]!]!;
    const last = out[out.length - 1];
    if (last && last.time === t) last.value += values[i]!;
    else out.push({ time: t, value: values[i]! });
  }
  return out;
}
