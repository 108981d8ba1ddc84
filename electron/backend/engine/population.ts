/**
 * Estimated market population (DESIGN.md §3.4), as liquidation-map tools do it, transparently.
 *
 * Over a look-back window before the replay, each bar opens new leveraged notional in proportion to
 * its traded notional (volume·close·participation), or scaled so that the total equals a given
 * open interest. It is split long/short and over leverage buckets by weight; each position's entry
 * is the bar's close (or a seeded uniform draw within the bar's range) and its liquidation price
 * comes from the venue formula with tiers (not the 1/L shortcut). Positions that the look-back's
 * own path would already have liquidated are dropped. Everything here is an ESTIMATE.
 */
import type { CandleColumns } from './candles';
import type { StaticBookInput } from './position-book';
import { isolatedInverseLiquidationPrice, isolatedLinearLiquidationPrice } from './position-book';
import type { SymbolRules } from './venue-rules';
import { Prng } from './prng';
import { assert } from './assert';

/** Parameters of the population estimate (plain data; stored with the run). */
export interface PopulationSpec {
  /** Bars before the replay start that open positions. */
  readonly lookbackBars: number;
  /** Share of each bar's traded quote notional that opens new leveraged positions (ignored with openInterest). */
  readonly participation?: number;
  /** Total open notional to spread (quote); when set, bar shares follow volume. */
  readonly openInterest?: number;
  /** Share of new notional that is long (0…1). */
  readonly longShare?: number;
  /** Leverage buckets with weights (normalised). */
  readonly buckets?: readonly { readonly leverage: number; readonly weight: number }[];
  /** Entry price within the bar: the close, or a seeded uniform draw in [low, high]. */
  readonly entry?: 'close' | 'random';
  /** Positions per bar, side and bucket (splits the notional; more gives a smoother map). */
  readonly positionsPerBucket?: number;
}

/** Defaults used when a field is absent (reported back with the result). */
export const POPULATION_DEFAULTS = {
  participation: 0.05,
  longShare: 0.5,
  buckets: [
    { leverage: 5, weight: 0.3 },
    { leverage: 10, weight: 0.3 },
    { leverage: 25, weight: 0.2 },
    { leverage: 50, weight: 0.12 },
    { leverage: 100, weight: 0.08 },
  ],
  entry: 'close' as const,
  positionsPerBucket: 1,
};

/** The estimate: a static book plus what was assumed. */
export interface PopulationEstimate {
  readonly book: StaticBookInput;
  readonly bucketLabels: string[];
  /** The spec with defaults filled in, plus derived totals. */
  readonly parameters: Required<Omit<PopulationSpec, 'openInterest'>> & {
    readonly openInterest: number | null;
    readonly fromBar: number;
    readonly toBar: number;
    readonly openedNotional: number;
    readonly survivingNotional: number;
    readonly positions: number;
    readonly droppedAlreadyLiquidated: number;
  };
}

/**
 * Estimate the population from bars [endBar − lookbackBars, endBar) of `c`.
 * Bucket index = side·buckets + bucket (longs first); labels like "long 25x".
 */
