/**
 * Risk measures of a loss sample (positive = lost). Pure.
 *
 * - VaR_α: the lower α-quantile of the losses, L_(⌈nα⌉) of the ascending order statistics
 *   (McNeil, Frey & Embrechts, "Quantitative Risk Management", 2005, §2.2.1).
 * - ES_α: the average of the worst (1 − α) tail, in the discrete form of Acerbi & Tasche
 *   ("On the coherence of expected shortfall", 2002, Prop. 4.1):
 *   ES_α = [Σ_{i>m} L_(i) + (m − nα)·L_(m)] / (n(1 − α)), m = ⌈nα⌉ — exact for any n, so the
 *   tail weight is always exactly 1 − α.
 */

/** Ascending copy of the losses. */
export function sortLosses(losses: ArrayLike<number>): Float64Array {
  return Float64Array.from(losses).sort();
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError('alpha must be in (0, 1)');
}

/** VaR_α of ascending losses. */
export function valueAtRisk(sorted: Float64Array, alpha: number): number {
  checkAlpha(alpha);
  const n = sorted.length;
  if (n === 0) return 0;
  const m = Math.min(n, Math.max(1, Math.ceil(n * alpha - 1e-9)));
  return sorted[m - 1]!;
}

/** ES_α of ascending losses (Acerbi–Tasche). */
export function expectedShortfall(sorted: Float64Array, alpha: number): number {
  checkAlpha(alpha);
  const n = sorted.length;
  if (n === 0) return 0;
  const m = Math.min(n, Math.max(1, Math.ceil(n * alpha - 1e-9)));
  let tail = 0;
  for (let i = m; i < n; i++) tail += sorted[i]!;
  tail += (m - n * alpha) * sorted[m - 1]!;
  return tail / (n * (1 - alpha));
}

export interface Histogram {
  /** bins + 1 edges, ascending. */
  readonly edges: number[];
  readonly counts: number[];
}

/** Equal-width histogram over [min, max] of the losses (one bin when all are equal). */
export function lossHistogram(sorted: Float64Array, bins: number): Histogram {
  const n = sorted.length;
  if (n === 0) return { edges: [0, 0], counts: [0] };
  const lo = sorted[0]!;
  const hi = sorted[n - 1]!;
  const k = hi > lo ? Math.max(1, Math.floor(bins)) : 1;
  const width = hi > lo ? (hi - lo) / k : 1;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) counts[Math.min(k - 1, Math.floor((sorted[i]! - lo) / width))]!++;
  const edges = Array.from({ length: k + 1 }, (_, i) => (i === k ? hi : lo + i * width));
  return { edges, counts };
}

/** Mean and standard deviation. */
export function lossMoments(losses: ArrayLike<number>): { mean: number; stdDev: number } {
  const n = losses.length;
  if (!n) return { mean: 0, stdDev: 0 };
  let s = 0;
  for (let i = 0; i < n; i++) s += losses[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (losses[i]! - mean) ** 2;
  return { mean, stdDev: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}
