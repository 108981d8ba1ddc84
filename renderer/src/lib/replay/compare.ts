/**
 * Differences between two runs up to a replayed bar (cursor), from their per-bar series only:
 * nothing after the cursor is read. Both runs replay the same window, so bar k is the same time.
 */
import type { RunDetail } from '../../../../shared/runs';

export interface DiffRow {
  readonly key: string;
  readonly label: string;
  readonly a: number;
  readonly b: number;
  readonly decimals: number;
}

interface Totals {
  liquidations: number;
  notional: number;
  worstEffectiveLow: number;
  insuranceFund: number;
  badDebt: number;
}

export function totalsAt(d: RunDetail, index: number): Totals {
  const s = d.series;
  const last = Math.min(index, s.time.length - 1);
  let liquidations = 0;
  let notional = 0;
  let worst = Number.POSITIVE_INFINITY;
  for (let k = 0; k <= last; k++) {
    liquidations += s.liquidatedCountLong[k]! + s.liquidatedCountShort[k]!;
    notional += s.liquidatedNotionalLong[k]! + s.liquidatedNotionalShort[k]!;
    worst = Math.min(worst, s.effectiveLow[k]!);
  }
  return { liquidations, notional, worstEffectiveLow: last >= 0 ? worst : 0, insuranceFund: last >= 0 ? s.insuranceFund[last]! : 0, badDebt: last >= 0 ? s.badDebt[last]! : 0 };
}

export function compareAt(a: RunDetail, b: RunDetail, index: number): DiffRow[] {
  const x = totalsAt(a, index);
  const y = totalsAt(b, index);
  return [
    { key: 'liquidations', label: 'Liquidations (count)', a: x.liquidations, b: y.liquidations, decimals: 0 },
    { key: 'notional', label: 'Liquidated notional', a: x.notional, b: y.notional, decimals: 0 },
    { key: 'worst', label: 'Worst effective price', a: x.worstEffectiveLow, b: y.worstEffectiveLow, decimals: 2 },
    { key: 'fund', label: 'Insurance fund', a: x.insuranceFund, b: y.insuranceFund, decimals: 2 },
    { key: 'badDebt', label: 'Bad debt', a: x.badDebt, b: y.badDebt, decimals: 2 },
  ];
}
