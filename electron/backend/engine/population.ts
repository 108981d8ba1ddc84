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
import { bracketColumns, isolatedLiquidationPrice } from './position-book';
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
  /**
   * Mean age of open positions in days. When set, the population is the steady state of positions
   * held for an exponentially distributed time with this mean ({@link agedEntries}): entries spread
   * around the last look-back close by the look-back's realised volatility, survivors only. The
   * look-back then sets the volatility, not the entries; `entry` and `positionsPerBucket` are unused.
   */
  readonly meanAgeDays?: number;
  /**
   * Owners react before liquidation: once a position has lost `lossShare` of its margin, its owner
   * closes it at a rate of 1/`minutes` (exponential), so only exp(−Δt/minutes) of it is still open
   * when the price reaches its liquidation price Δt after crossing that loss. The part closed by
   * its owner is settled at the liquidation trigger without fee and without market impact.
   */
  readonly reaction?: { readonly lossShare: number; readonly minutes: number };
  /**
   * In-window inflow (inflow.ts): positions keep opening during the replay. At the close of each
   * replayed bar a share h = 1 − exp(−w·Δt/meanHoldingDays) of every open population position is
   * closed by its owner and the same base quantity opens at that close, split long/short by
   * `longShare` over the same leverage buckets (w: the bar's traded notional over the look-back's
   * mean per bar; Δt: the bar in days). Open interest changes only by liquidations. Absent: no
   * position opens during the replay.
   */
  readonly inflow?: { readonly meanHoldingDays: number };
}

