/**
 * In-window inflow of the estimated population (PopulationSpec.inflow): the look-back rule of
 * DESIGN.md §3.4 (new notional opens in proportion to traded volume) extended through the replay.
 *
 * Turnover keeps open interest consistent. At the close of each replayed bar t, owners close a share
 * h_t of every open population position (whatever its PnL: the exponential holding time of the aged
 * population) and the same base quantity opens again as new positions at that close:
 *
 *   h_t = 1 − exp(−w_t · Δt / H),   w_t = traded_t / (mean traded per bar over the look-back),
 *
 * with Δt the bar length in days, H = meanHoldingDays (the holding time at the look-back's average
 * volume) and traded = volume·close. So the population's open quantity changes only by
 * liquidations (and by owners reacting), never by inflow. h_t reads bar t only: no look-ahead.
 *
 * A position opened at the close of bar a and still open in bar t > a has been closed to a share
 * P[t]/P[a+1] of its opening size, P[k] = Π_{τ<k} (1 − h_τ) (the population of the replay start:
 * P[t]/P[0]). Scaling qty and margin together keeps an isolated position's liquidation price, so the
 * books stay static: the factor is applied when a position is liquidated or deleveraged.
 *
 * Each bar's new positions form a cohort: a tiny static book per side (sides split by longShare,
 * the population's leverage buckets, positionsPerBucket each), sorted once when it opens and checked
 * from the next bar on. A heap of cohort heads per side keeps the per-point sweep O(1) when nothing
 * crosses and O(log cohorts) per liquidation.
 */
import { MinHeap } from './min-heap';
import type { CandleColumns } from './candles';
import type { BookSide } from './position-book';
import { isolatedLiquidationPrice, type BracketColumns } from './position-book';

/** Inflow as the cascade needs it (resolved from PopulationSpec.inflow). */
export interface InflowConfig {
  /** h_t per replayed bar: share of every open population position closed and reopened at the bar's close. */
  readonly hazard: Float64Array;
  readonly longShare: number;
  readonly buckets: readonly { readonly leverage: number; readonly weight: number }[];
  readonly positionsPerBucket: number;
  /** Rows of the static book that are the population (they turn over); later rows (a book passed in) do not. */
  readonly populationRows: number;
}

/**
 * h_t for the replayed bars [start, n) of `c` (see the module comment). The normaliser is the mean
 * traded notional per bar over the look-back [from, start); without traded volume there (a synthetic
 * path) every bar counts as average (w = 1), i.e. turnover in calendar time.
 */
export function inflowHazards(c: CandleColumns, from: number, start: number, meanHoldingDays: number, barSeconds: number): Float64Array {
  const n = c.time.length;
  let traded = 0;
  for (let i = from; i < start; i++) traded += c.volume[i]! * c.close[i]!;
  const mean = start > from ? traded / (start - from) : 0;
  const perBar = barSeconds / 86_400 / meanHoldingDays;
  const h = new Float64Array(Math.max(n - start, 0));
  for (let i = start; i < n; i++) {
    const w = mean > 0 ? (c.volume[i]! * c.close[i]!) / mean : 1;
    h[i - start] = -Math.expm1(-w * perBar);
  }
  return h;
}

/** P[k] = Π_{τ<k} (1 − h_τ), k = 0 … hazard.length. */
export function survivalPrefix(hazard: Float64Array): Float64Array {
  const p = new Float64Array(hazard.length + 1);
  p[0] = 1;
  for (let k = 0; k < hazard.length; k++) p[k + 1] = p[k]! * (1 - hazard[k]!);
  return p;
}

/** One bar's new positions. */
export interface Cohort {
  readonly long: BookSide;
  readonly short: BookSide;
  /** Replayed bar at whose close it opened; liquidations are checked from the next bar. */
  readonly openedAfter: number;
}

/** Typed-array chunks handed out as views, so a cohort allocates no backing store of its own. */
class ChunkPool<T extends Float64Array | Uint8Array> {
  private chunk: T;
  private used = 0;
  constructor(private readonly make: (n: number) => T) {
    this.chunk = make(1 << 16);
  }
  take(n: number): T {
    if (this.used + n > this.chunk.length) {
      this.chunk = this.make(Math.max(1 << 16, n));
      this.used = 0;
    }
    const view = this.chunk.subarray(this.used, this.used + n) as T;
    this.used += n;
    return view;
  }
}

/**
 * Builds the cohorts of one replay. A cohort side's positions are stored already sorted, so its
 * `order` and `sourceRow` are the identity (one shared view per size); prices, records and closed
 * flags are views into pooled chunks.
 */
