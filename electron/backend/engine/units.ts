/**
 * Branded number types for the engine.
 *
 * A price, a quantity, a notional and a ratio are all `number` at run time, but mixing them up is
 * the classic margin-math bug (a notional passed where a price was expected). The brand makes such
 * a mix a compile error at no run-time cost. Hot loops work on plain typed arrays; the brands guard
 * the public functions.
 */

declare const brand: unique symbol;

/** A number tagged with a compile-time-only unit name. */
export type Branded<T extends string> = number & { readonly [brand]: T };

/** Price in quote currency per unit of base asset (USDT per BTC). */
export type Price = Branded<'Price'>;
/** Quantity of base asset (BTC), or number of contracts for inverse perpetuals. Always ≥ 0. */
export type Qty = Branded<'Qty'>;
/** An amount of money in the margin currency (USDT for linear contracts, BTC for inverse). */
export type Notional = Branded<'Notional'>;
/** A dimensionless ratio (maintenance margin rate 0.004, margin ratio 0.8, 20% slice 0.2). */
export type Ratio = Branded<'Ratio'>;

/** Tag a number as a {@link Price}. */
export const price = (x: number): Price => x as Price;
/** Tag a number as a {@link Qty}. */
export const qty = (x: number): Qty => x as Qty;
/** Tag a number as a {@link Notional}. */
export const notional = (x: number): Notional => x as Notional;
/** Tag a number as a {@link Ratio}. */
export const ratio = (x: number): Ratio => x as Ratio;

/** Position direction: +1 long, −1 short (the `side` of Binance's liquidation formula). */
export type SideSign = 1 | -1;

/** `'long'` → +1, `'short'` → −1. */
export function sideSign(side: 'long' | 'short'): SideSign {
  return side === 'long' ? 1 : -1;
}
