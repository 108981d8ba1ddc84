/**
 * The estimated liquidation map as a band primitive on the candle series (template: the
 * heatmap-series plugin's cells {low, high, amount}). The whole map is rendered once into an
 * offscreen canvas (one column per replayed bar, one row per bin; see heat-band.ts); each
 * frame draws only columns 0…cursor of it, scaled to the visible bars and the bins' prices —
 * one drawImage, whatever the number of cells, and nothing to the right of the cursor.
 */
import type { IChartApi, IPrimitivePaneRenderer, IPrimitivePaneView, ISeriesApi, ISeriesPrimitive, Logical, SeriesAttachedParameter, SeriesType, Time } from 'lightweight-charts';
import type { CanvasRenderingTarget2D } from 'fancy-canvas';
import { heatPixels, type HeatMap } from '../replay/heat-band';

export class HeatBandPrimitive implements ISeriesPrimitive<Time> {
  private chart: IChartApi | null = null;
  private series: ISeriesApi<SeriesType> | null = null;
  private requestUpdate: (() => void) | null = null;
  private image: HTMLCanvasElement | null = null;
  private map: HeatMap | null = null;
  private bars = 0;
  private firstBar = 0;
  private cursor = -1;
  private log = false;
  private readonly view: IPrimitivePaneView;

  constructor() {
    const renderer: IPrimitivePaneRenderer = { draw: (target) => this.draw(target) };
    this.view = { zOrder: () => 'bottom', renderer: () => renderer };
  }

  attached(param: SeriesAttachedParameter<Time>): void {
    this.chart = param.chart as IChartApi;
    this.series = param.series;
    this.requestUpdate = param.requestUpdate;
  }

  detached(): void {
    this.chart = this.series = this.requestUpdate = null;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.view];
  }

  /** New map (null hides the band). `firstBar`: chart index of replayed bar 0. */
  setMap(map: HeatMap | null, bars: number, firstBar: number, log: boolean): void {
    this.map = map;
    this.bars = bars;
    this.firstBar = firstBar;
    this.log = log;
    this.image = map && bars > 0 ? render(map, bars, log) : null;
    this.requestUpdate?.();
  }

  setLog(log: boolean): void {
    if (log === this.log || !this.map) return;
    this.setMap(this.map, this.bars, this.firstBar, log);
  }

  /** Show columns 0…index (−1: none). */
  setCursor(index: number): void {
    this.cursor = index;
  }

  private draw(target: CanvasRenderingTarget2D): void {
    const { image, map, chart, series } = this;
    if (!image || !map || !chart || !series || this.cursor < 0) return;
    const ts = chart.timeScale();
    // logicalToCoordinate is exact at whole bars only: take the two ends and widen by half a bar.
    const first = ts.logicalToCoordinate(this.firstBar as Logical);
    const last = ts.logicalToCoordinate((this.firstBar + this.cursor) as Logical);
    if (first === null || last === null) return;
    const half = this.cursor > 0 ? (last - first) / this.cursor / 2 : ts.options().barSpacing / 2;
    const x0 = first - half;
    const x1 = last + half;
    const yTop = series.priceToCoordinate(map.priceHigh);
    const yBottom = series.priceToCoordinate(map.priceLow);
    if (yTop === null || yBottom === null) return;
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio: hr, verticalPixelRatio: vr }) => {
      context.save();
      context.imageSmoothingEnabled = false;
      context.drawImage(image, 0, 0, this.cursor + 1, map.bins, Math.round(x0 * hr), Math.round(yTop * vr), Math.max(1, Math.round((x1 - x0) * hr)), Math.round((yBottom - yTop) * vr));
      context.restore();
    });
    target.useMediaCoordinateSpace(({ context }) => {
      context.save();
      context.font = '11px system-ui, sans-serif';
      context.fillStyle = 'rgba(197, 204, 214, 0.85)';
      context.fillText(`Liquidation map — estimated${this.log ? ' (log scale)' : ''}`, 8, 16);
      context.restore();
    });
  }
}

function render(map: HeatMap, bars: number, log: boolean): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = bars;
  canvas.height = map.bins;
  const ctx = canvas.getContext('2d')!;
  ctx.putImageData(new ImageData(heatPixels(map, bars, log) as Uint8ClampedArray<ArrayBuffer>, bars, map.bins), 0, 0);
  return canvas;
}
