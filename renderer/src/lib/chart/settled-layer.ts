/**
 * A pane-sized bitmap of the first items of a growing list (bars, markers), for layers the
 * replay redraws on every step although only the newest items change. Items are drawn in list
 * order; the bitmap holds whole blocks of `block` items strictly before the last one (the last
 * may still change: a forming candle), and a frame is one drawImage plus the items after it.
 *
 * The policy is `planFrame` (settled-plan.ts, pure and tested on its own): the bitmap is started
 * again when its key changes (anything that moves where items land or how they look) or when
 * the list is shorter than what it holds (stepping back past a block).
 */
import type { Size } from 'fancy-canvas';
import { planFrame, type SettledState } from './settled-plan';

export class SettledLayer {
  private canvas: HTMLCanvasElement | null = null;
  private state: SettledState = { key: '', upTo: 0 };
  /** How many times the bitmap was started again (for tests). */
  redraws = 0;

  constructor(private readonly block: number) {}

  /** The next frame draws everything again. */
  forget(): void {
    this.state = { key: '', upTo: 0 };
  }

  /** Whether the bitmap holds items [0, upTo) (callers check their items are still those). */
  holding(): number {
    return this.state.upTo;
  }

  /**
   * Draws items [0, count) on `context` (bitmap space of `bitmapSize`) through `paint(ctx, from, to)`,
   * which draws items [from, to) in order on the context it is given.
   */
  draw(context: CanvasRenderingContext2D, bitmapSize: Size, key: string, count: number, paint: (ctx: CanvasRenderingContext2D, from: number, to: number) => void): void {
    const fullKey = `${key}|${bitmapSize.width}x${bitmapSize.height}`;
    const plan = planFrame(this.state, fullKey, count, this.block);
    const canvas = (this.canvas ??= document.createElement('canvas'));
    const cached = canvas.getContext('2d')!;
    if (plan.reset) {
      if (canvas.width !== bitmapSize.width || canvas.height !== bitmapSize.height) {
        canvas.width = bitmapSize.width;
        canvas.height = bitmapSize.height;
      } else cached.clearRect(0, 0, canvas.width, canvas.height);
      this.redraws++;
    }
    if (plan.to > plan.from) paint(cached, plan.from, plan.to);
    this.state = { key: fullKey, upTo: plan.to };
    if (plan.to > 0) context.drawImage(canvas, 0, 0);
    if (count > plan.to) paint(context, plan.to, count);
  }
}
