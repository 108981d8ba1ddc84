/**
 * What every Undertow series primitive shares: one pane view at a fixed layer whose renderer
 * calls the subclass's `draw`, and the chart, series and update request it is attached to
 * (the plugin examples repeat this in each primitive; here it is written once).
 */
import type {
  IChartApi,
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesApi,
  ISeriesPrimitive,
  PrimitivePaneViewZOrder,
  SeriesAttachedParameter,
  SeriesType,
  Time,
} from 'lightweight-charts';
import type { CanvasRenderingTarget2D } from 'fancy-canvas';

export abstract class PanePrimitive implements ISeriesPrimitive<Time> {
  protected chart: IChartApi | null = null;
  protected series: ISeriesApi<SeriesType> | null = null;
  private requestChartUpdate: (() => void) | null = null;
  private readonly views: readonly IPrimitivePaneView[];

  /** `zOrder`: where the drawing sits (bottom: under the series, normal: over it). */
  protected constructor(zOrder: PrimitivePaneViewZOrder) {
    const renderer: IPrimitivePaneRenderer = { draw: (target) => this.draw(target) };
    this.views = [{ zOrder: () => zOrder, renderer: () => renderer }];
  }

  attached(param: SeriesAttachedParameter<Time>): void {
    this.chart = param.chart as IChartApi;
    this.series = param.series;
    this.requestChartUpdate = param.requestUpdate;
  }

  detached(): void {
    this.chart = this.series = this.requestChartUpdate = null;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }

  /** Asks the chart to repaint (no-op while detached). */
  protected requestUpdate(): void {
    this.requestChartUpdate?.();
  }

  /** Paints the primitive on the pane, with the chart and series attached. */
  protected abstract draw(target: CanvasRenderingTarget2D): void;
}
