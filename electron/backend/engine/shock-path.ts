/**
 * Shaped shock paths (DESIGN.md §1 "Stress a portfolio", §5 "What-if"): the synthetic candles of
 * a move of `move` (−0.15 = −15%) from `startPrice` over `overSeconds`, then flat bars so the
 * cascade can play out. Pure: no clock, no randomness.
 *
 * Shapes (fraction f(t) of the move done at time t ∈ [0, 1] of the duration):
 * - `instant`: the whole move in the first bar (a gap), flat afterwards.
 * - `linear`: price moves by equal amounts per bar, f(t) = t.
 * - `exponential`: an accelerating move, f(t) = (e^{k·t} − 1)/(e^{k} − 1) with k = 3
 *   (slow start, fast end — the way a cascade-driven sell-off looks).
 * - `geometric`: equal log-returns per bar (what `shockCandles` in index.ts builds).
 * Every shape ends exactly at startPrice·(1 + move) and never overshoots it.
 */
import type { CandleColumns } from './candles';

export type ShockShape = 'instant' | 'linear' | 'exponential' | 'geometric';

export const SHOCK_SHAPES: readonly ShockShape[] = ['instant', 'linear', 'exponential', 'geometric'];

/** Steepness of the `exponential` shape. */
export const EXPONENTIAL_STEEPNESS = 3;

export interface ShapedShockSpec {
  readonly startPrice: number;
  /** Fraction, −0.15 = −15%. */
  readonly move: number;
  readonly overSeconds: number;
  readonly shape: ShockShape;
  /** Default 60 s. */
  readonly barSeconds?: number;
  /** Flat bars after the move (default 10). */
  readonly holdBars?: number;
  /** Time of the first bar (default 0). */
  readonly startTime?: number;
}

/** Fraction of the move done at t ∈ [0, 1]. */
export function shockFraction(shape: ShockShape, t: number, move: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return 1;
  switch (shape) {
    case 'instant':
      return 1;
    case 'linear':
      return t;
    case 'exponential':
      return Math.expm1(EXPONENTIAL_STEEPNESS * t) / Math.expm1(EXPONENTIAL_STEEPNESS);
    case 'geometric':
      // Equal log steps: price = p0·(1+move)^t → fraction of the price move done.
      return move === 0 ? t : (Math.pow(1 + move, t) - 1) / move;
  }
}

/** Number of bars the move spans (the instant shape still spans one bar). */
export function shockSteps(spec: ShapedShockSpec): number {
  const bar = spec.barSeconds ?? 60;
  return spec.shape === 'instant' ? 1 : Math.max(1, Math.round(spec.overSeconds / bar));
}

/** Candles of the shaped shock: the move, then `holdBars` flat bars; zero volume. */
export function shapedShockCandles(spec: ShapedShockSpec): CandleColumns {
  const bar = spec.barSeconds ?? 60;
  const steps = shockSteps(spec);
  const hold = spec.holdBars ?? 10;
  const n = steps + hold;
  const t0 = spec.startTime ?? 0;
  const c = { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  const p0 = spec.startPrice;
  const priceAt = (k: number): number => (k >= steps ? p0 * (1 + spec.move) : p0 * (1 + spec.move * shockFraction(spec.shape, k / steps, spec.move)));
  for (let i = 0; i < n; i++) {
    const open = priceAt(i);
    const close = priceAt(i + 1);
    c.time[i] = t0 + i * bar;
    c.open[i] = open;
    c.close[i] = close;
    c.high[i] = Math.max(open, close);
    c.low[i] = Math.min(open, close);
  }
  return c;
}
