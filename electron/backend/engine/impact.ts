/**
 * Price impact of forced orders, behind one interface, and resilience (how impact fades).
 *
 * Convention (DESIGN.md §3.3): a forced order of notional V executed from price p moves the price
 * to p·after and fills on average at p·averageFill; both are ratios to p.
 * - none: after = averageFill = 1.
 * - linear depth d1 (notional that moves the price 1%): after = 1 ∓ V/(100·d1), the book is walked
 *   evenly, so averageFill = (1 + after)/2.
 * - square-root law: ΔP/P = Y·σ_daily·√(V/ADV) (Tóth et al. 2011; Donier & Bonart 2015); the fill is
 *   the integral of the curve: averageFill = 1 ∓ ⅔·ΔP/P.
 * - ladder: explicit levels (percent away from the price, notional resting there) walked in order.
 * Sell-side moves are capped at −99.9% so prices stay positive.
 */
import { assert } from './assert';
import type { CandleColumns } from './candles';

/** Impact model parameters (plain data, part of a scenario). */
export type ImpactSpec =
  | { readonly model: 'none' }
  | { readonly model: 'linear'; /** Notional that moves the price by 1%. */ readonly depth1Pct: number; readonly depthScale?: number }
  | {
      readonly model: 'sqrt';
      /** Y, the order-one prefactor (≈ 0.5–1). */
      readonly y: number;
      readonly dailyVolatility: number;
      /** Average daily traded notional (ADV) in the quote currency. */
      readonly dailyVolumeNotional: number;
      readonly depthScale?: number;
    }
  | { readonly model: 'ladder'; readonly levels: readonly { readonly offsetPct: number; readonly notional: number }[]; readonly depthScale?: number };

/** Result of executing a forced order. */
export interface ImpactFill {
  /** Price after the order, as a ratio to the price before. */
  readonly after: number;
  /** Average fill price, as a ratio to the price before. */
  readonly averageFill: number;
}

/** A price-impact model. Pure: no state between calls (resilience is handled by {@link ImpactState}). */
export interface ImpactModel {
  readonly spec: ImpactSpec;
  /** Execute a forced order of `amount` quote notional (> 0); `direction` +1 buy, −1 sell. */
  execute(amount: number, direction: 1 | -1): ImpactFill;
}

const MAX_DROP = 0.999;
const NO_MOVE: ImpactFill = { after: 1, averageFill: 1 };

/** Build the model for a spec. */
export function createImpactModel(spec: ImpactSpec): ImpactModel {
  switch (spec.model) {
    case 'none':
      return { spec, execute: () => NO_MOVE };
    case 'linear': {
      const depth = spec.depth1Pct * (spec.depthScale ?? 1);
      assert(depth > 0, 'linear impact needs depth1Pct > 0');
      return {
        spec,
        execute(amount, direction) {
          if (!(amount > 0)) return NO_MOVE;
          const move = Math.min(amount / (100 * depth), direction < 0 ? MAX_DROP : Number.POSITIVE_INFINITY);
          const after = 1 + direction * move;
          return { after, averageFill: (1 + after) / 2 };
        },
      };
    }
    case 'sqrt': {
      const adv = spec.dailyVolumeNotional * (spec.depthScale ?? 1);
      assert(adv > 0 && spec.y >= 0 && spec.dailyVolatility >= 0, 'sqrt impact needs y ≥ 0, dailyVolatility ≥ 0, dailyVolumeNotional > 0');
      const k = spec.y * spec.dailyVolatility;
      return {
        spec,
        execute(amount, direction) {
          if (!(amount > 0)) return NO_MOVE;
          const move = Math.min(k * Math.sqrt(amount / adv), direction < 0 ? MAX_DROP : Number.POSITIVE_INFINITY);
          return { after: 1 + direction * move, averageFill: 1 + (direction * 2 * move) / 3 };
        },
      };
    }
    case 'ladder': {
      const scale = spec.depthScale ?? 1;
      const levels = [...spec.levels].sort((a, b) => a.offsetPct - b.offsetPct);
      assert(levels.length > 0 && levels.every((l) => l.offsetPct >= 0 && l.notional > 0), 'ladder needs levels with offsetPct ≥ 0 and notional > 0');
      return {
        spec,
        execute(amount, direction) {
          if (!(amount > 0)) return NO_MOVE;
          let left = amount;
          let cost = 0;
          let lastOffset = 0;
          for (const l of levels) {
            const take = Math.min(left, l.notional * scale);
            const off = Math.min(l.offsetPct / 100, direction < 0 ? MAX_DROP : Number.POSITIVE_INFINITY);
            cost += take * (1 + direction * off);
            lastOffset = off;
            left -= take;
            if (left <= 0) break;
          }
          // Beyond the deepest level the rest fills there (a ladder should be deep enough).
          if (left > 0) cost += left * (1 + direction * lastOffset);
          return { after: 1 + direction * lastOffset, averageFill: cost / amount };
        },
      };
    }
  }
}

/** How impact fades between path points. */
export interface ResilienceSpec {
  /** Half-life of the transient part of impact, in seconds (Infinity: never fades). */
  readonly halfLifeSeconds: number;
  /** Share of each move that is permanent (0…1). */
  readonly permanentShare: number;
}

/**
 * Impact carried by the effective price, in log space: effective = exogenous·exp(permanent + transient).
 * The transient part decays by ½ every half-life.
 */
export class ImpactState {
  logPermanent = 0;
  logTransient = 0;

  constructor(private readonly resilience: ResilienceSpec) {}

  /** Multiplier the exogenous price is scaled by. */
  multiplier(): number {
    return Math.exp(this.logPermanent + this.logTransient);
  }

  /** Let `seconds` pass. */
  decay(seconds: number): void {
    if (seconds <= 0 || this.logTransient === 0) return;
    const h = this.resilience.halfLifeSeconds;
    if (!Number.isFinite(h)) return;
    this.logTransient *= h <= 0 ? 0 : Math.pow(0.5, seconds / h);
  }

  /** Record a move of the effective price by the ratio `after`. */
  apply(after: number): void {
    if (after === 1) return;
    const l = Math.log(after);
    const phi = this.resilience.permanentShare;
    this.logPermanent += phi * l;
    this.logTransient += (1 - phi) * l;
  }
}

/**
 * Calibrate the square-root law from candles: σ_daily from bar log returns of closes scaled by
 * √(bars per day), ADV as the mean daily traded quote notional (volume·close summed, per day).
 */
export function calibrateSqrtImpact(c: CandleColumns, barSecondsValue: number, y = 0.7): Extract<ImpactSpec, { model: 'sqrt' }> {
  const n = c.close.length;
  assert(n >= 2, 'calibration needs at least two candles');
  let sum = 0;
  let sum2 = 0;
  let notionalTotal = 0;
  for (let i = 0; i < n; i++) {
    notionalTotal += c.volume[i]! * c.close[i]!;
    if (i > 0) {
      const r = Math.log(c.close[i]! / c.close[i - 1]!);
      sum += r;
      sum2 += r * r;
    }
  }
  const m = n - 1;
  const variance = Math.max(sum2 / m - (sum / m) * (sum / m), 0);
  const barsPerDay = 86400 / barSecondsValue;
  const days = (n * barSecondsValue) / 86400;
  return { model: 'sqrt', y, dailyVolatility: Math.sqrt(variance * barsPerDay), dailyVolumeNotional: notionalTotal / days };
}
