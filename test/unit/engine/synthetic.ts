/**
 * Synthetic 1m candles and the hand formulas the engine tests check against: Binance BTCUSDT's
 * 2020-01-01 table (the shipped one), first tier.
 */
import fc from 'fast-check';
import type { Candle } from '../../../electron/backend/engine/index';
import { loadTable } from './rules-fixtures';

/** A bar open time (2020-09-13): every Binance row uses the 2020-01-01 table. */
export const T0 = 1_600_000_000;

/** Bar `i` of a synthetic 1m path. */
export function syntheticBar(i: number, open: number, high: number, low: number, close: number, volume: number): Candle {
  return { time: T0 + 60 * i, open, high, low, close, volume };
}

/** First-tier maintenance margin rate of Binance BTCUSDT in 2020 (the shipped table, from Binance's bracket API). */
export const MMR = loadTable('binance-usdm_2020-01-01.json').symbols.BTCUSDT!.brackets[0]!.mmr;

/** DESIGN.md §3.1 isolated one-way liquidation price, first tier (cum 0): (WB − s·Q·E)/(Q·MMR − s·Q). */
export const isolatedLiquidation = (side: 1 | -1, q: number, e: number, m: number): number => (m - side * q * e) / (q * MMR - side * q);

/** Inflow turnover of a 1m bar, h = 1 − exp(−w·Δt/H): w the bar's traded notional over the look-back's mean per bar, Δt in days. */
export const hazard = (w: number, holdingDays: number): number => 1 - Math.exp((-w * (60 / 86_400)) / holdingDays);

/** One step of a random path: a log return, a wick on each side (share of the price), the bar's volume. */
export interface RandomMove {
  readonly r: number;
  readonly wick: number;
  readonly volume: number;
}

/** Random moves for fast-check: returns within ±8%, wicks up to 3%, volumes 0.1…50. */
export const moveArb = fc.record({ r: fc.double({ min: -0.08, max: 0.08, noNaN: true }), wick: fc.double({ min: 0, max: 0.03, noNaN: true }), volume: fc.double({ min: 0.1, max: 50, noNaN: true }) });

/** A random 1m path: one flat look-back bar at 100 (volume 5), then one bar per move. */
export function randomPath(moves: readonly RandomMove[]): Candle[] {
  const out: Candle[] = [syntheticBar(0, 100, 100, 100, 100, 5)];
  let p = 100;
  moves.forEach((m, i) => {
    const q = p * Math.exp(m.r);
    out.push(syntheticBar(i + 1, p, Math.max(p, q) * (1 + m.wick), Math.min(p, q) * (1 - m.wick), q, m.volume));
    p = q;
  });
  return out;
}
