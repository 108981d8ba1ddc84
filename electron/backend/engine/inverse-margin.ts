/**
 * Margin math of an inverse (coin-margined) perpetual, BitMEX-like.
 *
 * Contracts are worth 1 USD each; margin, PnL and the insurance fund are counted in coin (XBT).
 *   PnL (coin) = side · contracts · (1/entry − 1/exit)            (BitMEX inverse-contract guide)
 *   bankruptcy long = entry·L/(L+1), short = entry·L/(L−1)        (equity = 0 with margin = C/(entry·L))
 * Maintenance margin is `mmr` × position value at the mark (C / mark, in coin); the tier rate
 * applies to the whole position (BitMEX risk limits), so there is no `cum` deduction.
 */
import type { Bracket } from './venue-rules';
import { bracketIndexForNotional } from './brackets';
import { price, type Price, type SideSign } from './units';

/** PnL in coin of `contracts` USD contracts opened at `entry` and closed at `exit`. */
export function inversePnl(side: SideSign, contracts: number, entry: number, exit: number): number {
  return side * contracts * (1 / entry - 1 / exit);
}

/** Margin (coin) of a position opened at `leverage`: contracts / (entry · leverage). */
export function inverseMarginFromLeverage(contracts: number, entry: number, leverage: number): number {
  return contracts / (entry * leverage);
}

/**
 * Bankruptcy price (equity = 0) of a position with `marginCoin` of margin.
 * With margin = C/(E·L) this is E·L/(L+1) for a long and E·L/(L−1) for a short (∞ at L ≤ 1).
 */
export function inverseBankruptcyPrice(side: SideSign, contracts: number, entry: number, marginCoin: number): Price {
  const marginFraction = (marginCoin * entry) / contracts; // = 1/L
  if (side === 1) return price(entry / (1 + marginFraction));
  return price(marginFraction >= 1 ? Number.POSITIVE_INFINITY : entry / (1 - marginFraction));
}

/**
 * Liquidation price: margin + PnL(p) = mmr · C / p, i.e. p = (mmr + side)·C / (margin + side·C/E).
 * Long: E(1+mmr)/(1+mf); short: E(1−mmr)/(1−mf), with mf = margin·E/C. The tier is the one whose
 * [floor, cap) holds the position value C/p (coin) at the solved price.
 */
export function inverseLiquidationPrice(
  brackets: readonly Bracket[],
  side: SideSign,
  contracts: number,
  entry: number,
  marginCoin: number,
): { price: Price; bracketIndex: number; mmr: number } {
  const last = brackets.length - 1;
  const solve = (mmr: number) => {
    const denom = marginCoin + (side * contracts) / entry;
    // A short with margin ≥ its value (≤ 1x) can never be liquidated by a rising price.
    if (side === -1 && denom >= 0) return Number.POSITIVE_INFINITY;
    return ((mmr + side) * contracts) / denom;
  };
  for (let k = 0; k <= last; k++) {
    const b = brackets[k]!;
    const p = solve(b.mmr);
    const value = p > 0 ? contracts / p : Number.POSITIVE_INFINITY;
    if ((k === 0 || value >= b.floor) && (k === last || value < b.cap)) return { price: price(Math.max(p, 0)), bracketIndex: k, mmr: b.mmr };
  }
  const k = bracketIndexForNotional(brackets, contracts / entry);
  return { price: price(Math.max(solve(brackets[k]!.mmr), 0)), bracketIndex: k, mmr: brackets[k]!.mmr };
}
