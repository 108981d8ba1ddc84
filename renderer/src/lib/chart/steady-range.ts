/**
 * A steadier price axis for stepping through a replay. lightweight-charts fits the price scale to
 * the visible data on every step, so each new high or low moves the axis and forces every layer
 * drawn in price coordinates (position lines, markers, heat band) to be drawn again. This range
 * holds the fitted range with some headroom and lets it grow only when the data leaves it (with
 * more headroom on that side) or shrink when the data fills less than `shrinkBelow` of it (after
 * a zoom or a jump): the axis moves on a few steps instead of most. It is computed only from what the series hold (bars up
 * to the cursor), so it reveals nothing of later bars.
 */
import type { AutoscaleInfo } from 'lightweight-charts';

export interface PriceRange {
  readonly minValue: number;
  readonly maxValue: number;
}

export class SteadyRange {
  private lo = Number.NaN;
  private hi = Number.NaN;

  constructor(
    /** Headroom added on each side when the range is refitted, as a share of the data's span. */
    private readonly headroom = 0.1,
    /** Refit when the data's span falls below this share of the held range. */
    private readonly shrinkBelow = 0.4,
    /**
     * Headroom on the side the data left by, when that is why the range is refitted: a crash
     * that made a new low tends to make more, and each refit redraws every cached layer.
     */
    private readonly exitHeadroom = 0.25,
  ) {}

  /** Forget the held range (a new run). */
  reset(): void {
    this.lo = Number.NaN;
    this.hi = Number.NaN;
  }

  /** The range to show for data spanning `data`: the held one while it fits, else refitted. */
  fit(data: PriceRange): PriceRange {
    const { minValue, maxValue } = data;
    const span = Math.max(maxValue - minValue, Math.abs(maxValue) * 1e-9);
    const held = this.hi - this.lo;
    const fits = minValue >= this.lo && maxValue <= this.hi && span >= held * this.shrinkBelow;
    if (!fits) {
      const shrunk = minValue >= this.lo && maxValue <= this.hi;
      this.lo = minValue - span * (!shrunk && minValue < this.lo ? this.exitHeadroom : this.headroom);
      this.hi = maxValue + span * (!shrunk && maxValue > this.hi ? this.exitHeadroom : this.headroom);
    }
    return { minValue: this.lo, maxValue: this.hi };
  }

  /** For a series' `autoscaleInfoProvider`: the series' own fit, held steady. */
  readonly provider = (original: () => AutoscaleInfo | null): AutoscaleInfo | null => {
    const o = original();
    if (!o?.priceRange) return o;
    return { ...o, priceRange: this.fit(o.priceRange) };
  };
}
