/**
 * Margin math of a linear (USDⓈ-margined) perpetual, Binance-like, one-way mode.
 *
 * Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"
 * (https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93):
 *
 *   LP = (WB − TMM1 + UPNL1 + cumB − side·Q·EP) / (Q·MMR − side·Q)
 *
 * with WB the wallet balance (cross wallet, or the isolated position's margin), TMM1 and UPNL1 the
 * maintenance margin and unrealised PnL of the account's other positions (0 when isolated), and
 * MMR/cum of the tier in which the position's notional *at the liquidation price* falls: if the
 * first guess lands in another tier, recompute with that tier.
 *
 * Hyperliquid uses the same condition (equity = notional·mmr − deduction), so its liquidation price
 * comes from these functions too, with its own tier table.
 */
import type { Bracket } from './venue-rules';
import { bracketIndexForNotional } from './brackets';
import { price, type Price, type Qty, type Notional, type Ratio, type SideSign } from './units';

/** One position of a linear perpetual with what the account around it contributes. */
export interface LinearMarginInput {
  readonly side: SideSign;
  readonly qty: Qty;
  readonly entry: Price;
  /** Cross: the cross wallet balance. Isolated: the position's margin (isolated wallet). */
  readonly walletBalance: Notional;
  /** Maintenance margin of the account's other positions at their marks (cross only; TMM1). */
  readonly otherMaintenance?: Notional;
  /** Unrealised PnL of the account's other positions at their marks (cross only; UPNL1). */
  readonly otherUnrealizedPnl?: Notional;
}

/**
 * Binance's liquidation-price formula with a given MMR and cum, exactly as published (no tier
 * search). Useful for checking published examples that state their MMR and cum.
 */
export function liquidationPriceFormula(
  input: LinearMarginInput & { readonly mmr: number; readonly cum: number },
): number {
  const { side, qty: q, entry: ep, walletBalance: wb, mmr, cum } = input;
  const tmm = input.otherMaintenance ?? 0;
  const upnl = input.otherUnrealizedPnl ?? 0;
  return (wb - tmm + upnl + cum - side * q * ep) / (q * mmr - side * q);
}

/** A price solved for, with the tier used. */
export interface TieredPrice {
  readonly price: Price;
  /** Index of the tier (in the rule table) the price was computed with. */
  readonly bracketIndex: number;
  readonly mmr: number;
  readonly cum: number;
}

/**
 * The price at which (MM of this position + TMM1) = r · (WB + UPNL1 + this position's PnL), i.e.
 * the account's margin ratio reaches `r`. r = 1 is the liquidation price; r = 0.8 a margin call.
 *
 * Solved per tier: p = (cum + r·(WB + UPNL1 − side·Q·EP) − TMM1) / (Q·mmr − r·side·Q), keeping the
 * tier whose [floor, cap) holds Q·p. The condition is monotone in p whenever r > mmr, so exactly one
 * tier is consistent. A long whose solution is ≤ 0 can never reach `r`; its price is reported as 0.
 */
export function priceAtMarginRatio(brackets: readonly Bracket[], input: LinearMarginInput, r: number): TieredPrice {
  const { side, qty: q, entry: ep, walletBalance: wb } = input;
  const tmm = input.otherMaintenance ?? 0;
  const upnl = input.otherUnrealizedPnl ?? 0;
  const solve = (b: Bracket) => (b.cum + r * (wb + upnl - side * q * ep) - tmm) / (q * b.mmr - r * side * q);
  const last = brackets.length - 1;
  for (let k = 0; k <= last; k++) {
    const b = brackets[k]!;
    const p = solve(b);
    const n = q * Math.max(p, 0);
    const aboveFloor = k === 0 || n >= b.floor;
    const belowCap = k === last || n < b.cap;
    if (aboveFloor && belowCap) return { price: price(Math.max(p, 0)), bracketIndex: k, mmr: b.mmr, cum: b.cum };
  }
  // Unreachable when r > every mmr (the condition is then monotone in p); keep the entry tier.
  const k = bracketIndexForNotional(brackets, q * ep);
  const b = brackets[k]!;
  return { price: price(Math.max(solve(b), 0)), bracketIndex: k, mmr: b.mmr, cum: b.cum };
}

/** Liquidation price (margin ratio 100%), with tier re-selection. 0 means "never" for a long. */
export function liquidationPrice(brackets: readonly Bracket[], input: LinearMarginInput): TieredPrice {
  return priceAtMarginRatio(brackets, input, 1);
}

/** Price at which the margin ratio reaches `marginCallRatio` (default 0.8). */
export function marginCallPrice(brackets: readonly Bracket[], input: LinearMarginInput, marginCallRatio: Ratio | number = 0.8): TieredPrice {
  return priceAtMarginRatio(brackets, input, marginCallRatio);
}

/**
 * Bankruptcy price: the price at which the position's (or cross account's) equity is zero,
 * WB + UPNL1 + side·Q·(p − EP) = 0. Returns 0 when a long can never go bankrupt.
 */
export function bankruptcyPrice(input: LinearMarginInput): Price {
  const { side, qty: q, entry: ep, walletBalance: wb } = input;
  const upnl = input.otherUnrealizedPnl ?? 0;
  return price(Math.max(ep - (wb + upnl) / (side * q), 0));
}

/** Maintenance margin of one position at `mark`. */
export function maintenanceMargin(brackets: readonly Bracket[], q: Qty, mark: Price): Notional {
  const n = q * mark;
  const b = brackets[bracketIndexForNotional(brackets, n)]!;
  return (n * b.mmr - b.cum) as Notional;
}

/** Unrealised PnL of a linear position at `mark`: side·Q·(mark − entry). */
export function unrealizedPnl(side: SideSign, q: Qty, entry: Price, mark: Price): Notional {
  return (side * q * (mark - entry)) as Notional;
}

/**
 * Margin ratio at `mark` = maintenance margin / margin balance
 * = (MM(this) + TMM1) / (WB + UPNL1 + PnL(this)). Liquidation at ≥ 1. Infinity when equity ≤ 0.
 */
export function marginRatio(brackets: readonly Bracket[], input: LinearMarginInput, mark: Price): Ratio {
  const mm = maintenanceMargin(brackets, input.qty, mark) + (input.otherMaintenance ?? 0);
  const equity = input.walletBalance + (input.otherUnrealizedPnl ?? 0) + unrealizedPnl(input.side, input.qty, input.entry, mark);
  return (equity <= 0 ? Number.POSITIVE_INFINITY : mm / equity) as Ratio;
}

/** Isolated margin implied by a leverage: Q·EP / leverage. */
export function isolatedMarginFromLeverage(q: Qty, entry: Price, leverage: number): Notional {
  return ((q * entry) / leverage) as Notional;
}
