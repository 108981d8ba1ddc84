/**
 * The liquidation-map heat band at a replay interval (renderer/src/lib/replay/heat-columns.ts):
 * which stored bar each band column shows — a completed interval its last stored bar, the
 * forming one the cursor's bar — checked against an independent grouping by UTC interval, for
 * no look-ahead (changing the map after bar N changes nothing shown at N), and for alignment
 * with the interval candles of lib/replay/interval.ts. Not covered here: the pixels (the
 * colour scale is in heat-band.test.ts; the drawn band in test/e2e/replay-interval.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CandleColumns } from '../../../shared/domain';
import { cellsAt, type HeatMap } from '../../../renderer/src/lib/replay/heat-band';
import { columnBarsAt, columnCellsAt, heatColumns } from '../../../renderer/src/lib/replay/heat-columns';
import { bucketize, candlesAt } from '../../../renderer/src/lib/replay/interval';

/** A run: 1m chart bars (with gaps), the replayed ones from `firstBar`, and a map for them. */
const runArb = fc
  .record({
    start: fc.integer({ min: 0, max: 10_000 }),
    gaps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 150 }),
    lookBack: fc.nat({ max: 40 }),
    bins: fc.integer({ min: 1, max: 5 }),
    seed: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1000, noNaN: true })), { minLength: 1, maxLength: 64 }),
  })
  .map(({ start, gaps, lookBack, bins, seed }) => {
    const time: number[] = [];
    let t = start * 60;
    for (const g of gaps) time.push((t += g * 60));
    const firstBar = Math.min(lookBack, time.length - 1);
    const bars = time.length - firstBar;
    const at = (i: number): number => seed[i % seed.length]!;
    const map: HeatMap = {
      bins,
      priceLow: 100,
      priceHigh: 100 + 10 * bins,
      long: Array.from({ length: bars * bins }, (_, i) => at(i)),
      short: Array.from({ length: bars * bins }, (_, i) => at(i + 7)),
      positions: 1,
      notional: 1,
    };
    const c: CandleColumns = { time, open: time.map(() => 1), high: time.map(() => 2), low: time.map(() => 0.5), close: time.map(() => 1.5), volume: time.map(() => 1) };
    return { time, firstBar, bars, map, candles: c };
  });

const sizeArb = fc.constantFrom(60, 300, 900, 3600, 14_400);

/** Independent: per UTC interval holding replayed bars ≤ n, in time order, its latest such bar. */
function naiveColumnBars(time: readonly number[], firstBar: number, seconds: number, n: number): number[] {
  const latest = new Map<number, number>();
  for (let k = 0; k <= n; k++) latest.set(Math.floor(time[firstBar + k]! / seconds) * seconds, k);
  return [...latest.entries()].sort((a, b) => a[0] - b[0]).map(([, k]) => k);
}

describe('heat band columns at a replay interval', () => {
  it('a known case: 1m bars 00:58…01:02 at 1h, look-back of one bar', () => {
    // Chart bars 0…4 at 00:58, 00:59, 01:00, 01:01, 01:02; replayed bars 0…3 are chart bars 1…4.
    const time = [58, 59, 60, 61, 62].map((m) => m * 60);
    const columns = heatColumns(bucketize(time, 3600), 1, 4);
    // Replayed bar 0 (00:59) is in hour 0 (chart logical 0); bars 1…3 in hour 1.
    expect(columns).toEqual({ firstLogical: 0, columnOf: [0, 1, 1, 1], lastBar: [0, 3] });
    expect(columnBarsAt(columns, 0)).toEqual([0]);
    expect(columnBarsAt(columns, 2)).toEqual([0, 2]); // hour 1 forming at 01:01: bar 2, not 3
    expect(columnBarsAt(columns, 3)).toEqual([0, 3]);
    expect(columnBarsAt(columns, -1)).toEqual([]);
  });

  it('at the stored interval every replayed bar is its own column, at its chart bar', () => {
    fc.assert(
      fc.property(runArb, fc.nat(), ({ firstBar, bars }, nRaw) => {
        const n = nRaw % bars;
        const columns = heatColumns(null, firstBar, bars);
        expect(columns.firstLogical).toBe(firstBar);
        expect(columnBarsAt(columns, n)).toEqual(Array.from({ length: n + 1 }, (_, k) => k));
      }),
    );
  });

  it('shows each interval at its latest bar up to the cursor (an independent grouping by UTC interval agrees)', () => {
    fc.assert(
      fc.property(runArb, sizeArb, fc.nat(), ({ time, firstBar, bars }, seconds, nRaw) => {
        const n = nRaw % bars;
        const shown = columnBarsAt(heatColumns(bucketize(time, seconds), firstBar, bars), n);
        expect(shown).toEqual(naiveColumnBars(time, firstBar, seconds, n));
        expect(shown.every((k) => k <= n)).toBe(true);
        expect(shown[shown.length - 1]).toBe(n);
      }),
      { numRuns: 300 },
    );
  });

  it('never shows a later bar: changing the map after bar N changes no cell shown at N', () => {
    fc.assert(
      fc.property(runArb, sizeArb, fc.nat(), fc.double({ min: 0, max: 1e6, noNaN: true }), ({ time, firstBar, bars, map }, seconds, nRaw, x) => {
        const n = nRaw % bars;
        const columns = heatColumns(bucketize(time, seconds), firstBar, bars);
        const before = columnCellsAt(map, columns, n);
        const changed: HeatMap = { ...map, long: [...map.long], short: [...map.short] };
        for (let i = (n + 1) * map.bins; i < map.long.length; i++) {
          changed.long[i] = x;
          changed.short[i] = x + 1;
        }
        expect(columnCellsAt(changed, columns, n)).toEqual(before);
        // …and the cells are those of the bars shown, unchanged.
        expect(before).toEqual(columnBarsAt(columns, n).map((k) => cellsAt(map, k)));
      }),
      { numRuns: 300 },
    );
  });

  it('lines up with the interval candles: column j is drawn at the logical index of its interval candle', () => {
    fc.assert(
      fc.property(runArb, sizeArb, fc.nat(), ({ time, firstBar, bars, candles }, seconds, nRaw) => {
        const n = nRaw % bars;
        const buckets = bucketize(time, seconds);
        const columns = heatColumns(buckets, firstBar, bars);
        const shownCandles = candlesAt(candles, buckets, firstBar + n);
        const bars_ = columnBarsAt(columns, n);
        // The last column is the forming candle, the last the chart holds.
        expect(columns.firstLogical + bars_.length).toBe(shownCandles.length);
        bars_.forEach((k, j) => {
          expect(shownCandles[columns.firstLogical + j]!.time).toBe(Math.floor(time[firstBar + k]! / seconds) * seconds);
        });
      }),
      { numRuns: 300 },
    );
  });
});
