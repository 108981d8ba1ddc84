/**
 * Number formatting of the validation screens. The e2e test formats the API's numbers with these
 * same functions and compares them with what the table shows, so keep them pure.
 */

/** USD in billions (≥ $1B) or millions: $8.70B, $864M, $1.37M (two decimals under $10M). */
export function usd(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  const sign = x < 0 ? '−' : '';
  if (a >= 1e9) return `${sign}$${(a / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${sign}$${(a / 1e6).toFixed(a < 1e7 ? 2 : 0)}M`;
  if (a >= 1e3) return `${sign}$${(a / 1e3).toFixed(0)}k`;
  return `${sign}$${a.toFixed(0)}`;
}

/** A share as a percent with one decimal. */
export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** Estimated ÷ observed, two decimals with a multiplication sign. */
export function ratio(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}×`;
}

/** A signed move (fraction) as a percent with two decimals. */
export function move(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${x < 0 ? '−' : '+'}${Math.abs(x * 100).toFixed(2)}%`;
}

/** Amplification (effective ÷ exogenous worst move), three decimals. */
export function amplification(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(3);
}
