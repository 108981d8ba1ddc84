/**
 * Own positions' liquidation and margin-call prices as dashed lines, all drawn by ONE series
 * primitive (partial-price-line style: each line starts at the bar its position opened and
 * ends at the bar it was liquidated). DESIGN.md §5 measured why not one `createPriceLine`
 * each: 1,000 price lines cost ~24 ms of script per frame, almost all in their axis labels.
 * Here lines are batched into one path per kind, kept as a bitmap that is redrawn only when the
 * lines' geometry changes, and only the few nearest the price get a label (drawn every frame).
 */
import type { Logical } from 'lightweight-charts';
import type { CanvasRenderingTarget2D } from 'fancy-canvas';
import { PanePrimitive } from './pane-primitive';
import { lineSpanAt } from '../replay/cursor';

export interface PriceLineSpec {
  readonly price: number;
  readonly kind: 'liquidation' | 'margin-call';
  readonly title: string;
  /** Chart bar (a stored bar) where the position opened: the line starts there. */
  readonly openBar: number;
  /** Chart bar where it was liquidated (the line ends there once the cursor reaches it), or null. */
  readonly liquidatedBar: number | null;
}

const COLORS = { liquidation: '#ff6b6b', 'margin-call': '#f5b942' } as const;

export class PositionLinesPrimitive extends PanePrimitive {
  private lines: readonly PriceLineSpec[] = [];
  /** Chart logical index of a chart bar (its interval's at a higher replay interval). */
  private logicalOf: (chartBar: number) => number = (chartBar) => chartBar;
  private cursorBar = -1;
  private labelPrice = 0;
  private readonly labels: number;
  /** The dashed lines last drawn, and the geometry they were drawn for (see linesLayer). */
  private layer: { canvas: HTMLCanvasElement; key: Float64Array } | null = null;

  /** `labels`: how many lines nearest the price get a title. */
  constructor(labels = 6) {
    super('normal');
    this.labels = labels;
  }

  /** `logicalOf`: where a chart bar is drawn (the identity at the stored interval). */
  setLines(lines: readonly PriceLineSpec[], logicalOf: (chartBar: number) => number): void {
    this.lines = lines;
    this.logicalOf = logicalOf;
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
    const visible: Visible[] = [];
    target.useMediaCoordinateSpace(({ mediaSize }) => {
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
      context.drawImage(this.linesLayer(visible, bitmapSize.width, bitmapSize.height, hr, vr), 0, 0);
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

  /**
   * The dashed lines as a pane-sized bitmap, redrawn only when what it shows changes: the key is
   * the drawn geometry itself (each line's kind, ends and row, and the bitmap size), so a new
   * price scale, a line opening or ending, or a resize redraws it, and nothing else does.
   * Compositing the layer over the pane gives the same pixels as stroking on the pane (source-over
   * is associative); it saves re-rasterising ~1,000 dashed paths on every step.
   */
  private linesLayer(visible: readonly Visible[], width: number, height: number, hr: number, vr: number): HTMLCanvasElement {
    const key = new Float64Array(4 + 4 * visible.length);
    key[0] = width;
    key[1] = height;
    key[2] = hr;
    key[3] = vr;
    visible.forEach((v, i) => {
      key.set([v.line.kind === 'liquidation' ? 1 : 0, v.x0, v.x1, Math.round(v.y)], 4 + 4 * i);
    });
    const layer = this.layer;
    if (layer && sameKey(layer.key, key)) return layer.canvas;
    const canvas = layer?.canvas ?? document.createElement('canvas');
    canvas.width = width; // also clears it
    canvas.height = height;
    const context = canvas.getContext('2d')!;
    context.setTransform(hr, 0, 0, vr, 0, 0);
    context.lineWidth = 1;
    context.setLineDash([5, 4]);
    for (const kind of ['margin-call', 'liquidation'] as const) {
      context.beginPath();
      for (const v of visible) {
        if (v.line.kind !== kind) continue;
        const y = Math.round(v.y) + 0.5;
        context.moveTo(v.x0, y);
        context.lineTo(v.x1, y);
      }
      context.strokeStyle = COLORS[kind];
      context.globalAlpha = kind === 'liquidation' ? 0.9 : 0.7;
      context.stroke();
    }
    this.layer = { canvas, key };
    return canvas;
  }
}

interface Visible {
  readonly x0: number;
  readonly x1: number;
  readonly y: number;
  readonly line: PriceLineSpec;
}

function sameKey(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