export class CohortBuilder {
  private readonly prices = new ChunkPool((n) => new Float64Array(n));
  private readonly flags = new ChunkPool((n) => new Uint8Array(n));
  private readonly identity: Uint32Array;
  private readonly bucketPrice: Float64Array;
  private readonly bucketOrder: Int32Array;
  private readonly perSide: number;
  private readonly wsum: number;

  constructor(
    private readonly cfg: InflowConfig,
    private readonly tiers: BracketColumns,
    private readonly contract: 'linear' | 'inverse',
  ) {
    let buckets = 0;
    for (const b of cfg.buckets) if (b.weight > 0) buckets++;
    this.perSide = buckets * cfg.positionsPerBucket;
    this.identity = Uint32Array.from({ length: this.perSide }, (_, i) => i);
    this.bucketPrice = new Float64Array(cfg.buckets.length);
    this.bucketOrder = new Int32Array(cfg.buckets.length);
    this.wsum = cfg.buckets.reduce((a, b) => a + b.weight, 0);
  }

  /**
   * The cohort that opens at `entry` after replayed bar `bar` with total base quantity `base` (BTC
   * for linear, contracts for inverse). Bucket index = side·buckets + bucket, as the population's.
   */
  build(bar: number, base: number, entry: number): Cohort {
    return { long: this.side(1, base, entry), short: this.side(-1, base, entry), openedAfter: bar };
  }

  private side(sign: 1 | -1, base: number, entry: number): BookSide {
    const { cfg, tiers, contract } = this;
    const nb = cfg.buckets.length;
    const per = cfg.positionsPerBucket;
    const sideBase = base * (sign > 0 ? cfg.longShare : 1 - cfg.longShare);
    const n = sideBase > 0 ? this.perSide : 0;
    // Buckets in the order the price reaches them (descending prices for longs, ascending for shorts); stable.
    let used = 0;
    for (let b = 0; b < nb && n > 0; b++) {
      const bucket = cfg.buckets[b]!;
      if (!(bucket.weight > 0)) continue;
      const q = (sideBase * bucket.weight) / this.wsum / per;
      const m = contract === 'inverse' ? q / (entry * bucket.leverage) : (q * entry) / bucket.leverage;
      const price = isolatedLiquidationPrice(tiers, contract, sign, q, entry, m);
      this.bucketPrice[b] = price;
      let j = used++;
      while (j > 0 && (sign > 0 ? this.bucketPrice[this.bucketOrder[j - 1]!]! < price : this.bucketPrice[this.bucketOrder[j - 1]!]! > price)) {
        this.bucketOrder[j] = this.bucketOrder[j - 1]!;
        j--;
      }
      this.bucketOrder[j] = b;
    }
    const sorted = this.prices.take(n);
    const record = this.prices.take(4 * n);
    let i = 0;
    for (let r = 0; r < used; r++) {
      const b = this.bucketOrder[r]!;
      const bucket = cfg.buckets[b]!;
      const q = (sideBase * bucket.weight) / this.wsum / per;
      const m = contract === 'inverse' ? q / (entry * bucket.leverage) : (q * entry) / bucket.leverage;
      for (let u = 0; u < per; u++, i++) {
        sorted[i] = this.bucketPrice[b]!;
        record[4 * i] = q;
        record[4 * i + 1] = entry;
        record[4 * i + 2] = m;
        record[4 * i + 3] = (sign > 0 ? 0 : 1) * nb + b;
      }
    }
    const identity = n === this.perSide ? this.identity : this.identity.subarray(0, n);
    return { sign, count: n, liquidationPrice: sorted, order: identity, record, sourceRow: identity, closed: this.flags.take(n), next: 0 };
  }
}

/**
 * Heap of cohort sides keyed by their next open position's liquidation price, in the order the
 * price reaches them: the highest long price first, the lowest short price first.
 */
export class CohortHeap extends MinHeap {
  constructor(private readonly sign: 1 | -1) {
    super();
  }

  /** Key of a side's head (smaller = reached first), or null when it has no open position left. */
  headKey(B: BookSide): number | null {
    while (B.next < B.count && B.closed[B.next]) B.next++;
    if (B.next >= B.count) return null;
    const p = B.liquidationPrice[B.next]!;
    return this.sign > 0 ? -p : p;
  }

  /** Id of the side reached first, or −1. */
  top(): number {
    return this.size > 0 ? this.topId() : -1;
  }

  /** Liquidation price of the top side's head (as stored). */
  topPrice(): number {
    return this.sign > 0 ? -this.topKey() : this.topKey();
  }

  /** Replace the top's key (its head moved), or remove it (null). */
  updateTop(key: number | null): void {
    if (key === null) this.pop();
    else this.replaceTop(key);
  }
}
