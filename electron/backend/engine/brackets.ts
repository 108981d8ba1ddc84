/**
 * Tier ("bracket") lookup shared by every tiered margin model.
 */
import type { Bracket } from './venue-rules';
import { assert } from './assert';

/**
 * Index of the tier whose [floor, cap) holds `positionNotional`. Notionals above the last cap use
 * the last tier (rule tables may stop at the highest published tier); negative ones use the first.
 */
export function bracketIndexForNotional(brackets: readonly Bracket[], positionNotional: number): number {
  assert(brackets.length > 0, 'a bracket table needs at least one tier');
  let lo = 0;
  let hi = brackets.length - 1;
  // Binary search for the last tier with floor ≤ notional.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (brackets[mid]!.floor <= positionNotional) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The tier whose [floor, cap) holds `positionNotional` (see {@link bracketIndexForNotional}). */
export function bracketForNotional(brackets: readonly Bracket[], positionNotional: number): Bracket {
  return brackets[bracketIndexForNotional(brackets, positionNotional)]!;
}

/** Maintenance margin of a position of `positionNotional`: notional·mmr − cum of its tier. */
export function maintenanceMarginFor(brackets: readonly Bracket[], positionNotional: number): number {
  const b = bracketForNotional(brackets, positionNotional);
  return positionNotional * b.mmr - b.cum;
}
