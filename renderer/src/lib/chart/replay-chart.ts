/**
 * The replay chart: candles cut at the cursor, with the run's overlays.
 * - pane 0: candles, the effective price (when impact is on), own position lines (one
 *   primitive), the estimated liquidation map (one band primitive), price-anchored event markers;
 * - pane 1: estimated liquidated notional per bar, longs and shorts stacked;
 * - pane 2: the portfolio's margin ratio (or the insurance fund of a market-only run).
 * Moving the cursor forward appends bars with `update()`, back removes them with `pop()`, and a
 * jump replaces the data with `setData()` keeping the visible logical range. Nothing right of
 * the cursor is ever handed to the chart. Colours and the UTC formatter come from candle-chart.
 *
 * At a higher interval than the stored bars (`setInterval`), the chart shows the buckets of
 * lib/replay/interval.ts: completed ones plus the one forming from the stored bars up to the
 * cursor, which `update()` replaces in place as the cursor steps inside it. The cursor stays a
 * stored-bar index; per-bar overlays go to their bucket (markers at the bucket's time once
 * their bar is reached, liquidated notional summed per bucket up to the cursor, the effective
 * price and the margin ratio as of the cursor). The liquidation-map band gets one column per
 * bucket, each showing the map at the bucket's last stored bar, the forming one at the cursor's
 * bar (lib/replay/heat-columns.ts).
 */
import {
  LineSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type LineData,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
  type WhitespaceData,
} from 'lightweight-charts';
import type { CandleColumns } from '../../../../shared/domain';
import type { LiquidationMapResult, RunDetail, RunEvent } from '../../../../shared/runs';
import { CANDLE_SERIES_OPTIONS, CHART_COLORS } from './candle-chart';
import { baseChartOptions, followPreferences } from './chart-preferences.svelte';
import { HeatBandPrimitive } from './heat-band-primitive';
import { EventMarkersPrimitive, type EventMarker, type MarkerShape } from './event-markers-primitive';
import { PositionLinesPrimitive, type PriceLineSpec } from './position-lines-primitive';
import { SettledCandlesView, SettledLiquidationsView, type CandleItem, type CandleOptions, type LiquidationsItem, type LiquidationsOptions } from './settled-bars-series';
import { SteadyRange } from './steady-range';
import { barIndexAt, eventCountAt, transition } from '../replay/cursor';
import { bucketize, candlesAt, formingCandle, type Buckets, type Candle } from '../replay/interval';
import { heatColumns } from '../replay/heat-columns';

/** Everything the chart draws, precomputed once per opened run. */
export interface ReplayFrames {
  readonly candles: CandleColumns;
  readonly detail: RunDetail;
  readonly overlay: LiquidationMapResult | null;
  /** Chart bar index of replayed bar 0 (bars before it are the look-back). */
  readonly firstBar: number;
  /** Replayed bar of each event (same order as detail.events). */
  readonly eventBar: readonly number[];
}

const MARKER: Record<RunEvent['kind'], { color: string; shape: MarkerShape; label: string }> = {
  margin_call: { color: '#f5b942', shape: 'circle', label: 'MC' },
  liquidation: { color: '#ff6b6b', shape: 'square', label: 'LIQ' },
  partial_liquidation: { color: '#ff9e6b', shape: 'square', label: 'part' },
  adl: { color: '#c792ea', shape: 'arrowDown', label: 'ADL' },
  halt: { color: '#4aa3ff', shape: 'arrowUp', label: 'HALT' },
};

export class ReplayChart {
  readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Custom', Time, CandleItem | WhitespaceData<Time>, CandleOptions>;
  private readonly effective: ISeriesApi<'Line'>;
  /** Estimated liquidated notional per bar, longs and shorts stacked. */
  private readonly liquidations: ISeriesApi<'Custom', Time, LiquidationsItem | WhitespaceData<Time>, LiquidationsOptions>;
  private readonly ratio: ISeriesApi<'Line'>;
  /** Event markers, added as the cursor reaches them (event-markers-primitive.ts). */
  readonly markers = new EventMarkersPrimitive();
  private readonly candleView = new SettledCandlesView();
  private readonly liquidationsView = new SettledLiquidationsView();
  private readonly heat = new HeatBandPrimitive();
  private readonly lines = new PositionLinesPrimitive(6);
  /** Price-pane range that moves on few steps (see steady-range.ts). */
  private readonly priceRange = new SteadyRange();
  private frames: ReplayFrames | null = null;
  private cursor = -1;
  private markerCount = -1;
  private readonly stopFollowing: () => void;
  /** Replayed bar of each marker (the markers' order): a marker shows once its bar is reached. */
  private markerBars: number[] = [];
  /** Buckets of the chosen interval, or null at the stored bar size. */
  private buckets: Buckets | null = null;
  private intervalSeconds = 0;
  private showEffective = false;
  private ratioKind: 'margin-ratio' | 'insurance-fund' = 'insurance-fund';
  private lastColor = '';

