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

/** One side of the book, sorted by liquidation price in the order the price reaches them. */
export interface BookSide {
  readonly sign: 1 | -1;
  readonly count: number;
  /** Liquidation prices, sorted: descending for longs, ascending for shorts. */
  readonly liquidationPrice: Float64Array;
  readonly bankruptcyPrice: Float64Array;
  readonly qty: Float64Array;
  readonly entry: Float64Array;
  readonly margin: Float64Array;
  readonly bucket: Int32Array;
  /** Row of the position in the input columns. */
  readonly sourceIndex: Uint32Array;
  /** 1 once the position is closed (liquidated or deleveraged). */
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

/** Build and sort the book. Cost: one pass of margin math plus one radix argsort per side. */
export function buildStaticBook(input: StaticBookInput, rules: SymbolRules, contract: 'linear' | 'inverse'): StaticBook {
  const n = input.side.length;
  assert(input.qty.length === n && input.entry.length === n && input.margin.length === n, 'book columns must have equal lengths');
  const br = rules.brackets;
  const floors = Float64Array.from(br, (b) => b.floor);
  const caps = Float64Array.from(br, (b) => b.cap);
  const mmrs = Float64Array.from(br, (b) => b.mmr);
  const cums = Float64Array.from(br, (b) => b.cum);
  let nLong = 0;
  for (let i = 0; i < n; i++) if (input.side[i]! > 0) nLong++;
  const nShort = n - nLong;
  const keyLong = new Float64Array(nLong);
  const keyShort = new Float64Array(nShort);
  const rowLong = new Uint32Array(nLong);
  const rowShort = new Uint32Array(nShort);
  const liq = new Float64Array(n);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const s = input.side[i]!;
    assert(s === 1 || s === -1, 'side must be +1 or −1');
    const q = input.qty[i]!;
    const e = input.entry[i]!;
    const m = input.margin[i]!;
    const p = contract === 'linear' ? isolatedLinearLiquidationPrice(floors, caps, mmrs, cums, s, q, e, m) : isolatedInverseLiquidationPrice(floors, caps, mmrs, s, q, e, m);
    liq[i] = p;
    if (s > 0) {
      keyLong[a] = -p; // ascending −p = descending p
      rowLong[a++] = i;
    } else {
      keyShort[b] = p;
      rowShort[b++] = i;
    }
  }
  const build = (sign: 1 | -1, keys: Float64Array, rows: Uint32Array): BookSide => {
    const order = argsortFloat64(keys);
    const count = rows.length;
    const side: BookSide = {
      sign,
      count,
      liquidationPrice: new Float64Array(count),
      bankruptcyPrice: new Float64Array(count),
      qty: new Float64Array(count),
      entry: new Float64Array(count),
      margin: new Float64Array(count),
      bucket: new Int32Array(count),
      sourceIndex: new Uint32Array(count),
      closed: new Uint8Array(count),
      next: 0,
    };
    for (let k = 0; k < count; k++) {
      const i = rows[order[k]!]!;
      const q = input.qty[i]!;
      const e = input.entry[i]!;
      const m = input.margin[i]!;
      side.liquidationPrice[k] = liq[i]!;
      side.bankruptcyPrice[k] =
        contract === 'linear'
          ? Math.max(e - m / (sign * q), 0)
          : sign > 0
            ? e / (1 + (m * e) / q)
            : (m * e) / q >= 1
              ? Number.POSITIVE_INFINITY
              : e / (1 - (m * e) / q);
      side.qty[k] = q;
      side.entry[k] = e;
      side.margin[k] = m;
      side.bucket[k] = input.bucket ? input.bucket[i]! : -1;
      side.sourceIndex[k] = i;
    }
    return side;
  };
  return { long: build(1, keyLong, rowLong), short: build(-1, keyShort, rowShort) };
}

/** Bytes of typed-array memory a book of `n` positions needs, including the input columns and sort buffers. */
export function bookBytesPerPosition(): { input: number; sorted: number; sortScratch: number } {
  // input: side 1 + qty 8 + entry 8 + margin 8 + bucket 4; sorted: 5×8 + bucket 4 + sourceIndex 4 + closed 1;
  // scratch while sorting: key 8 + row 4 + liq 8 + radix lo/hi/idx ×2 = 24.
  return { input: 29, sorted: 49, sortScratch: 44 };
}
