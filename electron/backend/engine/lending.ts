/**
 * Lending-market liquidation math, Aave-v3-like.
 *
 * Sources: aave-v3-core `LiquidationLogic.sol` (close factor 50%, 100% at HF ≤ 0.95; collateral
 * seized = debt repaid · (1 + bonus) / collateral price, capped by the collateral held, repaid debt
 * reduced to match) and the v3.3 features doc (debt left without collateral becomes a deficit).
 */
import type { LendingAssetRules, LendingRules } from './venue-rules';

/** One borrower with a single collateral asset and a stable-value debt. */
export interface LendingPosition {
  /** Units of collateral held (e.g. WETH). */
  readonly collateralAmount: number;
  /** Debt in quote currency (e.g. USDC). */
  readonly debt: number;
}

/** Health factor: collateral·price·LT / debt (∞ without debt). Liquidatable below 1. */
export function healthFactor(p: LendingPosition, collateralPrice: number, asset: LendingAssetRules): number {
  if (p.debt <= 0) return Number.POSITIVE_INFINITY;
  return (p.collateralAmount * collateralPrice * asset.liquidationThreshold) / p.debt;
}

/** The collateral price at which HF = 1: debt / (collateral · LT). */
export function lendingLiquidationPrice(p: LendingPosition, asset: LendingAssetRules): number {
  return p.collateralAmount > 0 ? p.debt / (p.collateralAmount * asset.liquidationThreshold) : Number.POSITIVE_INFINITY;
}

/** Outcome of one liquidation call. */
export interface LendingLiquidation {
  readonly healthFactor: number;
  /** 0 (not liquidatable), the default close factor, or 1 at HF ≤ threshold. */
  readonly closeFactor: number;
  readonly debtRepaid: number;
  readonly collateralSeized: number;
  /** Value of the bonus the liquidator earns: seized·price − repaid. */
  readonly liquidatorBonusValue: number;
  readonly remaining: LendingPosition;
  /** Debt left with no collateral (v3.3 deficit); the position's debt is then zero. */
  readonly deficit: number;
}

/**
 * Liquidate as much as the close factor allows at `collateralPrice` (a liquidator always takes the
 * maximum). Nothing happens at HF ≥ 1.
 */
export function liquidateLending(p: LendingPosition, collateralPrice: number, asset: LendingAssetRules, rules: LendingRules): LendingLiquidation {
  const hf = healthFactor(p, collateralPrice, asset);
  if (!(hf < 1)) return { healthFactor: hf, closeFactor: 0, debtRepaid: 0, collateralSeized: 0, liquidatorBonusValue: 0, remaining: p, deficit: 0 };
  const closeFactor = hf <= rules.fullCloseFactorBelowHealthFactor ? 1 : rules.closeFactor;
  let debtRepaid = p.debt * closeFactor;
  let seized = (debtRepaid * (1 + asset.liquidationBonus)) / collateralPrice;
  if (seized > p.collateralAmount) {
    seized = p.collateralAmount;
    debtRepaid = (seized * collateralPrice) / (1 + asset.liquidationBonus);
  }
  const collateralLeft = p.collateralAmount - seized;
  let debtLeft = p.debt - debtRepaid;
  let deficit = 0;
  if (collateralLeft <= 0 && debtLeft > 0) {
    deficit = debtLeft;
    debtLeft = 0;
  }
  return {
    healthFactor: hf,
    closeFactor,
    debtRepaid,
    collateralSeized: seized,
    liquidatorBonusValue: seized * collateralPrice - debtRepaid,
    remaining: { collateralAmount: Math.max(collateralLeft, 0), debt: debtLeft },
    deficit,
  };
}