  constructor(container: HTMLElement) {
    const base = baseChartOptions();
    this.chart = createChart(container, {
      ...base,
      // The cursor decides what is visible; new bars must not scroll the view on their own.
      timeScale: { ...base.timeScale, shiftVisibleRangeOnNewBar: false, rightOffset: 8 },
      // A price axis that keeps its width while labels change length (9,999 → 10,000): a resized
      // pane would redraw every cached layer.
      rightPriceScale: { ...base.rightPriceScale, minimumWidth: 88 },
    });
    this.stopFollowing = followPreferences(this.chart);
    // Candles and liquidations are custom series that keep their settled bars as a bitmap (settled-bars-series.ts).
    this.candles = this.chart.addCustomSeries(this.candleView, { upColor: CANDLE_SERIES_OPTIONS.upColor, downColor: CANDLE_SERIES_OPTIONS.downColor });
    this.effective = this.chart.addSeries(LineSeries, { color: '#4aa3ff', lineWidth: 1, priceLineVisible: false, lastValueVisible: false, title: 'effective (estimated)', visible: false });
    // One steady range for the price pane's two series: each grows it to hold its own data.
    this.candles.applyOptions({ autoscaleInfoProvider: this.priceRange.provider });
    this.effective.applyOptions({ autoscaleInfoProvider: this.priceRange.provider });
    this.liquidations = this.chart.addCustomSeries(
      this.liquidationsView,
      { longColor: CHART_COLORS.down, shortColor: CHART_COLORS.up, priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false, title: 'liquidated (est.): longs red, shorts green' },
      1,
    );
    this.ratio = this.chart.addSeries(LineSeries, { color: '#f5b942', lineWidth: 2, priceLineVisible: false, lastValueVisible: true }, 2);
    this.candles.attachPrimitive(this.heat);
    this.candles.attachPrimitive(this.lines);
    this.candles.attachPrimitive(this.markers);
    const panes = this.chart.panes();
    panes[0]?.setStretchFactor(4);
    panes[1]?.setStretchFactor(1.2);
    panes[2]?.setStretchFactor(1.2);
  }

  /** Opens a run's frames and shows replayed bar `index`, fitting the whole window. */
  open(frames: ReplayFrames, index: number, precision = 2): void {
    this.frames = frames;
    this.priceRange.reset();
    const digits = Math.max(0, Math.min(precision, 8));
    this.candles.applyOptions({ priceFormat: { type: 'price', precision: digits, minMove: 10 ** -digits } });
    const s = frames.detail.series;
    this.showEffective = s.effectiveClose.some((v, i) => Math.abs(v - s.exogenousClose[i]!) > 1e-9 * Math.abs(v));
    this.effective.applyOptions({ visible: this.showEffective });
    const account = frames.overlay?.account ?? null;
    this.ratioKind = account ? 'margin-ratio' : 'insurance-fund';
    this.ratio.applyOptions({
      title: account ? 'margin ratio (est.)' : 'insurance fund (est.)',
      priceFormat: account ? { type: 'percent', precision: 1, minMove: 0.1 } : { type: 'volume' },
    });
    this.buckets = this.intervalSeconds > frames.detail.run.summary.barSeconds ? bucketize(frames.candles.time, this.intervalSeconds) : null;
    this.rebuildOverlays();
    this.cursor = -1;
    this.reset(index);
    this.fitAll();
  }

  /**
   * Shows the run at `seconds` per candle (a multiple of the stored bar size; the stored size
   * itself turns aggregation off), keeping the cursor.
   */
  setInterval(seconds: number): void {
    this.intervalSeconds = seconds;
    const f = this.frames;
    if (!f) return;
    const stored = f.detail.run.summary.barSeconds;
    if (seconds % stored !== 0) throw new Error(`interval ${seconds}s is not a multiple of the stored ${stored}s bars`);
    this.buckets = seconds > stored ? bucketize(f.candles.time, seconds) : null;
    this.rebuildOverlays();
    this.reset(Math.max(0, this.cursor));
    this.fitAll();
  }

