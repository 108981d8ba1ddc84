/**
 * One event's chart: the observed price (the replayed candles' close, a line) in the main pane and
 * the ESTIMATED liquidations per bar in a second pane (longs up in red, shorts down in teal), with
 * markers for the estimated peak minute and, where it is reported, the OBSERVED peak minute.
 * Binding only; the data is the validation report's series as it came over the wire.
 */
import {
  HistogramSeries,
  LineSeries,
  createChart,
  createSeriesMarkers,
  type HistogramData,
  type IChartApi,
  type LineData,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { EventComparisonInfo } from '../../../../shared/validation';
import { baseChartOptions } from '../../lib/chart/chart-preferences.svelte';

export const SERIES_COLORS = { price: '#c5ccd6', long: '#ef5350', short: '#26a69a', observed: '#f5b041', estimated: '#4aa3ff' } as const;

export function drawEventChart(container: HTMLElement, event: EventComparisonInfo): IChartApi {
  const chart = createChart(container, baseChartOptions());
  const s = event.estimate.series;
  const price = chart.addSeries(LineSeries, { color: SERIES_COLORS.price, lineWidth: 1, title: 'price (observed)', priceLineVisible: false, priceFormat: { type: 'price', precision: 0, minMove: 1 } });
  const usdFormat = { type: 'custom' as const, formatter: (v: number) => `$${(Math.abs(v) / 1e6).toFixed(0)}M`, minMove: 1 };
  const longs = chart.addSeries(HistogramSeries, { color: SERIES_COLORS.long, priceFormat: usdFormat, priceLineVisible: false, lastValueVisible: false }, 1);
  const shorts = chart.addSeries(HistogramSeries, { color: SERIES_COLORS.short, priceFormat: usdFormat, priceLineVisible: false, lastValueVisible: false }, 1);
  const n = s.time.length;
  const line: LineData[] = new Array(n);
  const up: HistogramData[] = new Array(n);
  const down: HistogramData[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const time = s.time[i]! as UTCTimestamp;
    line[i] = { time, value: s.close[i]! };
    up[i] = { time, value: s.long[i] ?? 0 };
    down[i] = { time, value: -(s.short[i] ?? 0) };
  }
  price.setData(line);
  longs.setData(up);
  shorts.setData(down);
  // The estimated peak on its bar in the liquidations pane; the observed peak (when reported) above
  // the price line, away from the crash's wick, so the two labels never overlap.
  const peak = event.estimate.profile.peakMinute;
  if (peak !== null) createSeriesMarkers(longs, [{ time: nearestTime(s.time, peak), position: 'aboveBar', color: SERIES_COLORS.estimated, shape: 'arrowDown', text: `estimated peak ${hhmm(peak)}` }]);
  const observedPeak = event.observedProfile ? Date.parse(event.observedProfile.peakMinute) / 1000 : Number.NaN;
  if (Number.isFinite(observedPeak)) {
    const marker: SeriesMarker<Time> = { time: nearestTime(s.time, observedPeak), position: 'aboveBar', color: SERIES_COLORS.observed, shape: 'arrowDown', text: `observed peak ${hhmm(observedPeak)}` };
    createSeriesMarkers(price, [marker]);
  }
  chart.panes()[0]?.setStretchFactor(3);
  chart.panes()[1]?.setStretchFactor(2);
  chart.timeScale().fitContent();
  return chart;
}

const hhmm = (t: number): string => `${new Date(t * 1000).toISOString().slice(11, 16)} UTC`;

function nearestTime(times: readonly number[], t: number): UTCTimestamp {
  let best = times[0] ?? t;
  for (const x of times) if (Math.abs(x - t) < Math.abs(best - t)) best = x;
  return best as UTCTimestamp;
}
