/**
 * The policy of settled-layer.ts, without the canvas: which items a frame draws into the
 * bitmap and which directly. The bitmap holds whole blocks of `block` items strictly before the
 * last one; it is started again on a new key or when the list is shorter than what it holds.
 */
export interface SettledState {
  /** What the bitmap was drawn for ('' = nothing). */
  readonly key: string;
  /** Items [0, upTo) are in the bitmap. */
  readonly upTo: number;
}

export interface FramePlan {
  /** Clear the bitmap first. */
  readonly reset: boolean;
  /** Draw items [from, to) into the bitmap, then the bitmap, then items [to, count) directly. */
  readonly from: number;
  readonly to: number;
}

export function planFrame(state: SettledState, key: string, count: number, block: number): FramePlan {
  const settled = count > 0 ? Math.floor((count - 1) / block) * block : 0;
  const reset = state.key !== key || state.upTo > settled;
  const from = reset ? 0 : state.upTo;
  return { reset, from, to: Math.max(from, settled) };
}
