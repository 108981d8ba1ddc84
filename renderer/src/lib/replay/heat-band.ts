/**
 * The estimated liquidation map as heat-band cells (the heatmap-series plugin's
 * `{low, high, amount}`), and its colour scale. Pure: the chart primitive only paints what
 * these functions return.
 *
 * Colour: a perceptual sequential scale (viridis, sampled from matplotlib's table at 0, ⅛, …, 1)
 * whose opacity also grows with the amount, so an empty bin is transparent and the candles
 * stay readable. `log` maps log(1 + amount) instead of amount, which shows small clusters
 * beside a dominant one.
 */
import type { LiquidationMapResult } from '../../../../shared/runs';

export interface HeatCell {
  readonly low: number;
  readonly high: number;
  readonly amount: number;
}

export type HeatMap = NonNullable<LiquidationMapResult['map']>;

/** The cells of replayed bar `index` (long and short amounts together), empty bins left out. */
export function cellsAt(map: HeatMap, index: number): HeatCell[] {
  const step = (map.priceHigh - map.priceLow) / map.bins;
  const cells: HeatCell[] = [];
  for (let b = 0; b < map.bins; b++) {
    const amount = (map.long[index * map.bins + b] ?? 0) + (map.short[index * map.bins + b] ?? 0);
    if (amount > 0) cells.push({ low: map.priceLow + b * step, high: map.priceLow + (b + 1) * step, amount });
  }
  return cells;
}

/**
 * Largest single-bin amount over all bars (the top of the colour scale). Not a look-ahead: the
 * map only loses positions as the price reaches them (a bin never grows), so this is the
 * largest bin of bar 0.
 */
export function maxAmount(map: HeatMap): number {
  let max = 0;
  for (let i = 0; i < map.long.length; i++) max = Math.max(max, (map.long[i] ?? 0) + (map.short[i] ?? 0));
  return max;
}

/** Decades shown by the log scale: amounts below max / 10^LOG_DECADES sit at the bottom. */
export const LOG_DECADES = 3;

/**
 * 0…1 position on the scale. Linear: amount / max. Log: log10(amount / floor) / LOG_DECADES with
 * floor = max / 10^LOG_DECADES, so three decades below the largest bin spread over the scale.
 * Any amount above zero gets at least 0.02, so that it never vanishes.
 */
export function scaleValue(amount: number, max: number, log: boolean): number {
  if (!(amount > 0) || !(max > 0)) return 0;
  const v = log ? Math.log10(amount / (max / 10 ** LOG_DECADES)) / LOG_DECADES : amount / max;
  return Math.max(0.02, Math.min(1, v));
}

/** viridis at t = 0, 0.125, …, 1 (matplotlib `_viridis_data`, rounded to 8 bits). */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** RGBA (0…255) of a scale value; alpha rises from 0 so that empty space stays see-through. */
export function heatColor(t: number): [number, number, number, number] {
  if (!(t > 0)) return [0, 0, 0, 0];
  // Skip the darkest sixth of viridis: on the dark chart background it would be invisible.
  const x = (0.18 + 0.82 * Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  const alpha = Math.round(255 * (0.12 + 0.5 * Math.min(1, t)));
  return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2])), alpha];
}

/**
 * RGBA pixels of the map, one column per entry of `columnBars` (column k shows replayed bar
 * columnBars[k]; see heat-columns.ts), one row per bin, row 0 = the highest prices. The
 * primitive renders this once and draws the columns up to the cursor, so the cut at the cursor
 * costs nothing per step.
 */
export function heatPixels(map: HeatMap, columnBars: readonly number[], log: boolean): Uint8ClampedArray {
  const max = maxAmount(map);
  const width = columnBars.length;
  const px = new Uint8ClampedArray(width * map.bins * 4);
  for (let k = 0; k < width; k++) {
    const bar = columnBars[k]!;
    for (let b = 0; b < map.bins; b++) {
      const amount = (map.long[bar * map.bins + b] ?? 0) + (map.short[bar * map.bins + b] ?? 0);
      const [r, g, bl, a] = heatColor(scaleValue(amount, max, log));
      const row = map.bins - 1 - b;
      const o = (row * width + k) * 4;
      px[o] = r;
      px[o + 1] = g;
      px[o + 2] = bl;
      px[o + 3] = a;
    }
  }
  return px;
}

/** Position lines worth a label: the `count` nearest to `price`. */
export function nearestIndices(prices: readonly number[], price: number, count: number): number[] {
  return prices
    .map((p, i) => ({ i, d: Math.abs(p - price) }))
    .filter((x) => Number.isFinite(x.d))
    .sort((a, b) => a.d - b.d)
    .slice(0, count)
    .map((x) => x.i);
}