/** Quadrature of the aged population: age quantiles × normal nodes of the log entry offset. */
export const AGED_GRID = { ages: 16, zMax: 4, zStep: 0.2 } as const;

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
  readonly parameters: Required<Omit<PopulationSpec, 'openInterest' | 'meanAgeDays' | 'reaction' | 'inflow'>> & {
    readonly openInterest: number | null;
    readonly meanAgeDays: number | null;
    readonly reaction: { readonly lossShare: number; readonly minutes: number } | null;
    readonly inflow: { readonly meanHoldingDays: number } | null;
    /** Realised daily volatility of the look-back (aged populations only). */
    readonly dailyVolatility: number | null;
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
  if (spec.meanAgeDays !== undefined) return agedEntries(c, endBar, spec, rules, contract);
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
  const tiers = bracketColumns(rules);
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
          const lp = isolatedLiquidationPrice(tiers, contract, s, q, e, m);
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
  return {
    book: { side: side.slice(0, count), qty: qtyA.slice(0, count), entry: entryA.slice(0, count), margin: marginA.slice(0, count), bucket: bucketA.slice(0, count) },
    bucketLabels: bucketLabels(buckets),
    parameters: {
      lookbackBars: spec.lookbackBars,
      meanAgeDays: null,
      reaction: spec.reaction ?? null,
      inflow: spec.inflow ?? null,
      dailyVolatility: null,
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

function bucketLabels(buckets: readonly { readonly leverage: number }[]): string[] {
  const labels: string[] = [];
  for (const sName of ['long', 'short']) for (const b of buckets) labels.push(`${sName} ${b.leverage}x`);
  return labels;
}

/** Realised daily volatility of log closes over bars [from, to) (bars of `barSeconds`). */
export function realisedDailyVolatility(c: CandleColumns, from: number, to: number, barSeconds: number): number {
  let s2 = 0;
  let n = 0;
  for (let i = Math.max(from + 1, 1); i < to; i++) {
    const r = Math.log(c.close[i]! / c.close[i - 1]!);
    if (Number.isFinite(r)) {
      s2 += r * r;
      n++;
    }
  }
  return n > 0 ? Math.sqrt((s2 / n) * (86_400 / barSeconds)) : 0;
}

/**
 * The aged population: the steady state of a market where leveraged positions are opened at a
 * constant rate and held for an exponentially distributed time A of mean `meanAgeDays`. A position
 * of age A was opened where the price was A days ago; with a log price that diffuses at the
 * look-back's realised daily volatility σ, its entry is P·exp(σ·√A·z), z standard normal, P the last
 * look-back close. It is still open only if the path from its entry to P never reached its
 * liquidation price: for a Brownian bridge that probability is 1 − exp(−2·a·b/(σ²A)), with a and b
 * the log distances from the entry and from P to the liquidation price. Each node of the quadrature
 * (age quantiles × normal nodes, {@link AGED_GRID}) becomes one position per side and bucket whose
 * notional is its probability weight times that survival; the surviving notional is scaled to
 * `openInterest` (or, without it, to `participation` × the look-back's traded notional).
 */
function agedEntries(c: CandleColumns, endBar: number, spec: PopulationSpec, rules: SymbolRules, contract: 'linear' | 'inverse'): PopulationEstimate {
  const meanAge = spec.meanAgeDays!;
  assert(meanAge > 0 && endBar >= 1 && endBar <= c.time.length, 'meanAgeDays must be > 0 and the look-back must have a bar');
  const longShare = spec.longShare ?? POPULATION_DEFAULTS.longShare;
  const buckets = spec.buckets ?? POPULATION_DEFAULTS.buckets;
  const participation = spec.participation ?? POPULATION_DEFAULTS.participation;
  const wsum = buckets.reduce((s, b) => s + b.weight, 0);
  assert(wsum > 0, 'bucket weights must sum to more than 0');
  const from = Math.max(0, endBar - spec.lookbackBars);
  const barSeconds = endBar - from >= 2 ? (c.time[endBar - 1]! - c.time[from]!) / (endBar - 1 - from) : 60;
  const sigma = realisedDailyVolatility(c, from, endBar, barSeconds);
  const p = c.close[endBar - 1]!;
  let traded = 0;
  for (let i = from; i < endBar; i++) traded += c.volume[i]! * c.close[i]!;
  const target = spec.openInterest ?? participation * traded;
  const tiers = bracketColumns(rules);
  const zs: number[] = [];
  const zw: number[] = [];
  for (let z = -AGED_GRID.zMax; z <= AGED_GRID.zMax + 1e-9; z += AGED_GRID.zStep) {
    zs.push(z);
    zw.push(Math.exp((-z * z) / 2));
  }
  const zsum = zw.reduce((s, v) => s + v, 0);
  const K = AGED_GRID.ages;
  const cap = K * zs.length * 2 * buckets.length;
  const side = new Int8Array(cap);
  const weightA = new Float64Array(cap);
  const entryA = new Float64Array(cap);
  const levA = new Float64Array(cap);
  const bucketA = new Int32Array(cap);
  let count = 0;
  let dropped = 0;
  let total = 0;
  // Unit notional first (weights), liquidation prices from a unit position: the first bracket's
  // formula is scale-free, and positions are rescaled below before the tiered price is final.
  for (let a = 0; a < K; a++) {
    const age = -meanAge * Math.log(1 - (a + 0.5) / K);
    const spread = sigma * Math.sqrt(age);
    for (let zi = 0; zi < zs.length; zi++) {
      const e = p * Math.exp(spread * zs[zi]!);
      const w0 = zw[zi]! / zsum / K;
      for (let sIdx = 0; sIdx < 2; sIdx++) {
        const s = sIdx === 0 ? 1 : -1;
        for (let b = 0; b < buckets.length; b++) {
          const lev = buckets[b]!.leverage;
          const lp = s > 0 ? e * (1 - 1 / lev) / (1 - tiers.mmrs[0]!) : e * (1 + 1 / lev) / (1 + tiers.mmrs[0]!);
          // Already beyond its liquidation price at P: liquidated before the replay.
          if ((s > 0 && lp >= p) || (s < 0 && lp <= p) || !(lp > 0)) {
            dropped++;
            continue;
          }
          const la = Math.abs(Math.log(e / lp));
          const lb = Math.abs(Math.log(p / lp));
          const survive = spread > 0 ? 1 - Math.exp((-2 * la * lb) / (spread * spread)) : 1;
          const w = w0 * (s > 0 ? longShare : 1 - longShare) * (buckets[b]!.weight / wsum) * survive;
          if (!(w > 0)) {
            dropped++;
            continue;
          }
          side[count] = s;
          weightA[count] = w;
          entryA[count] = e;
          levA[count] = lev;
          bucketA[count] = sIdx * buckets.length + b;
          total += w;
          count++;
        }
      }
    }
  }
  const qtyA = new Float64Array(count);
  const marginA = new Float64Array(count);
  const k = total > 0 ? target / total : 0;
  for (let i = 0; i < count; i++) {
    const notional = weightA[i]! * k;
    const e = entryA[i]!;
    qtyA[i] = contract === 'inverse' ? notional : notional / e;
    marginA[i] = contract === 'inverse' ? notional / (e * levA[i]!) : notional / levA[i]!;
    // The tiered price (the static book recomputes it); keep positions the tiers would put beyond P out.
    const lp = isolatedLiquidationPrice(tiers, contract, side[i]!, qtyA[i]!, e, marginA[i]!);
    if ((side[i]! > 0 && lp >= p) || (side[i]! < 0 && lp <= p)) marginA[i] = Number.NaN;
  }
  let kept = 0;
  let surviving = 0;
  for (let i = 0; i < count; i++) {
    if (Number.isNaN(marginA[i]!)) {
      dropped++;
      continue;
    }
    side[kept] = side[i]!;
    qtyA[kept] = qtyA[i]!;
    entryA[kept] = entryA[i]!;
    marginA[kept] = marginA[i]!;
    bucketA[kept] = bucketA[i]!;
    surviving += weightA[i]! * k;
    kept++;
  }
  return {
    book: { side: side.slice(0, kept), qty: qtyA.slice(0, kept), entry: entryA.slice(0, kept), margin: marginA.slice(0, kept), bucket: bucketA.slice(0, kept) },
    bucketLabels: bucketLabels(buckets),
    parameters: {
      lookbackBars: spec.lookbackBars,
      meanAgeDays: meanAge,
      reaction: spec.reaction ?? null,
      inflow: spec.inflow ?? null,
      dailyVolatility: sigma,
      participation: spec.openInterest !== undefined && traded > 0 ? spec.openInterest / traded : participation,
      longShare,
      buckets: buckets.map((b) => ({ leverage: b.leverage, weight: b.weight })),
      entry: 'close',
      positionsPerBucket: 1,
      openInterest: spec.openInterest ?? null,
      fromBar: from,
      toBar: endBar,
      openedNotional: target,
      survivingNotional: surviving,
      positions: kept,
      droppedAlreadyLiquidated: dropped,
    },
  };
}
