/**
 * The candlestick chart: lightweight-charts v5 with candles in the main pane and volume in
 * a second pane. Theme and time zone follow the preferences (chart-preferences.svelte.ts;
 * times are UTC seconds, only labels change), price precision from the data. The TradingView
 * attribution logo stays on, as the library's licence asks.
 */
import {
  CandlestickSeries,
  HistogramSeries,
  createChart,
  type CandlestickData,
  type HistogramData,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { CandleColumns } from '../../../../shared/domain';
import { baseChartOptions, followPreferences } from './chart-preferences.svelte';

export const CHART_COLORS = {
  background: '#0f1419',
  text: '#c5ccd6',
  grid: '#1d2530',
  up: '#26a69a',
  down: '#ef5350',
  upVolume: 'rgba(38, 166, 154, 0.45)',
  downVolume: 'rgba(239, 83, 80, 0.45)',
} as const;

/** Candlestick series style shared by the dataset chart and the replay chart. */
export const CANDLE_SERIES_OPTIONS = {
  upColor: CHART_COLORS.up,
  downColor: CHART_COLORS.down,
  borderVisible: false,
  wickUpColor: CHART_COLORS.up,
  wickDownColor: CHART_COLORS.down,
} as const;

export class CandleChart {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly volume: ISeriesApi<'Histogram'>;
  private readonly stopFollowing: () => void;

  constructor(container: HTMLElement) {
    this.chart = createChart(container, baseChartOptions());
    this.stopFollowing = followPreferences(this.chart);
    this.candles = this.chart.addSeries(CandlestickSeries, CANDLE_SERIES_OPTIONS);
    this.volume = this.chart.addSeries(
      HistogramSeries,
      { priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false },
      1,
    );
    this.chart.panes()[0]?.setStretchFactor(3);
    this.chart.panes()[1]?.setStretchFactor(1);
  }

  /** Replaces all data; precision is the number of price decimals to show. `fit` shows it all. */
  setData(columns: CandleColumns, precision: number, fit = true): void {
    const n = columns.time.length;
    const candles: CandlestickData[] = new Array(n);
    const volume: HistogramData[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const time = columns.time[i]! as UTCTimestamp;
      const open = columns.open[i]!;
      const close = columns.close[i]!;
      candles[i] = { time, open, high: columns.high[i]!, low: columns.low[i]!, close };
      volume[i] = { time, value: columns.volume[i]!, color: close >= open ? CHART_COLORS.upVolume : CHART_COLORS.downVolume };
    }
    const digits = Math.max(0, Math.min(precision, 8));
    this.candles.applyOptions({ priceFormat: { type: 'price', precision: digits, minMove: 10 ** -digits } });
    this.candles.setData(candles);
    this.volume.setData(volume);
    if (fit) this.chart.timeScale().fitContent();
  }

  /** The visible time range (UTC seconds), if any data is drawn. */
  visibleRange(): { from: number; to: number } | null {
    const range = this.chart.timeScale().getVisibleRange();
    return range ? { from: range.from as number, to: range.to as number } : null;
  }

  /** Shows [from, to] (UTC seconds), keeping the current data. */
  showRange(from: number, to: number): void {
    this.chart.timeScale().setVisibleRange({ from: from as UTCTimestamp, to: to as UTCTimestamp });
  }

  clear(): void {
    this.candles.setData([]);
    this.volume.setData([]);
  }

  screenshot(): HTMLCanvasElement {
    return this.chart.takeScreenshot();
  }

  destroy(): void {
    this.stopFollowing();
    this.chart.remove();
  }
}

