/**
 * Resampling on read: bars of the stored size aggregated into larger bars, bucketed by UTC
 * (a bucket starts at a multiple of its length since the Unix epoch, so 1d bars start at
 * 00:00 UTC and 4h bars at 00:00, 04:00, …). Open of the first bar, highest high, lowest
 * low, close of the last bar, summed volume. A bucket exists only where bars exist.
 */
import type { CandleColumns } from '../../../shared/domain';
import { ApiError } from '../../../shared/errors';
import type { Columns } from './candle-blocks';
import { parseTimeframe } from './file-name';

/** The target bar size in seconds; it must be a whole multiple of the stored one. */
export function targetBarSeconds(timeframe: string, storedBarSeconds: number): number {
  const seconds = parseTimeframe(timeframe);
  if (seconds === undefined) throw new ApiError('invalid_input', `timeframe "${timeframe}" is not like 1m, 1h or 1d`, { field: 'timeframe' });
  if (seconds < storedBarSeconds || seconds % storedBarSeconds !== 0) {
    throw new ApiError(
      'invalid_input',
      `timeframe ${timeframe} is not a whole multiple of this dataset's ${storedBarSeconds}s bars`,
      { field: 'timeframe' },
    );
  }
  return seconds;
}

/** Aggregates blocks (in time order) into `barSeconds` buckets. */
export function resample(blocks: Iterable<Columns>, barSeconds: number): CandleColumns {
  const out: CandleColumns = { time: [], open: [], high: [], low: [], close: [], volume: [] };
  let bucket = NaN;
  let bucketEnd = -Infinity;
  let open = 0;
  let high = 0;
  let low = 0;
  let close = 0;
  let volume = 0;
  for (const b of blocks) {
    const { time, open: os, high: hs, low: ls, close: cs, volume: vs } = b;
    const n = b.rows;
    for (let i = 0; i < n; i++) {
      const t = time[i]!;
      if (t >= bucketEnd) {
        // A new bucket: only here is the (comparatively slow) modulo needed.
        if (bucket === bucket) {
          out.time.push(bucket);
          out.open.push(open);
          out.high.push(high);
          out.low.push(low);
          out.close.push(close);
          out.volume.push(volume);
        }
        bucket = t - (((t % barSeconds) + barSeconds) % barSeconds);
        bucketEnd = bucket + barSeconds;
        open = os[i]!;
        high = hs[i]!;
        low = ls[i]!;
        close = cs[i]!;
        volume = vs[i]!;
        continue;
      }
      const h = hs[i]!;
      const l = ls[i]!;
      if (h > high) high = h;
      if (l < low) low = l;
      close = cs[i]!;
      volume += vs[i]!;
    }
  }
  if (bucket === bucket) {
    out.time.push(bucket);
    out.open.push(open);
    out.high.push(high);
    out.low.push(low);
    out.close.push(close);
    out.volume.push(volume);
  }
  return out;
}
