/**
 * The money ledger of a cascade. Every liquidation moves value between four parties:
 * traders (margin in, what is returned out), the market (the other side of every fill: it gains
 * what traders lose at the fill price), the insurance fund (fees in, shortfalls paid out), and bad
 * debt (losses nobody paid: socialised, or left after ADL).
 *
 * Conservation: traderDelta + marketDelta + fundDelta = badDebt, to floating-point precision.
 */

/** Running totals of value moved, in the margin currency. */
export interface Ledger {
  /** Σ (returned to traders − margin consumed), including ADL'd traders and lending borrowers. */
  traderDelta: number;
  /** Σ −(traders' realised PnL at fill): the counterparties' side. */
  marketDelta: number;
  /** Σ fees in − shortfalls paid by the insurance fund. */
  fundDelta: number;
  /** Σ liquidation fees paid to the insurance fund. */
  fees: number;
  /** Σ shortfalls the insurance fund paid. */
  fundPaid: number;
  /** Σ shortfall covered by auto-deleveraged positions' profits. */
  adlCovered: number;
  /** Σ losses nobody covered (socialised, or left when ADL ran out of profitable counterparties). */
  badDebt: number;
}

/** A ledger with all totals at zero. */
export function emptyLedger(): Ledger {
  return { traderDelta: 0, marketDelta: 0, fundDelta: 0, fees: 0, fundPaid: 0, adlCovered: 0, badDebt: 0 };
}

/** traderDelta + marketDelta + fundDelta − badDebt; zero when value is conserved. */
export function ledgerImbalance(l: Ledger): number {
  return l.traderDelta + l.marketDelta + l.fundDelta - l.badDebt;
}