  /** The candle the chart shows at `time` (aggregated or stored), never one after the cursor. */
  shownCandle(time: number): Candle | null {
    const d = this.candles.data().find((x) => (x.time as number) === time) as CandleItem | undefined;
    if (!d) return null;
    const f = this.frames!;
    const b = this.buckets;
    const chartBar = f.firstBar + this.cursor;
    let volume = 0;
    if (b) {
      const k = b.start.indexOf(time);
      if (k >= 0) for (let i = b.first[k]!; i < f.candles.time.length && b.of[i] === k && i <= chartBar; i++) volume += f.candles.volume[i] ?? 0;
    } else {
      const i = barIndexAt(f.candles.time, time);
      volume = i >= 0 ? (f.candles.volume[i] ?? 0) : 0;
    }
    return { time, open: d.open, high: d.high, low: d.low, close: d.close, volume };
  }

  /** Stored chart bars [from, to] behind the candle at `time`, cut at the cursor (null when none). */
  storedBarsOf(time: number): { from: number; to: number } | null {
    const f = this.frames;
    if (!f) return null;
    const chartBar = f.firstBar + this.cursor;
    const b = this.buckets;
    if (!b) {
      const i = barIndexAt(f.candles.time, time);
      return i >= 0 && i <= chartBar && f.candles.time[i] === time ? { from: i, to: i } : null;
    }
    const k = b.start.indexOf(time);
    if (k < 0 || b.first[k]! > chartBar) return null;
    const end = k + 1 < b.first.length ? b.first[k + 1]! - 1 : f.candles.time.length - 1;
    return { from: b.first[k]!, to: Math.min(end, chartBar) };
  }

  private fitAll(): void {
    const f = this.frames!;
    const n = this.buckets ? this.buckets.start.length : f.candles.time.length;
    this.chart.timeScale().setVisibleLogicalRange({ from: -2, to: n + 8 });
  }

  /** Markers, position lines and the heat band for the current interval. */
  private rebuildOverlays(): void {
    const f = this.frames!;
    const built = buildMarkers(f, this.buckets);
    this.markers.setMarkers(built.markers);
    this.markerBars = built.bars;
    this.markerCount = -1; // new markers: the next move shows them
    this.heat.setMap(f.overlay?.map ?? null, heatColumns(this.buckets, f.firstBar, f.detail.series.time.length), this.heatLog);
    this.lines.setLines(buildLines(f), (chartBar) => this.logical(chartBar));
  }

  /** Chart logical index of chart bar `i` (its bucket at a higher interval). */
  private logical(i: number): number {
    return this.buckets ? this.buckets.of[i]! - this.buckets.of[0]! : i;
  }

  private heatLog = false;

  setLog(log: boolean): void {
    this.heatLog = log;
    this.heat.setLog(log);
    this.chart.timeScale().applyOptions({});
  }

  /** Moves the cursor to replayed bar `index`: update() forward, pop() back, setData() on a jump. */
  moveTo(index: number): void {
    if (!this.frames) return;
    const t = transition(this.cursor, index);
    if (t.kind === 'none') return;
    if (this.buckets && t.kind === 'back') {
      // Drop the buckets after the cursor's, then rebuild the cursor's bucket from bars ≤ index.
      const b = this.buckets;
      const n = b.of[this.frames.firstBar + this.cursor]! - b.of[this.frames.firstBar + index]!;
      if (n > 0) this.pop(n);
      this.append(index);
    } else if (t.kind === 'forward') {
      for (let k = t.from; k <= t.to; k++) this.append(k);
    } else if (t.kind === 'back') {
      this.pop(t.count);
    } else {
      const range = this.chart.timeScale().getVisibleLogicalRange();
      this.reset(t.to);
      if (range) this.chart.timeScale().setVisibleLogicalRange(range);
    }
    this.cursor = index;
    this.afterMove();
  }

