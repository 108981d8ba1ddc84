/**
 * Hyperliquid-like specifics on top of the linear margin math.
 *
 * Source: Hyperliquid docs, Trading > Margin tiers and Trading > Liquidations.
 * - maintenance margin rate = half the initial margin rate at the tier's max leverage; deductions
 *   make the maintenance margin continuous (same recurrence as Binance's cum), so
 *   {@link liquidationPrice} in `linear-margin.ts` applies unchanged;
 * - the docs' isolated formula `liq_price = price − side·margin_available / size / (1 − l·side)`
 *   (l = maintenance rate, margin_available = margin + PnL − maintenance at `price`) is the same
 *   condition solved from the current price instead of the entry;
 * - positions over 100k USDC are liquidated by sending 20% to the book, with a 30 s cooldown;
 * - when equity < 2/3 of maintenance margin, the liquidator vault takes over (backstop).
 */
import type { LiquidationPolicy } from './venue-rules';
import type { SideSign } from './units';

/** The docs' closed form for a single-tier isolated position, from the current `mark`. */
export function hyperliquidDocsLiquidationPrice(side: SideSign, size: number, mark: number, marginAvailable: number, maintenanceRate: number): number {
  return mark - (side * marginAvailable) / size / (1 - maintenanceRate * side);
}

/** What a triggered Hyperliquid-like liquidation does to a position. */
export type SliceDecision =
  | { readonly kind: 'backstop' }
  | { readonly kind: 'slice'; readonly fraction: number }
  | { readonly kind: 'full' };

/**
 * Decide how a position whose equity fell below maintenance is liquidated: the backstop when equity
 * is under `backstopEquityToMaintenance`·MM, a slice when its notional is above the partial
 * threshold, else all of it through the book.
 */
export function hyperliquidLiquidationKind(policy: LiquidationPolicy, positionNotional: number, equity: number, maintenance: number): SliceDecision {
  if (equity < policy.backstopEquityToMaintenance * maintenance) return { kind: 'backstop' };
  if (positionNotional > policy.partialAboveNotional) return { kind: 'slice', fraction: policy.sliceFraction };
  return { kind: 'full' };
}
