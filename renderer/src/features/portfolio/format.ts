/** Number formatting of the portfolio workspace: per instrument (tick size), money, percent. */
import { formatPrice } from '../../../../shared/format';

/** Decimals of a tick size: 0.1 → 1, 0.01 → 2, 1 → 0. */
export function tickDecimals(tick: number | null | undefined, fallback = 2): number {
  if (!tick || !(tick > 0)) return fallback;
  return Math.max(0, Math.min(8, Math.round(-Math.log10(tick))));
}

export const price = (x: number | null | undefined, tick?: number | null): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : formatPrice(x, tickDecimals(tick)));
export const money = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : formatPrice(x, 2));
export const pct = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`);
export const sigmas = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}σ`);
export const qty = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 8 });

/** A heat colour from 0 (calm) to 1 (hot), for the sensitivity grid. */
export function heat(t: number): string {
  const v = Math.max(0, Math.min(1, t));
  const r = Math.round(30 + v * 200);
  const g = Math.round(90 - v * 60);
  const b = Math.round(80 - v * 40);
  return `rgb(${r}, ${g}, ${b})`;
}