  /**
   * Removes the last `n` points of every series, keeping the visible logical range: pop() alone
   * scrolls the view right by the removed bars, where update() going forward does not move it
   * (shiftVisibleRangeOnNewBar: false), and a moved view repaints every cached layer.
   */
  private pop(n: number): void {
    const ts = this.chart.timeScale();
    const range = ts.getVisibleLogicalRange();
    this.candles.pop(n);
    if (this.showEffective) this.effective.pop(n);
    this.liquidations.pop(n);
    this.ratio.pop(n);
    if (range) ts.setVisibleLogicalRange(range);
  }

  /** Chart data up to replayed bar `index` (the look-back bars first), replacing all. */
  private reset(index: number): void {
    const f = this.frames!;
    const upto = f.firstBar + index + 1;
    const c = f.candles;
    if (this.buckets) {
      this.candles.setData(candlesAt(c, this.buckets, upto - 1).map(toChartCandle));
    } else {
      const candles: CandleItem[] = new Array(upto);
      for (let i = 0; i < upto; i++) candles[i] = candleAt(c, i);
      this.candles.setData(candles);
    }
    const eff: LineData<Time>[] = [];
    const liquidations: LiquidationsItem[] = [];
    const ratio: (LineData<Time> | { time: Time })[] = [];
    // At a higher interval each bucket's point is the one as of its last bar ≤ index (later
    // bars of a bucket replace earlier ones, like update() does while stepping).
    const put = <T extends { time: Time }>(into: T[], p: T): void => {
      if (into.length > 0 && into[into.length - 1]!.time === p.time) into[into.length - 1] = p;
      else into.push(p);
    };
    for (let k = 0; k <= index; k++) {
      const p = this.pointsAt(k);
      if (this.showEffective) put(eff, p.effective);
      put(liquidations, p.liquidations);
      put(ratio, p.ratio);
    }
    this.effective.setData(eff);
    this.liquidations.setData(liquidations);
    this.ratio.setData(ratio);
    this.cursor = index;
    this.afterMove();
  }

  private append(k: number): void {
    const f = this.frames!;
    this.candles.update(this.buckets ? toChartCandle(formingCandle(f.candles, this.buckets, f.firstBar + k)) : candleAt(f.candles, f.firstBar + k));
    const p = this.pointsAt(k);
    if (this.showEffective) this.effective.update(p.effective);
    this.liquidations.update(p.liquidations);
    this.ratio.update(p.ratio);
  }

  private pointsAt(k: number): { effective: LineData<Time>; liquidations: LiquidationsItem; ratio: LineData<Time> | { time: Time } } {
    const f = this.frames!;
    const s = f.detail.series;
    const b = this.buckets;
    const time = (b ? b.start[b.of[f.firstBar + k]!]! : s.time[k]!) as UTCTimestamp;
    let long = s.liquidatedNotionalLong[k]!;
    let short = s.liquidatedNotionalShort[k]!;
    if (b) {
      // Liquidated notional of the bucket so far: its replayed bars up to k.
      const from = Math.max(0, b.first[b.of[f.firstBar + k]!]! - f.firstBar);
      long = 0;
      short = 0;
      for (let j = from; j <= k; j++) {
        long += s.liquidatedNotionalLong[j]!;
        short += s.liquidatedNotionalShort[j]!;
      }
    }
    const account = f.overlay?.account ?? null;
    let ratio: LineData<Time> | { time: Time };
    if (this.ratioKind === 'margin-ratio' && account) {
      const r = account.marginRatio[k];
      ratio = r === null || r === undefined ? { time } : { time, value: r * 100 };
    } else ratio = { time, value: s.insuranceFund[k]! };
    return {
      effective: { time, value: s.effectiveClose[k]! },
      liquidations: { time, long, short },
      ratio,
    };
  }

  private afterMove(): void {
    const f = this.frames!;
    const k = this.cursor;
    // The last-price label and line take the last candle's colour, as on a candlestick series.
    const last = this.buckets ? formingCandle(f.candles, this.buckets, f.firstBar + k) : { open: f.candles.open[f.firstBar + k]!, close: f.candles.close[f.firstBar + k]! };
    const color = last.close >= last.open ? CANDLE_SERIES_OPTIONS.upColor : CANDLE_SERIES_OPTIONS.downColor;
    if (color !== this.lastColor) {
      this.lastColor = color;
      this.candles.applyOptions({ color });
    }
    this.heat.setCursor(k);
    this.lines.setCursor(f.firstBar + k, f.detail.series.exogenousClose[k] ?? 0);
    // Markers change only when the cursor crosses an event bar.
    const n = eventCountAt(this.markerBars, k);
    if (n !== this.markerCount) {
      this.markerCount = n;
      this.markers.show(n);
    }
  }

