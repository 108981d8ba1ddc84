/**
 * The estimated liquidation map as a band primitive on the candle series (template: the
 * heatmap-series plugin's cells {low, high, amount}). The map is rendered once into an
 * offscreen canvas, one pixel column per band column (a replayed bar, or an interval at a
 * higher replay interval: see heat-columns.ts) and one row per bin; each frame draws only
 * columns 0…cursor of it, scaled to the chart's columns and the bins' prices — one drawImage,
 * whatever the number of cells, and nothing to the right of the cursor.
 *
 * At a higher interval the offscreen columns hold each interval's state at its last stored
 * bar; the column forming at the cursor is overwritten with the state at the cursor's bar
 * (and restored when the cursor leaves it), so the band never shows a bar after the cursor.
 */
import type { Logical } from 'lightweight-charts';
import type { CanvasRenderingTarget2D } from 'fancy-canvas';
import { PanePrimitive } from './pane-primitive';
import { heatPixels, type HeatMap } from '../replay/heat-band';
import { columnBarsAt, type HeatColumns } from '../replay/heat-columns';

interface Rendered {
  readonly map: HeatMap;
  readonly columns: HeatColumns;
  /** What is drawn: one column per band column; the forming one patched at the cursor. */
  readonly canvas: HTMLCanvasElement;
  readonly context: CanvasRenderingContext2D;
  /** Pixels of each column's completed state, to restore a column the cursor has left. */
  readonly columnPixels: Uint8ClampedArray;
  /** Pixels of each replayed bar's state, to patch the forming column; null when every column is one bar. */
  readonly barPixels: Uint8ClampedArray | null;
  /** Column currently holding a forming state (−1: none). */
  patched: number;
}

export class HeatBandPrimitive extends PanePrimitive {
  private rendered: Rendered | null = null;
  private map: HeatMap | null = null;
  private columns: HeatColumns | null = null;
  private cursor = -1;
  private log = false;

  constructor() {
    super('bottom');
  }

  /** New map and band columns (a null map hides the band). */
  setMap(map: HeatMap | null, columns: HeatColumns, log: boolean): void {
    this.map = map;
    this.columns = columns;
    this.log = log;
    this.rendered = map && columns.columnOf.length > 0 ? render(map, columns, log) : null;
    this.patch();
    this.requestUpdate();
  }

  setLog(log: boolean): void {
    if (log === this.log || !this.map || !this.columns) return;
    this.setMap(this.map, this.columns, log);
  }

  /** Show the columns up to the one of replayed bar `index` (−1: none), that one as of `index`. */
  setCursor(index: number): void {
    this.cursor = index;
    this.patch();
  }

  /** What the band shows at the cursor, for tests and the semantic twin: columns and the bar each shows. */
  shown(): { firstLogical: number; columnBars: number[] } | null {
    const r = this.rendered;
    if (!r || this.cursor < 0) return null;
    return { firstLogical: r.columns.firstLogical, columnBars: columnBarsAt(r.columns, this.cursor) };
  }

  /** Puts the cursor's state into the forming column, and the completed state back into the one it left. */
  private patch(): void {
    const r = this.rendered;
    if (!r || !r.barPixels) return;
    const bins = r.map.bins;
    const forming = r.columns.columnOf[this.cursor] ?? -1;
    if (r.patched >= 0 && r.patched !== forming) {
      r.context.putImageData(columnOf(r.columnPixels, r.columns.lastBar.length, r.patched, bins), r.patched, 0);
      r.patched = -1;
    }
    if (forming >= 0) {
      r.context.putImageData(columnOf(r.barPixels, r.columns.columnOf.length, this.cursor, bins), forming, 0);
      r.patched = forming;
    }
  }

  protected draw(target: CanvasRenderingTarget2D): void {
    const { rendered: r, chart, series } = this;
    const forming = r?.columns.columnOf[this.cursor];
    if (!r || forming === undefined || !chart || !series) return;
    const ts = chart.timeScale();
    // logicalToCoordinate is exact at whole columns only: take the two ends and widen by half a column.
    const first = ts.logicalToCoordinate(r.columns.firstLogical as Logical);
    const last = ts.logicalToCoordinate((r.columns.firstLogical + forming) as Logical);
    if (first === null || last === null) return;
    const half = forming > 0 ? (last - first) / forming / 2 : ts.options().barSpacing / 2;
    const x0 = first - half;
    const x1 = last + half;
    const yTop = series.priceToCoordinate(r.map.priceHigh);
    const yBottom = series.priceToCoordinate(r.map.priceLow);
    if (yTop === null || yBottom === null) return;
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio: hr, verticalPixelRatio: vr }) => {
      context.save();
      context.imageSmoothingEnabled = false;
      context.drawImage(r.canvas, 0, 0, forming + 1, r.map.bins, Math.round(x0 * hr), Math.round(yTop * vr), Math.max(1, Math.round((x1 - x0) * hr)), Math.round((yBottom - yTop) * vr));
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

function render(map: HeatMap, columns: HeatColumns, log: boolean): Rendered {
  const width = columns.lastBar.length;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = map.bins;
  const context = canvas.getContext('2d')!;
  const columnPixels = heatPixels(map, columns.lastBar, log);
  context.putImageData(new ImageData(columnPixels as Uint8ClampedArray<ArrayBuffer>, width, map.bins), 0, 0);
  // Every column one bar (the stored interval): a column's completed state is the cursor's.
  const bars = columns.columnOf.length;
  const barPixels = width === bars ? null : heatPixels(map, Array.from({ length: bars }, (_, k) => k), log);
  return { map, columns, canvas, context, columnPixels, barPixels, patched: -1 };
}

/** Column `x` of an RGBA image `width` pixels wide, as a 1-pixel-wide ImageData. */
function columnOf(pixels: Uint8ClampedArray, width: number, x: number, height: number): ImageData {
  const out = new ImageData(1, height);
  for (let row = 0; row < height; row++) {
    const from = (row * width + x) * 4;
    out.data.set(pixels.subarray(from, from + 4), row * 4);
  }
  return out;
}
