/**
 * Own positions' liquidation and margin-call prices as dashed lines, all drawn by ONE series
 * primitive (partial-price-line style: each line starts at the bar its position opened and
 * ends at the bar it was liquidated). DESIGN.md §5 measured why not one `createPriceLine`
 * each: 1,000 price lines cost ~24 ms of script per frame, almost all in their axis labels.
 * Here the lines are kept as a bitmap redrawn only where they change (dashed-lines-layer.ts), and
 * only the few nearest the price get a label (drawn every frame).
 */
import type { Logical } from 'lightweight-charts';
import type { CanvasRenderingTarget2D } from 'fancy-canvas';
import { PanePrimitive } from './pane-primitive';
import { eventCountAt, lineSpanAt } from '../replay/cursor';
import { DashedLinesLayer, DASHED_STYLE } from './dashed-lines-layer';

export interface PriceLineSpec {
  readonly price: number;
  readonly kind: 'liquidation' | 'margin-call';
  readonly title: string;
  /** Chart bar (a stored bar) where the position opened: the line starts there. */
  readonly openBar: number;
  /** Chart bar where it was liquidated (the line ends there once the cursor reaches it), or null. */
  readonly liquidatedBar: number | null;
}

const COLORS = { liquidation: DASHED_STYLE.liquidation.color, 'margin-call': DASHED_STYLE['margin-call'].color } as const;

export class PositionLinesPrimitive extends PanePrimitive {
  private lines: readonly PriceLineSpec[] = [];
  /** Chart logical index of a chart bar (its interval's at a higher replay interval). */
  private logicalOf: (chartBar: number) => number = (chartBar) => chartBar;
  private cursorBar = -1;
  private labelPrice = 0;
  private readonly labels: number;
  /** The dashed lines as a bitmap, redrawn only where they change (see dashed-lines-layer.ts). */
  private readonly layer = new DashedLinesLayer();
  /** Open and liquidation bars of the lines, sorted: how many the cursor passed fixes which lines show. */
  private openBars: number[] = [];
  private endBars: number[] = [];
  private version = 0;
  /** The last frame's visible lines and bitmap, reused while nothing they depend on changed. */
  private memo: { key: string; visible: Visible[]; bitmapKey: string; bitmap: HTMLCanvasElement | null } | null = null;

  /** `labels`: how many lines nearest the price get a title. */
  constructor(labels = 6) {
    super('normal');
    this.labels = labels;
  }

  /** `logicalOf`: where a chart bar is drawn (the identity at the stored interval). */
  setLines(lines: readonly PriceLineSpec[], logicalOf: (chartBar: number) => number): void {
    this.lines = lines;
    this.logicalOf = logicalOf;
    this.openBars = lines.map((l) => l.openBar).sort((a, b) => a - b);
    this.endBars = lines.flatMap((l) => (l.liquidatedBar === null ? [] : [l.liquidatedBar])).sort((a, b) => a - b);
    this.version++;
    this.requestUpdate();
  }

  /**
   * Cut at the cursor's chart bar (a stored bar, also at a higher interval: whether a line has
   * opened or ended is decided at stored bars, so a liquidation later in the forming interval
   * does not show early); `price` picks which lines get labels.
   */
  setCursor(chartBar: number, price: number): void {
    this.cursorBar = chartBar;
    this.labelPrice = price;
  }

  protected draw(target: CanvasRenderingTarget2D): void {
    const { chart, series } = this;
    if (!chart || !series || this.lines.length === 0) return;
    const ts = chart.timeScale();
    // Which lines show, and where, depends only on the scales, the pane and how many open and
    // liquidation bars the cursor has passed: most steps reuse the last frame's lines and bitmap.
    const key = [
      this.version,
      ts.logicalToCoordinate(0 as Logical),
      ts.logicalToCoordinate(1 as Logical),
      series.priceToCoordinate(1),
      series.priceToCoordinate(2),
      series.priceToCoordinate(1000),
      eventCountAt(this.openBars, this.cursorBar),
      eventCountAt(this.endBars, this.cursorBar),
    ].join('|');
    let visible: Visible[] = [];
    target.useMediaCoordinateSpace(({ mediaSize }) => {
      const full = `${key}|${mediaSize.width}x${mediaSize.height}`;
      if (this.memo?.key === full) {
        visible = this.memo.visible;
        return;
      }
      this.memo = { key: full, visible, bitmapKey: '', bitmap: null };
      const right = mediaSize.width;
      const x = (chartBar: number): number | null => ts.logicalToCoordinate(this.logicalOf(chartBar) as Logical);
      const cursorX = x(this.cursorBar) ?? right;
      for (const line of this.lines) {
        const span = lineSpanAt(line.openBar, line.liquidatedBar, this.cursorBar);
        if (span === null) continue; // not opened yet at the cursor
        const y = series.priceToCoordinate(line.price);
        if (y === null || y < 0 || y > mediaSize.height) continue;
        const x0 = Math.max(0, x(span.from) ?? 0);
        const x1 = span.to !== null ? (x(span.to) ?? cursorX) : right;
        if (x1 <= x0) continue;
        visible.push({ x0, x1, y, line });
      }
    });
    target.useBitmapCoordinateSpace(({ context, bitmapSize, horizontalPixelRatio: hr, verticalPixelRatio: vr }) => {
      const memo = this.memo!;
      const bitmapKey = `${bitmapSize.width}x${bitmapSize.height}@${hr},${vr}`;
      if (memo.bitmap === null || memo.bitmapKey !== bitmapKey) {
        const segments = visible.map((v) => ({ kind: v.line.kind, x0: v.x0, x1: v.x1, row: Math.round(v.y) }));
        memo.bitmap = this.layer.update(segments, bitmapSize.width, bitmapSize.height, hr, vr);
        memo.bitmapKey = bitmapKey;
      }
      context.drawImage(memo.bitmap, 0, 0);
    });
    target.useMediaCoordinateSpace(({ context, mediaSize }) => {
      const right = mediaSize.width;
      context.save();
      context.lineWidth = 1;
      context.setLineDash([]);
      // Labels: only the few still-open lines nearest the price, so they stay readable.
      const open = visible.filter((v) => v.x1 >= right - 1);
      open.sort((a, b) => Math.abs(a.line.price - this.labelPrice) - Math.abs(b.line.price - this.labelPrice));
      context.font = '11px system-ui, sans-serif';
      context.textBaseline = 'middle';
      const placed: number[] = [];
      for (const v of open.slice(0, this.labels)) {
        let y = v.y;
        while (placed.some((p) => Math.abs(p - y) < 14)) y += 14;
        placed.push(y);
        const text = v.line.title;
        const w = context.measureText(text).width + 8;
        const x = right - w - 4;
        context.fillStyle = 'rgba(15, 20, 25, 0.85)';
        context.fillRect(x, y - 8, w, 16);
        context.strokeStyle = COLORS[v.line.kind];
        context.strokeRect(x + 0.5, y - 7.5, w - 1, 15);
        context.fillStyle = COLORS[v.line.kind];
        context.fillText(text, x + 4, y);
      }
      context.restore();
    });
  }
}

interface Visible {
  readonly x0: number;
  readonly x1: number;
  readonly y: number;
  readonly line: PriceLineSpec;
}