  onCrosshair(handler: (param: MouseEventParams<Time>) => void): () => void {
    this.chart.subscribeCrosshairMove(handler);
    return () => this.chart.unsubscribeCrosshairMove(handler);
  }

  /** Chart bar index under a crosshair time (or null). */
  chartBarAt(time: number): number | null {
    if (!this.frames) return null;
    const i = barIndexAt(this.frames.candles.time, time);
    return i >= 0 ? i : null;
  }

  /** How many times the candles' and liquidations' cached bitmaps were redrawn from scratch (tests). */
  cacheRedraws(): number {
    return this.candleView.redraws + this.liquidationsView.redraws + this.markers.redraws;
  }

  /** The heat band's columns at the cursor and the replayed bar each shows (null: no band). */
  heatBandShown(): { firstLogical: number; columnBars: number[] } | null {
    return this.heat.shown();
  }

  screenshot(): HTMLCanvasElement {
    return this.chart.takeScreenshot();
  }

  destroy(): void {
    this.stopFollowing();
    this.chart.remove();
  }
}

function toChartCandle(c: Candle): CandleItem {
  return { time: c.time as UTCTimestamp, open: c.open, high: c.high, low: c.low, close: c.close };
}

function candleAt(c: CandleColumns, i: number): CandleItem {
  return { time: c.time[i]! as UTCTimestamp, open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]! };
}

/**
 * Price-anchored markers for the run's events, one per bar and kind (a bar where a hundred
 * estimated buckets were liquidated gets one marker saying so), own positions by name.
 */
function buildMarkers(f: ReplayFrames, buckets: Buckets | null): { markers: EventMarker[]; bars: number[] } {
  const ownIds = new Set((f.overlay?.positions ?? []).map((p) => p.id));
  const seen = new Set<string>();
  const out: { marker: EventMarker; bar: number }[] = [];
  f.detail.events.forEach((e, i) => {
    const k = f.eventBar[i]!;
    const own = e.ref !== null && ownIds.has(e.ref);
    // At a higher interval: one market marker per bucket and kind, at the bucket, shown from
    // the bar of its first event (events are in time order).
    const logical = buckets ? buckets.of[f.firstBar + k]! - buckets.of[0]! : f.firstBar + k;
    const key = own ? `own:${e.ref}:${e.kind}` : `${logical}:${e.kind}`;
    const style = MARKER[e.kind];
    if (!own && seen.has(key)) return;
    seen.add(key);
    out.push({
      bar: k,
      marker: {
        logical,
        price: e.price,
        position: e.side === 'short' ? 'above' : 'below',
        shape: style.shape,
        color: style.color,
        // Market (estimated bucket) markers stay small and unlabelled; own positions are named.
        size: own ? 9 : 5,
        ...(own ? { text: `${style.label} ${e.ref}` } : {}),
      },
    });
  });
  // By bar (then chart position, the same order at the stored interval).
  out.sort((a, b) => a.bar - b.bar || a.marker.logical - b.marker.logical);
  return { markers: out.map((o) => o.marker), bars: out.map((o) => o.bar) };
}

/** Position lines in chart bars (stored bars): from the bar each position opened to its first liquidation. */
function buildLines(f: ReplayFrames): PriceLineSpec[] {
  const lines: PriceLineSpec[] = [];
  const liquidated = new Map<string, number>();
  f.detail.events.forEach((e, i) => {
    if (e.kind === 'liquidation' && e.ref !== null && !liquidated.has(e.ref)) liquidated.set(e.ref, f.firstBar + f.eventBar[i]!);
  });
  for (const p of f.overlay?.positions ?? []) {
    const openBar = p.openedAt === null ? 0 : Math.max(0, barIndexAt(f.candles.time, p.openedAt));
    const liquidatedBar = liquidated.get(p.id) ?? null;
    if (p.liquidationPrice !== null) lines.push({ price: p.liquidationPrice, kind: 'liquidation', title: `${p.id} liq ${p.liquidationPrice.toFixed(2)}`, openBar, liquidatedBar });
    if (p.marginCallPrice !== null) lines.push({ price: p.marginCallPrice, kind: 'margin-call', title: `${p.id} MC ${p.marginCallPrice.toFixed(2)}`, openBar, liquidatedBar });
  }
  return lines;
}
