/**
 * Row windowing for long tables with one fixed row height: which rows a scroll box of a given
 * height shows at a given scroll offset, plus a few rows of overscan either side, and the space
 * the rows not drawn take above and below (so the scrollbar stays true to the full length).
 * Pure: the same numbers whatever draws them (renderer/src/lib/VirtualTable.svelte).
 */

export interface RowWindowInput {
  /** The scroll box's scrollTop, in px (may be stale: larger than the rows now allow). */
  scrollTop: number;
  /** Height the rows can show in (the box minus a sticky header), in px. */
  viewportHeight: number;
  /** Every row's height, in px (> 0). */
  rowHeight: number;
  /** Number of rows in the whole list. */
  count: number;
  /** Rows drawn beyond each edge of the viewport. */
  overscan: number;
}

export interface RowWindow {
  /** First row drawn (0-based, inclusive). */
  start: number;
  /** One past the last row drawn (exclusive); start === end when nothing is drawn. */
  end: number;
  /** Space for the rows above start, in px. */
  padTop: number;
  /** Space for the rows from end on, in px. */
  padBottom: number;
}

const whole = (x: number): number => (Number.isFinite(x) && x > 0 ? Math.floor(x) : 0);

export function rowWindow({ scrollTop, viewportHeight, rowHeight, count, overscan }: RowWindowInput): RowWindow {
  const n = whole(count);
  if (n === 0 || !(rowHeight > 0)) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const extra = whole(overscan);
  const viewport = Math.max(0, Number.isFinite(viewportHeight) ? viewportHeight : 0);
  // A scroll offset beyond what the rows now allow (the list shrank: the replay stepped back)
  // is read as scrolled to the end, as the browser will clamp it.
  const maxScroll = Math.max(0, n * rowHeight - viewport);
  const top = Math.min(Math.max(0, Number.isFinite(scrollTop) ? scrollTop : 0), maxScroll);
  const first = Math.min(n - 1, Math.floor(top / rowHeight));
  const last = Math.min(n, Math.ceil((top + viewport) / rowHeight));
  const start = Math.max(0, first - extra);
  const end = Math.min(n, Math.max(last, first + 1) + extra);
  return { start, end, padTop: start * rowHeight, padBottom: (n - end) * rowHeight };
}
