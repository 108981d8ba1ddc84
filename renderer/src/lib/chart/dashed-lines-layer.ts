/**
 * Horizontal dashed lines (the position lines) kept as a pane-sized bitmap that a frame only
 * composites. Each line is one pixel row tall (y rounded, +0.5, width 1), so at an integer
 * vertical pixel ratio lines on different rows never share a pixel: a row can be cleared and
 * stroked again on its own, and stroking row by row gives the same pixels as one path per kind.
 * A frame therefore strokes only the rows whose lines changed (a line opening or ending at the
 * cursor); a row whose lines just moved (the price scale changed) is copied, as pixels, from
 * where it was drawn; everything is stroked again only when the size or pixel ratio changes.
 * Rasterising ~1,000 dashed lines costs 4–7 ms in software rendering; most steps change no row.
 */

export type DashedKind = 'margin-call' | 'liquidation';

/** One line: media coordinates, `row` = its rounded y. */
export interface DashedSegment {
  readonly kind: DashedKind;
  readonly x0: number;
  readonly x1: number;
  readonly row: number;
}

/** Style per kind; margin-call lines are drawn first, liquidation lines over them. */
export const DASHED_STYLE: Record<DashedKind, { readonly color: string; readonly alpha: number }> = {
  'margin-call': { color: '#f5b942', alpha: 0.7 },
  liquidation: { color: '#ff6b6b', alpha: 0.9 },
};
const KINDS: readonly DashedKind[] = ['margin-call', 'liquidation'];
const DASH = [5, 4];

export class DashedLinesLayer {
  private readonly canvas = document.createElement('canvas');
  /** Size and pixel ratios the bitmap was drawn at. */
  private frame = '';
  /** What each drawn row holds (its segments as text), by row. */
  private rows = new Map<number, string>();

  /** The bitmap for these lines, redrawn where it differs from the last call. */
  update(segments: readonly DashedSegment[], width: number, height: number, hr: number, vr: number): HTMLCanvasElement {
    const byRow = new Map<number, DashedSegment[]>();
    for (const s of segments) {
      if (s.row < 0 || s.row >= height / vr) continue; // a row off the bitmap: nothing to draw or copy
      const list = byRow.get(s.row);
      if (list) list.push(s);
      else byRow.set(s.row, [s]);
    }
    const keys = new Map<number, string>();
    for (const [row, list] of byRow) keys.set(row, list.map((s) => `${s.kind === 'liquidation' ? 1 : 0},${s.x0},${s.x1}`).join(';'));
    const frame = `${width}x${height}@${hr},${vr}`;
    const ctx = resized(this.canvas, width, height);
    // Rows are independent only when a media pixel row is whole bitmap rows.
    if (!Number.isInteger(vr) || frame !== this.frame) {
      ctx.clearRect(0, 0, width, height);
      strokeRows(ctx, [...byRow.values()].flat(), hr, vr);
    } else {
      const changed: number[] = [];
      for (const [row, key] of keys) if (this.rows.get(row) !== key) changed.push(row);
      for (const row of this.rows.keys()) if (!keys.has(row)) changed.push(row);
      if (changed.length === 0) return this.canvas;
      // A row whose lines only moved (the price scale changed) is copied from where it was drawn.
      const drawnAt = new Map<string, number>();
      for (const [row, key] of this.rows) drawnAt.set(key, row);
      const moves = changed.filter((row) => {
        const key = keys.get(row);
        return key !== undefined && drawnAt.has(key);
      });
      if (moves.length > 0) {
        const before = ctx.getImageData(0, 0, width, height);
        const after = ctx.createImageData(width, height);
        after.data.set(before.data);
        const rowBytes = width * 4 * vr;
        for (const row of changed) {
          const key = keys.get(row);
          const from = key === undefined ? undefined : drawnAt.get(key);
          if (from === undefined) after.data.fill(0, row * rowBytes, (row + 1) * rowBytes);
          else after.data.set(before.data.subarray(from * rowBytes, (from + 1) * rowBytes), row * rowBytes);
        }
        ctx.putImageData(after, 0, 0);
      }
      const moved = new Set(moves);
      for (const row of changed) {
        if (moved.has(row)) continue;
        ctx.clearRect(0, row * vr, width, vr);
        const list = byRow.get(row);
        if (list) strokeRows(ctx, list, hr, vr);
      }
    }
    this.frame = frame;
    this.rows = keys;
    return this.canvas;
  }
}

/** Strokes the segments in media coordinates, leaving the context in bitmap coordinates. */
function strokeRows(ctx: CanvasRenderingContext2D, segments: readonly DashedSegment[], hr: number, vr: number): void {
  ctx.setTransform(hr, 0, 0, vr, 0, 0);
  stroke(ctx, segments);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
}

/** The canvas's 2D context at this size (resizing clears it), in bitmap coordinates. */
function resized(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return ctx;
}

/** One path per kind over the given segments (the pane's original drawing). */
function stroke(ctx: CanvasRenderingContext2D, segments: readonly DashedSegment[]): void {
  if (segments.length === 0) return;
  ctx.lineWidth = 1;
  ctx.setLineDash(DASH);
  for (const kind of KINDS) {
    ctx.beginPath();
    for (const s of segments) {
      if (s.kind !== kind) continue;
      ctx.moveTo(s.x0, s.row + 0.5);
      ctx.lineTo(s.x1, s.row + 0.5);
    }
    ctx.strokeStyle = DASHED_STYLE[kind].color;
    ctx.globalAlpha = DASHED_STYLE[kind].alpha;
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}
