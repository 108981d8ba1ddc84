/**
 * The static position book: many isolated positions, kept in typed arrays sorted in the order a
 * falling (longs) or rising (shorts) price reaches their liquidation prices.
 *
 * A liquidation price of an isolated position does not change while the position is open, so the
 * book is sorted once; during a replay each side keeps a pointer and a step costs O(1) plus O(k) for
 * the k positions it liquidates. Positions closed out of order (by ADL) are flagged and skipped.
 */
import type { SymbolRules } from './venue-rules';
import { argsortFloat64 } from './radix-sort';
import { assert } from './assert';

/** Positions as columns (plain typed arrays). `side` is +1 long / −1 short. */
export interface StaticBookInput {
  readonly side: Int8Array;
  /** Base quantity (linear) or number of USD contracts (inverse). */
  readonly qty: Float64Array;
  readonly entry: Float64Array;
  /** Isolated margin in the margin currency (USDT, or coin for inverse). */
  readonly margin: Float64Array;
  /** Optional bucket index per position (population leverage bucket); −1 or absent = none. */
  readonly bucket?: Int32Array;
}

/**
 * One side of the book. `liquidationPrice` is sorted in the order the price reaches the positions;
 * the k-th position's other fields are in `record` at 4·order[k] (qty, entry, margin, bucket), so a
 * walk reads prices sequentially and touches a record only when it liquidates that position.
 */
export interface BookSide {
  readonly sign: 1 | -1;
  readonly count: number;
  /** Liquidation prices, sorted: descending for longs, ascending for shorts. */
  readonly liquidationPrice: Float64Array;
  /** k-th sorted position → record index. */
  readonly order: Uint32Array;
  /** Records of (qty, entry, margin, bucket), 4 numbers each, in input order of this side. */
  readonly record: Float64Array;
  /** Record index → row of the position in the input columns. */
  readonly sourceRow: Uint32Array;
  /** 1 once the k-th sorted position is closed (liquidated or deleveraged). */
  readonly closed: Uint8Array;
  /** All positions before `next` are closed; the walk resumes here. */
  next: number;
}

/** Both sides of the book. */
export interface StaticBook {
  readonly long: BookSide;
  readonly short: BookSide;
}

/**
 * Liquidation price of an isolated linear position with the tier re-selection of the Binance
 * formula, written for speed (no allocation). Same result as `liquidationPrice` in linear-margin.ts.
 */
export function isolatedLinearLiquidationPrice(
  floors: Float64Array,
  caps: Float64Array,
  mmrs: Float64Array,
  cums: Float64Array,
  side: number,
  q: number,
  entry: number,
  margin: number,
): number {
  const last = floors.length - 1;
  for (let k = 0; k <= last; k++) {
    const mmr = mmrs[k]!;
    let p = (cums[k]! + margin - side * q * entry) / (q * mmr - side * q);
    if (p < 0) p = 0;
    const n = q * p;
    if ((k === 0 || n >= floors[k]!) && (k === last || n < caps[k]!)) return p;
  }
  return side > 0 ? 0 : Number.POSITIVE_INFINITY;
}

/** Inverse counterpart: margin + side·C·(1/E − 1/p) = mmr·C/p, tier by position value C/p. */
export function isolatedInverseLiquidationPrice(floors: Float64Array, caps: Float64Array, mmrs: Float64Array, side: number, contracts: number, entry: number, margin: number): number {
  const last = floors.length - 1;
  const denom = margin + (side * contracts) / entry;
  if (side < 0 && denom >= 0) return Number.POSITIVE_INFINITY;
  for (let k = 0; k <= last; k++) {
    const p = ((mmrs[k]! + side) * contracts) / denom;
    const v = p > 0 ? contracts / p : Number.POSITIVE_INFINITY;
    if ((k === 0 || v >= floors[k]!) && (k === last || v < caps[k]!)) return Math.max(p, 0);
  }
  return side > 0 ? 0 : Number.POSITIVE_INFINITY;
}

/** A symbol's bracket table as columns, for the allocation-free liquidation-price functions. */
export interface BracketColumns {
  readonly floors: Float64Array;
  readonly caps: Float64Array;
  readonly mmrs: Float64Array;
  readonly cums: Float64Array;
}