export function estimatePopulation(c: CandleColumns, endBar: number, spec: PopulationSpec, rules: SymbolRules, contract: 'linear' | 'inverse', seed: number): PopulationEstimate {
  const participation = spec.participation ?? POPULATION_DEFAULTS.participation;
  const longShare = spec.longShare ?? POPULATION_DEFAULTS.longShare;
  const buckets = spec.buckets ?? POPULATION_DEFAULTS.buckets;
  const entryMode = spec.entry ?? POPULATION_DEFAULTS.entry;
  const per = Math.max(1, Math.floor(spec.positionsPerBucket ?? POPULATION_DEFAULTS.positionsPerBucket));
  const from = Math.max(0, endBar - spec.lookbackBars);
  assert(endBar <= c.time.length && buckets.length > 0, 'population window or buckets invalid');
  const wsum = buckets.reduce((s, b) => s + b.weight, 0);
  assert(wsum > 0, 'bucket weights must sum to more than 0');
  let traded = 0;
  for (let i = from; i < endBar; i++) traded += c.volume[i]! * c.close[i]!;
  const scale = spec.openInterest !== undefined && traded > 0 ? spec.openInterest / traded : participation;

  // Suffix extremes: the lowest low / highest high after bar j, up to the replay start.
  const n = endBar - from;
  const minAfter = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
  const maxAfter = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
  for (let k = n - 1; k >= 0; k--) {
    minAfter[k] = Math.min(minAfter[k + 1]!, c.low[from + k]!);
    maxAfter[k] = Math.max(maxAfter[k + 1]!, c.high[from + k]!);
  }
  const br = rules.brackets;
  const floors = Float64Array.from(br, (b) => b.floor);
  const caps = Float64Array.from(br, (b) => b.cap);
  const mmrs = Float64Array.from(br, (b) => b.mmr);
  const cums = Float64Array.from(br, (b) => b.cum);
  const cap = n * 2 * buckets.length * per;
  const side = new Int8Array(cap);
  const qtyA = new Float64Array(cap);
  const entryA = new Float64Array(cap);
  const marginA = new Float64Array(cap);
  const bucketA = new Int32Array(cap);
  const prng = Prng.fromSeed(seed);
  let count = 0;
  let opened = 0;
  let surviving = 0;
  let dropped = 0;
  for (let k = 0; k < n; k++) {
    const i = from + k;
    const barNotional = c.volume[i]! * c.close[i]! * scale;
    for (let sIdx = 0; sIdx < 2; sIdx++) {
      const s = sIdx === 0 ? 1 : -1;
      const sideNotional = barNotional * (s > 0 ? longShare : 1 - longShare);
      for (let b = 0; b < buckets.length; b++) {
        const lev = buckets[b]!.leverage;
        const unitNotional = (sideNotional * buckets[b]!.weight) / wsum / per;
        if (!(unitNotional > 0)) continue;
        for (let u = 0; u < per; u++) {
          const e = entryMode === 'random' ? c.low[i]! + prng.nextFloat() * (c.high[i]! - c.low[i]!) : c.close[i]!;
          const q = contract === 'inverse' ? unitNotional : unitNotional / e;
          const m = contract === 'inverse' ? unitNotional / (e * lev) : unitNotional / lev;
          opened += unitNotional;
          const lp = contract === 'inverse' ? isolatedInverseLiquidationPrice(floors, caps, mmrs, s, q, e, m) : isolatedLinearLiquidationPrice(floors, caps, mmrs, cums, s, q, e, m);
          // Already liquidated by the look-back path after it opened: not part of the market any more.
          if ((s > 0 && minAfter[k + 1]! <= lp) || (s < 0 && maxAfter[k + 1]! >= lp)) {
            dropped++;
            continue;
          }
          side[count] = s;
          qtyA[count] = q;
          entryA[count] = e;
          marginA[count] = m;
          bucketA[count] = sIdx * buckets.length + b;
          surviving += unitNotional;
          count++;
        }
      }
    }
  }
  const labels: string[] = [];
  for (const sName of ['long', 'short']) for (const b of buckets) labels.push(`${sName} ${b.leverage}x`);
  return {
    book: { side: side.slice(0, count), qty: qtyA.slice(0, count), entry: entryA.slice(0, count), margin: marginA.slice(0, count), bucket: bucketA.slice(0, count) },
    bucketLabels: labels,
    parameters: {
      lookbackBars: spec.lookbackBars,
      participation: spec.openInterest !== undefined ? scale : participation,
      longShare,
      buckets: buckets.map((b) => ({ leverage: b.leverage, weight: b.weight })),
      entry: entryMode,
      positionsPerBucket: per,
      openInterest: spec.openInterest ?? null,
      fromBar: from,
      toBar: endBar,
      openedNotional: opened,
      survivingNotional: surviving,
      positions: count,
      droppedAlreadyLiquidated: dropped,
    },
  };
}
