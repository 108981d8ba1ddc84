/**
 * Custom series for the replay chart whose bars left of the cursor are drawn once, not on every
 * step. lightweight-charts clears and redraws every series on each update(): stepping the 4-day
 * 1m window repainted 5,760 candles and 2 × 4,320 histogram bars per step, although only the
 * last bar changes. Here the bars of whole blocks of BLOCK bars before the last one ("settled":
 * the replay only appends after them, and a bar forming at a higher interval is always the last)
 * are kept in a pane-sized bitmap; a frame is one drawImage plus the < BLOCK + 1 newest bars.
 *
 * The bitmap (settled-layer.ts) is redrawn from scratch only when what it shows could have changed:
 * - its key: pane size, pixel ratios, bar spacing, where bar 0 sits, the price → y mapping
 *   (three prices fix it in every price-scale mode), and the series' colours;
 * - the data: the cached bars must be the very objects the series still holds (setData hands
 *   new objects, so a jump or a new run redraws; update() and pop() keep the earlier ones);
 * - fewer bars than cached (stepping back past a block boundary).
 * What it draws is what drawing every bar each frame would draw (source-over compositing of
 * opaque fills in the same order).
 *
 * Two series use it: candles (`SettledCandlesView`) and the liquidated notional per bar, longs
 * and shorts stacked in one series (`SettledLiquidationsView`).
 */
import {
  customSeriesDefaultOptions,
  type CustomBarItemData,
  type CustomData,
  type CustomSeriesOptions,
  type CustomSeriesPricePlotValues,
  type CustomSeriesWhitespaceData,
  type ICustomSeriesPaneRenderer,
  type ICustomSeriesPaneView,
  type PaneRendererCustomData,
  type PriceToCoordinateConverter,
  type Time,
} from 'lightweight-charts';
import type { CanvasRenderingTarget2D } from 'fancy-canvas';
import { SettledLayer } from './settled-layer';

/** Bars per cached block: the bitmap grows by a block at a time. */
export const BLOCK = 32;

/** Where to draw and how (bitmap pixels): what a bar painter needs. */
export interface PaintScope {
  readonly context: CanvasRenderingContext2D;
  readonly toY: PriceToCoordinateConverter;
  readonly hr: number;
  readonly vr: number;
  readonly barSpacing: number;
}

export abstract class SettledBarsView<T extends CustomData<Time>, O extends CustomSeriesOptions> implements ICustomSeriesPaneView<Time, T, O> {
  private data: PaneRendererCustomData<Time, T> | null = null;
  private options: O | null = null;
  private readonly layer = new SettledLayer(BLOCK);
  /** The first and last item in the bitmap: the series must still hold these very objects. */
  private held: { first: T | null; last: T | null } = { first: null, last: null };
  private readonly paneRenderer: ICustomSeriesPaneRenderer = { draw: (target, toY) => this.draw(target, toY) };

  /** How many times the bitmap was redrawn from scratch (for tests). */
  get redraws(): number {
    return this.layer.redraws;
  }

  renderer(): ICustomSeriesPaneRenderer {
    return this.paneRenderer;
  }

  update(data: PaneRendererCustomData<Time, T>, options: O): void {
    this.data = data;
    this.options = options;
  }

  abstract priceValueBuilder(item: T): CustomSeriesPricePlotValues;
  abstract isWhitespace(item: T | CustomSeriesWhitespaceData<Time>): item is CustomSeriesWhitespaceData<Time>;
  abstract defaultOptions(): O;
  /** Draws bars [from, to) of `bars` (all visible). */
  protected abstract paint(scope: PaintScope, bars: readonly CustomBarItemData<Time, T>[], from: number, to: number, options: O): void;
  /** The options that change what paint() draws (part of the cache key). */
  protected abstract styleKey(options: O): string;

  private draw(target: CanvasRenderingTarget2D, toY: PriceToCoordinateConverter): void {
    const d = this.data;
    const o = this.options;
    if (!d || !o || !d.visibleRange || d.bars.length === 0) return;
    const { bars, visibleRange } = d;
    const upTo = this.layer.holding();
    if (upTo > 0 && (bars[0]!.originalData !== this.held.first || bars[upTo - 1]?.originalData !== this.held.last)) this.layer.forget();
    target.useBitmapCoordinateSpace(({ context, bitmapSize, horizontalPixelRatio: hr, verticalPixelRatio: vr }) => {
      const key = [hr, vr, d.barSpacing, bars[0]!.x, toY(1), toY(2), toY(1000), this.styleKey(o)].join('|');
      const scope = { toY, hr, vr, barSpacing: d.barSpacing };
      this.layer.draw(context, bitmapSize, key, bars.length, (ctx, from, to) => {
        const a = Math.max(from, visibleRange.from);
        const b = Math.min(to, visibleRange.to);
        if (b > a) this.paint({ ...scope, context: ctx }, bars, a, b, o);
      });
    });
    const held = this.layer.holding();
    this.held = { first: bars[0]!.originalData, last: held > 0 ? bars[held - 1]!.originalData : null };
  }
}

