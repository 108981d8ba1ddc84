/**
 * Horizontal dashed lines (the position lines) kept as a pane-sized bitmap that a frame only
 * composites. Each line is one pixel row tall (y rounded, +0.5, width 1), so at an integer
 * vertical pixel ratio lines on different rows never share a pixel: a row can be cleared and
 * stroked again on its own, and stroking row by row gives the same pixels as one path per kind.
 * A frame therefore strokes only the rows whose lines changed (a line opening or ending at the
 * cursor); a row whose lines just moved (the price scale changed) is copied from where it was
 * drawn; everything is stroked again only when the size or pixel ratio changes. Rasterising ~1,000
 * dashed lines costs 4–7 ms in software rendering; most steps change no row.
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
  /** Front: what the last update returned; back: where the next one is built (then they swap). */
  private front = document.createElement('canvas');
  private back = document.createElement('canvas');
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
    // Rows are independent only when a media pixel row is whole bitmap rows.
    if (!Number.isInteger(vr) || frame !== this.frame) {
      const ctx = resized(this.front, width, height);
      ctx.clearRect(0, 0, width, height);
      ctx.setTransform(hr, 0, 0, vr, 0, 0);
      stroke(ctx, [...byRow.values()].flat());
      ctx.setTransform(1, 0, 0, 1, 0, 0);
    } else {
      const changed: number[] = [];
      for (const [row, key] of keys) if (this.rows.get(row) !== key) changed.push(row);
      for (const row of this.rows.keys()) if (!keys.has(row)) changed.push(row);
      if (changed.length === 0) return this.front;
      // A row whose lines only moved (the price scale changed) is copied from where it was drawn.
      const drawnAt = new Map<string, number>();
      for (const [row, key] of this.rows) drawnAt.set(key, row);
      const ctx = resized(this.back, width, height);
      ctx.clearRect(0, 0, width, height);
      ctx.drawImage(this.front, 0, 0);
      for (const row of changed) {
        ctx.clearRect(0, row * vr, width, vr);
        const key = keys.get(row);
        if (key === undefined) continue;
        const from = drawnAt.get(key);
        if (from !== undefined) {
          ctx.drawImage(this.front, 0, from * vr, width, vr, 0, row * vr, width, vr);
        } else {
          ctx.setTransform(hr, 0, 0, vr, 0, 0);
          stroke(ctx, byRow.get(row)!);
          ctx.setTransform(1, 0, 0, 1, 0, 0);
        }
      }
      [this.front, this.back] = [this.back, this.front];
    }
    this.frame = frame;
    this.rows = keys;
    return this.front;
  }
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
