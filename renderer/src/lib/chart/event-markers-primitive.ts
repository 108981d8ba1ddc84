/**
 * The replay's price-anchored event markers (liquidations, margin calls, ADL, halts), drawn by
 * one series primitive that adds markers as the cursor reaches them instead of redrawing them all.
 *
 * Why not lightweight-charts' markers plugin: it lays out and draws every marker on each update,
 * and a step that shows a new one cost a full redraw of all ~600 of a crash run (the slowest
 * steps of the replay). Here markers come in the order they appear (by bar), and the ones in
 * whole blocks of BLOCK before the last shown are kept in a pane-sized bitmap; a frame is one
 * drawImage plus fewer than BLOCK + 1 markers (settled-layer.ts). The bitmap is redrawn from scratch when its key
 * changes (pane size, pixel ratios, where two logical indices and three prices land, the marker
 * list) or fewer markers are shown than it holds (stepping back past a block).
 *
 * Geometry (media pixels): a marker sits at its bar's x; "above" ones end just above the price
 * with their label over them, "below" ones start just under it with the label beneath.
 */
import type { Logical } from 'lightweight-charts';
import type { CanvasRenderingTarget2D } from 'fancy-canvas';
import { PanePrimitive } from './pane-primitive';
import { SettledLayer } from './settled-layer';

export type MarkerShape = 'circle' | 'square' | 'arrowUp' | 'arrowDown';

export interface EventMarker {
  /** Chart logical index of the marker's bar (its interval's at a higher replay interval). */
  readonly logical: number;
  readonly price: number;
  readonly position: 'above' | 'below';
  readonly shape: MarkerShape;
  readonly color: string;
  /** Shape size in media pixels. */
  readonly size: number;
  readonly text?: string;
}

/** Markers per cached block. */
export const MARKER_BLOCK = 16;
const FONT = '11px system-ui, sans-serif';
const GAP = 1;

export class EventMarkersPrimitive extends PanePrimitive {
  private list: readonly EventMarker[] = [];
  private shownCount = 0;
  private version = 0;
  private readonly layer = new SettledLayer(MARKER_BLOCK);

  /** How many times the bitmap was redrawn from scratch (for tests). */
  get redraws(): number {
    return this.layer.redraws;
  }

  constructor() {
    super('top');
  }

  /** All the run's markers, in the order they appear (by bar); none shown until `show`. */
  setMarkers(list: readonly EventMarker[]): void {
    this.list = list;
    this.shownCount = 0;
    this.version++;
    this.requestUpdate();
  }

  /** Shows the first `count` markers. */
  show(count: number): void {
    this.shownCount = Math.max(0, Math.min(count, this.list.length));
    this.requestUpdate();
  }

  /** Drops the bitmap: the next frame draws every shown marker again (what a cached frame must equal). */
  forgetCache(): void {
    this.layer.forget();
    this.requestUpdate();
  }

  /** The markers shown. */
  markers(): readonly EventMarker[] {
    return this.list.slice(0, this.shownCount);
  }

  protected draw(target: CanvasRenderingTarget2D): void {
    const { chart, series } = this;
    const n = this.shownCount;
    if (!chart || !series || n === 0) return;
    const ts = chart.timeScale();
    const x0 = ts.logicalToCoordinate(0 as Logical);
    const x1 = ts.logicalToCoordinate(1 as Logical);
    if (x0 === null || x1 === null) return;
    const y = [series.priceToCoordinate(1), series.priceToCoordinate(2), series.priceToCoordinate(1000)];
    // Labels get a halo of the chart's background so they stay legible over candles.
    const background = chart.options().layout.background;
    const halo = background.type === 'solid' ? background.color : background.bottomColor;
    target.useBitmapCoordinateSpace(({ context, bitmapSize, mediaSize, horizontalPixelRatio: hr, verticalPixelRatio: vr }) => {
      const key = [this.version, halo, hr, vr, x0, x1, ...y].join('|');
      this.layer.draw(context, bitmapSize, key, n, (ctx, from, to) => {
        ctx.save();
        ctx.setTransform(hr, 0, 0, vr, 0, 0);
        ctx.font = FONT;
        ctx.textAlign = 'center';
        for (let i = from; i < to; i++) {
          const m = this.list[i]!;
          const py = series.priceToCoordinate(m.price);
          const px = x0 + (x1 - x0) * m.logical;
          if (py === null || px < -50 || px > mediaSize.width + 50) continue;
          drawMarker(ctx, m, px, py, halo);
        }
        ctx.restore();
      });
    });
  }
}

/** One marker at (x, price y), media pixels. */
function drawMarker(ctx: CanvasRenderingContext2D, m: EventMarker, x: number, y: number, halo: string): void {
  const s = m.size;
  const above = m.position === 'above';
  // The shape's vertical extent: ending just above the price, or starting just below it.
  const top = above ? y - GAP - s : y + GAP;
  ctx.fillStyle = m.color;
  switch (m.shape) {
    case 'circle':
      ctx.beginPath();
      ctx.arc(x, top + s / 2, s / 2, 0, 2 * Math.PI);
      ctx.fill();
      break;
    case 'square':
      ctx.fillRect(x - s / 2, top, s, s);
      break;
    case 'arrowUp':
    case 'arrowDown': {
      const up = m.shape === 'arrowUp';
      const tip = up ? top : top + s;
      const base = up ? top + s * 0.6 : top + s * 0.4;
      ctx.beginPath();
      ctx.moveTo(x, tip);
      ctx.lineTo(x + s / 2, base);
      ctx.lineTo(x - s / 2, base);
      ctx.closePath();
      ctx.fill();
      const stem = Math.max(1, s / 4);
      ctx.fillRect(x - stem / 2, up ? base : top, stem, up ? top + s - base : base - top);
      break;
    }
  }
  if (m.text) {
    ctx.textBaseline = above ? 'bottom' : 'top';
    const ty = above ? top - 2 : top + s + 2;
    ctx.strokeStyle = halo;
    ctx.lineWidth = 3;
    ctx.lineJoin = 'round';
    ctx.strokeText(m.text, x, ty);
    ctx.fillText(m.text, x, ty);
  }
}
