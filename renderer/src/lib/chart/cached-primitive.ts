/**
 * A series primitive whose pane drawing is kept as a bitmap: `CachedPrimitive` wraps another
 * primitive (here lightweight-charts' series markers) and repaints it only when a key changes —
 * the owner's description of everything the drawing depends on (which markers, where the price
 * and time scales put them) plus the pane's size. Otherwise each frame costs one drawImage.
 *
 * Why: the markers plugin recomputes and redraws every marker (a text label each for own
 * positions) on every data update, i.e. on every replay step, although a step rarely moves
 * them. Compositing the cached bitmap over the pane gives the pixels the plugin would have
 * drawn (source-over is associative; 8-bit rounding aside).
 *
 * `withCachedPrimitives` hands a plugin factory such as `createSeriesMarkers` a view of the
 * series whose `attachPrimitive` attaches the wrapped primitive instead: the plugin's own
 * primitive is not exported, but it is attached through the public series API.
 */
import type { AutoscaleInfo, IPrimitivePaneRenderer, IPrimitivePaneView, ISeriesApi, ISeriesPrimitive, Logical, PrimitiveHoveredItem, SeriesAttachedParameter, SeriesType, Time } from 'lightweight-charts';
import type { BitmapCoordinatesRenderingScope, CanvasRenderingTarget2D, MediaCoordinatesRenderingScope, Size } from 'fancy-canvas';

type Phase = 'draw' | 'drawBackground';

interface Layer {
  key: string | null;
  canvas: HTMLCanvasElement | null;
  /** Whether the wrapped renderer drew anything in this phase (nothing to composite if not). */
  drawn: boolean;
}

export class CachedPrimitive implements ISeriesPrimitive<Time> {
  /** The wrapped primitive has missed updateAllViews calls (they are forwarded on a repaint only). */
  private stale = true;
  private readonly views = new WeakMap<IPrimitivePaneView, IPrimitivePaneView>();
  private readonly layers = new WeakMap<IPrimitivePaneView, Record<Phase, Layer>>();

  /** `key`: changes whenever the wrapped primitive would draw something else (size and pixel ratio are added here). */
  constructor(
    private readonly inner: ISeriesPrimitive<Time>,
    private readonly key: () => string,
  ) {}

  attached(param: SeriesAttachedParameter<Time>): void {
    this.inner.attached?.(param);
  }

  detached(): void {
    this.inner.detached?.();
  }

  updateAllViews(): void {
    this.stale = true;
  }

  autoscaleInfo(start: Logical, end: Logical): AutoscaleInfo | null {
    return this.inner.autoscaleInfo?.(start, end) ?? null;
  }

  hitTest(x: number, y: number): PrimitiveHoveredItem | null {
    this.refresh();
    return this.inner.hitTest?.(x, y) ?? null;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return (this.inner.paneViews?.() ?? []).map((view) => {
      let wrapped = this.views.get(view);
      if (!wrapped) {
        const renderer: IPrimitivePaneRenderer = {
          draw: (target) => this.paint(view, 'draw', target),
          drawBackground: (target) => this.paint(view, 'drawBackground', target),
        };
        wrapped = { zOrder: () => view.zOrder?.() ?? 'normal', renderer: () => renderer };
        this.views.set(view, wrapped);
      }
      return wrapped;
    });
  }

  private refresh(): void {
    if (!this.stale) return;
    this.stale = false;
    this.inner.updateAllViews?.();
  }

  private paint(view: IPrimitivePaneView, phase: Phase, target: CanvasRenderingTarget2D): void {
    let layers = this.layers.get(view);
    if (!layers) {
      layers = { draw: { key: null, canvas: null, drawn: false }, drawBackground: { key: null, canvas: null, drawn: false } };
      this.layers.set(view, layers);
    }
    const layer = layers[phase];
    target.useBitmapCoordinateSpace(({ context, mediaSize, bitmapSize }) => {
      const key = `${this.key()}|${mediaSize.width}x${mediaSize.height}|${bitmapSize.width}x${bitmapSize.height}`;
      if (layer.key !== key) {
        this.refresh();
        layer.key = key;
        layer.drawn = false;
        const renderer = view.renderer();
        const draw = renderer ? (phase === 'draw' ? renderer.draw.bind(renderer) : renderer.drawBackground?.bind(renderer)) : undefined;
        if (draw) {
          const canvas = (layer.canvas ??= document.createElement('canvas'));
          if (canvas.width !== bitmapSize.width || canvas.height !== bitmapSize.height) {
            canvas.width = bitmapSize.width;
            canvas.height = bitmapSize.height;
          }
          const offscreen = canvas.getContext('2d')!;
          offscreen.clearRect(0, 0, canvas.width, canvas.height);
          draw(offscreenTarget(offscreen, mediaSize, bitmapSize, () => (layer.drawn = true)));
        }
      }
      if (layer.drawn && layer.canvas) context.drawImage(layer.canvas, 0, 0);
    });
  }
}

/**
 * A rendering target on an offscreen canvas of the pane's size, with fancy-canvas's semantics
 * (media space: scaled by the pixel ratio; bitmap space: identity). `used` is called when the
 * renderer asks for either space, i.e. may draw.
 */
function offscreenTarget(context: CanvasRenderingContext2D, mediaSize: Size, bitmapSize: Size, used: () => void): CanvasRenderingTarget2D {
  const horizontalPixelRatio = bitmapSize.width / mediaSize.width;
  const verticalPixelRatio = bitmapSize.height / mediaSize.height;
  const target = {
    useMediaCoordinateSpace<T>(f: (scope: MediaCoordinatesRenderingScope) => T): T {
      used();
      context.save();
      try {
        context.setTransform(1, 0, 0, 1, 0, 0);
        context.scale(horizontalPixelRatio, verticalPixelRatio);
        return f({ context, mediaSize });
      } finally {
        context.restore();
      }
    },
    useBitmapCoordinateSpace<T>(f: (scope: BitmapCoordinatesRenderingScope) => T): T {
      used();
      context.save();
      try {
        context.setTransform(1, 0, 0, 1, 0, 0);
        return f({ context, mediaSize, bitmapSize, horizontalPixelRatio, verticalPixelRatio });
      } finally {
        context.restore();
      }
    },
  };
  // fancy-canvas's class has private fields, so a structurally equal object needs the cast.
  return target as unknown as CanvasRenderingTarget2D;
}

/**
 * The series as seen by a plugin factory (e.g. `createSeriesMarkers`): primitives it attaches are
 * wrapped in a CachedPrimitive with `key`; everything else is the series itself.
 */
export function withCachedPrimitives<T extends SeriesType>(series: ISeriesApi<T>, key: () => string): ISeriesApi<T> {
  const wrappers = new WeakMap<ISeriesPrimitive<Time>, CachedPrimitive>();
  return new Proxy(series, {
    get(target, property) {
      if (property === 'attachPrimitive') {
        return (primitive: ISeriesPrimitive<Time>): void => {
          const wrapper = new CachedPrimitive(primitive, key);
          wrappers.set(primitive, wrapper);
          target.attachPrimitive(wrapper);
        };
      }
      if (property === 'detachPrimitive') {
        return (primitive: ISeriesPrimitive<Time>): void => target.detachPrimitive(wrappers.get(primitive) ?? primitive);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