export function bracketColumns(rules: SymbolRules): BracketColumns {
  const br = rules.brackets;
  return { floors: Float64Array.from(br, (b) => b.floor), caps: Float64Array.from(br, (b) => b.cap), mmrs: Float64Array.from(br, (b) => b.mmr), cums: Float64Array.from(br, (b) => b.cum) };
}

/** Liquidation price of an isolated linear or inverse position (tiers re-selected). */
export function isolatedLiquidationPrice(t: BracketColumns, contract: 'linear' | 'inverse', side: number, q: number, entry: number, margin: number): number {
  return contract === 'linear' ? isolatedLinearLiquidationPrice(t.floors, t.caps, t.mmrs, t.cums, side, q, entry, margin) : isolatedInverseLiquidationPrice(t.floors, t.caps, t.mmrs, side, q, entry, margin);
}

/** Build and sort the book. Cost: one pass of margin math plus one radix argsort per side. */
export function buildStaticBook(input: StaticBookInput, rules: SymbolRules, contract: 'linear' | 'inverse'): StaticBook {
  const n = input.side.length;
  assert(input.qty.length === n && input.entry.length === n && input.margin.length === n, 'book columns must have equal lengths');
  const tiers = bracketColumns(rules);
  let nLong = 0;
  for (let i = 0; i < n; i++) if (input.side[i]! > 0) nLong++;
  const nShort = n - nLong;
  const keyLong = new Float64Array(nLong);
  const keyShort = new Float64Array(nShort);
  const rowLong = new Uint32Array(nLong);
  const rowShort = new Uint32Array(nShort);
  // Per-side copies of (qty, entry, margin, bucket) interleaved, so the gather after sorting reads
  // one cache line per position instead of one per column (the gather is memory-latency bound).
  const aosLong = new Float64Array(nLong * 4);
  const aosShort = new Float64Array(nShort * 4);
  const inBucket = input.bucket;
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const s = input.side[i]!;
    assert(s === 1 || s === -1, 'side must be +1 or −1');
    const q = input.qty[i]!;
    const e = input.entry[i]!;
    const m = input.margin[i]!;
    const p = isolatedLiquidationPrice(tiers, contract, s, q, e, m);
    const bucket = inBucket ? inBucket[i]! : -1;
    if (s > 0) {
      keyLong[a] = -p; // ascending −p = descending p
      aosLong[4 * a] = q;
      aosLong[4 * a + 1] = e;
      aosLong[4 * a + 2] = m;
      aosLong[4 * a + 3] = bucket;
      rowLong[a++] = i;
    } else {
      keyShort[b] = p;
      aosShort[4 * b] = q;
      aosShort[4 * b + 1] = e;
      aosShort[4 * b + 2] = m;
      aosShort[4 * b + 3] = bucket;
      rowShort[b++] = i;
    }
  }
  const build = (sign: 1 | -1, keys: Float64Array, rows: Uint32Array, aos: Float64Array): BookSide => {
    const count = rows.length;
    const sorted = new Float64Array(count);
    const order = argsortFloat64(keys, sorted);
    if (sign > 0) for (let k = 0; k < count; k++) sorted[k] = -sorted[k]!; // keys were −price
    return { sign, count, liquidationPrice: sorted, order, record: aos, sourceRow: rows, closed: new Uint8Array(count), next: 0 };
  };
  return { long: build(1, keyLong, rowLong, aosLong), short: build(-1, keyShort, rowShort, aosShort) };
}

/** Bytes of typed-array memory a book of `n` positions needs, including the input columns and sort buffers. */
export function bookBytesPerPosition(): { input: number; sorted: number; sortScratch: number } {
  // input: side 1 + qty 8 + entry 8 + margin 8 + bucket 4 = 29;
  // book: sorted price 8 + order 4 + record 32 + source row 4 + closed 1 = 49;
  // scratch while sorting: key 8 + radix lo/hi/idx double-buffered 24.
  return { input: 29, sorted: 49, sortScratch: 32 };
}