/** A candle (OHLC). */
export interface CandleItem extends CustomData<Time> {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

export interface CandleOptions extends CustomSeriesOptions {
  upColor: string;
  downColor: string;
}

export class SettledCandlesView extends SettledBarsView<CandleItem, CandleOptions> {
  priceValueBuilder(c: CandleItem): CustomSeriesPricePlotValues {
    return [c.low, c.high, c.close];
  }

  isWhitespace(c: CandleItem | CustomSeriesWhitespaceData<Time>): c is CustomSeriesWhitespaceData<Time> {
    return (c as Partial<CandleItem>).close === undefined;
  }

  defaultOptions(): CandleOptions {
    return { ...customSeriesDefaultOptions, upColor: '#26a69a', downColor: '#ef5350' };
  }

  protected styleKey(o: CandleOptions): string {
    return `${o.upColor}|${o.downColor}`;
  }

  /** lightweight-charts' candle geometry: a wick of one device pixel, a body ~80% of the bar spacing. */
  protected paint({ context, toY, hr, vr, barSpacing }: PaintScope, bars: readonly CustomBarItemData<Time, CandleItem>[], from: number, to: number, o: CandleOptions): void {
    const body = candleBodyWidth(barSpacing, hr);
    const wick = Math.max(1, Math.min(Math.floor(hr), body));
    let color = '';
    for (let i = from; i < to; i++) {
      const bar = bars[i]!;
      const c = bar.originalData;
      const yo = toY(c.open);
      const yc = toY(c.close);
      const yh = toY(c.high);
      const yl = toY(c.low);
      if (yo === null || yc === null || yh === null || yl === null) continue;
      const want = c.close >= c.open ? o.upColor : o.downColor;
      if (want !== color) context.fillStyle = color = want;
      const x = Math.round(bar.x * hr);
      const high = Math.round(yh * vr);
      const low = Math.round(yl * vr);
      context.fillRect(x - Math.floor(wick / 2), high, wick, Math.max(1, low - high + 1));
      if (body > wick) {
        const top = Math.round(Math.min(yo, yc) * vr);
        const bottom = Math.round(Math.max(yo, yc) * vr);
        context.fillRect(x - Math.floor(body / 2), top, body, bottom - top + 1);
      }
    }
  }
}

/** lightweight-charts' optimalCandlestickWidth (bitmap pixels). */
export function candleBodyWidth(barSpacing: number, pixelRatio: number): number {
  if (barSpacing >= 2.5 && barSpacing <= 4) return Math.floor(3 * pixelRatio);
  const coeff = 1 - (0.2 * Math.atan(Math.max(4, barSpacing) - 4)) / (Math.PI * 0.5);
  const width = Math.floor(barSpacing * coeff * pixelRatio);
  return Math.max(Math.floor(pixelRatio), Math.min(width, Math.floor(barSpacing * pixelRatio)));
}

/** Estimated liquidated notional in one bar, longs and shorts (drawn stacked from zero). */
export interface LiquidationsItem extends CustomData<Time> {
  readonly long: number;
  readonly short: number;
}

export interface LiquidationsOptions extends CustomSeriesOptions {
  longColor: string;
  shortColor: string;
}

export class SettledLiquidationsView extends SettledBarsView<LiquidationsItem, LiquidationsOptions> {
  priceValueBuilder(b: LiquidationsItem): CustomSeriesPricePlotValues {
    return [0, b.long + b.short, b.long + b.short];
  }

  isWhitespace(b: LiquidationsItem | CustomSeriesWhitespaceData<Time>): b is CustomSeriesWhitespaceData<Time> {
    return (b as Partial<LiquidationsItem>).long === undefined;
  }

  defaultOptions(): LiquidationsOptions {
    return { ...customSeriesDefaultOptions, longColor: '#ef5350', shortColor: '#26a69a' };
  }

  protected styleKey(o: LiquidationsOptions): string {
    return `${o.longColor}|${o.shortColor}`;
  }

  /** Columns as wide as the bar spacing allows (at least a device pixel); bars with nothing liquidated draw nothing. */
  protected paint({ context, toY, hr, vr, barSpacing }: PaintScope, bars: readonly CustomBarItemData<Time, LiquidationsItem>[], from: number, to: number, o: LiquidationsOptions): void {
    const zero = toY(0);
    if (zero === null) return;
    const base = Math.round(zero * vr);
    const width = Math.max(1, Math.floor(barSpacing * hr) - (barSpacing * hr > 3 ? 1 : 0));
    for (const [side, color] of [['long', o.longColor], ['short', o.shortColor]] as const) {
      context.fillStyle = color;
      for (let i = from; i < to; i++) {
        const bar = bars[i]!;
        const b = bar.originalData;
        if (b[side] <= 0) continue;
        // Longs from zero up, shorts stacked on them.
        const lo = side === 'long' ? 0 : b.long;
        const yLo = toY(lo);
        const yHi = toY(lo + b[side]);
        if (yLo === null || yHi === null) continue;
        const top = Math.round(yHi * vr);
        const bottom = side === 'long' ? base : Math.round(yLo * vr);
        context.fillRect(Math.round(bar.x * hr) - Math.floor(width / 2), top, width, Math.max(1, bottom - top));
      }
    }
  }
}
