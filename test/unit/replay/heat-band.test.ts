/**
 * Heat-band binning: the service's per-bar binning of open positions
 * (electron/backend/services/liquidation-map.ts `binOpenPositions`) on a hand-made book whose
 * answers are worked out in the comments, and the renderer's cells and colour scale
 * (renderer/src/lib/replay/heat-band.ts). The real-data check is in
 * test/integration/liquidation-map.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { binOpenPositions, sortSide } from '../../../electron/backend/services/liquidation-map';
import { cellsAt, heatColor, heatPixels, maxAmount, nearestIndices, scaleValue, type HeatMap } from '../../../renderer/src/lib/replay/heat-band';

describe('binning open positions per bar', () => {
  // Price grid 80…120 in 4 bins of 10: [80,90) [90,100) [100,110) [110,120].
  const longs = sortSide([85, 95, 95.5, 99.99], [1, 2, 3, 4]);
  const shorts = sortSide([105, 112, 119], [10, 20, 30]);
  const low = [101, 96, 95.5, 70];
  const high = [102, 104, 106, 113];
  const { long, short } = binOpenPositions(longs, shorts, low, high, 80, 120, 4);

  it('keeps a long while its liquidation price is strictly below the lowest low so far', () => {
    // bar 0, low 101: all longs open → bin0 1, bin1 2+3+4 = 9.
    expect(Array.from(long.subarray(0, 4))).toEqual([1, 9, 0, 0]);
    // bar 1, low 96: 99.99 gone → bin1 = 2+3 = 5.
    expect(Array.from(long.subarray(4, 8))).toEqual([1, 5, 0, 0]);
    // bar 2, low 95.5: the one AT 95.5 is liquidated (reached) → bin1 = 2.
    expect(Array.from(long.subarray(8, 12))).toEqual([1, 2, 0, 0]);
    // bar 3, low 70: all gone.
    expect(Array.from(long.subarray(12, 16))).toEqual([0, 0, 0, 0]);
  });

  it('keeps a short while its liquidation price is strictly above the highest high so far', () => {
    expect(Array.from(short.subarray(0, 4))).toEqual([0, 0, 10, 50]);
    expect(Array.from(short.subarray(4, 8))).toEqual([0, 0, 10, 50]);
    // high 106 reaches 105.
    expect(Array.from(short.subarray(8, 12))).toEqual([0, 0, 0, 50]);
    // high 113 reaches 112; 119 stays (max high is remembered, never lowered).
    expect(Array.from(short.subarray(12, 16))).toEqual([0, 0, 0, 30]);
  });

  it('gives cells {low, high, amount} for a bar, leaving empty bins out', () => {
    const map: HeatMap = { bins: 4, priceLow: 80, priceHigh: 120, long: Array.from(long), short: Array.from(short), positions: 7, notional: 70 };
    expect(cellsAt(map, 1)).toEqual([
      { low: 80, high: 90, amount: 1 },
      { low: 90, high: 100, amount: 5 },
      { low: 100, high: 110, amount: 10 },
      { low: 110, high: 120, amount: 50 },
    ]);
    expect(maxAmount(map)).toBe(50);
    // Image: row 0 is the highest bin; column k is bar k; empty bins fully transparent.
    const px = heatPixels(map, [0, 1, 2, 3], false);
    const alpha = (row: number, col: number): number => px[(row * 4 + col) * 4 + 3]!;
    expect(alpha(0, 0)).toBeGreaterThan(0); // 110–120 at bar 0: 50
    expect(alpha(3, 3)).toBe(0); // 80–90 at bar 3: nothing left
    // Columns can show any bars (an interval shows its last bar): [3, 0] = bar 3, then bar 0.
    const picked = heatPixels(map, [3, 0], false);
    const pickedAlpha = (row: number, col: number): number => picked[(row * 2 + col) * 4 + 3]!;
    expect(pickedAlpha(3, 0)).toBe(0); // bar 3, 80–90: nothing
    expect(pickedAlpha(3, 1)).toBe(alpha(3, 0)); // bar 0, 80–90: amount 1
  });

  it('takes the top of the colour scale from bar 0, since a bin never grows (no look-ahead in the colours)', () => {
    const map: HeatMap = { bins: 4, priceLow: 80, priceHigh: 120, long: Array.from(long), short: Array.from(short), positions: 7, notional: 70 };
    const bar0 = Math.max(...cellsAt(map, 0).map((c) => c.amount));
    expect(maxAmount(map)).toBe(bar0);
  });
});

describe('colour scale', () => {
  it('is monotone in the amount, linear or log, and transparent at zero', () => {
    expect(scaleValue(0, 100, false)).toBe(0);
    expect(scaleValue(50, 100, false)).toBe(0.5);
    expect(scaleValue(100, 100, true)).toBe(1);
    // Log: three decades below the max spread over the scale; 10^1.5 of 1,000 sits halfway:
    // log10(31.62… / 1) / 3 = 0.5. Small clusters show beside a dominant one.
    expect(scaleValue(10 ** 1.5, 1000, true)).toBeCloseTo(0.5, 12);
    expect(scaleValue(0.001, 1000, true)).toBe(0.02); // tiny but present: faint, not gone
    expect(scaleValue(0.001, 1000, false)).toBe(0.02);
    expect(heatColor(0)[3]).toBe(0);
    const luminance = (t: number): number => {
      const [r, g, b] = heatColor(t);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (let i = 1; i < 10; i++) expect(luminance((i + 1) / 10)).toBeGreaterThan(luminance(i / 10));
  });

  it('labels only the lines nearest the price', () => {
    expect(nearestIndices([100, 90, 101, 150, 99.5], 100, 3)).toEqual([0, 4, 2]);
  });
});
