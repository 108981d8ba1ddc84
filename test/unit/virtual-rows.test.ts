/**
 * Row windowing of the virtualized tables (renderer/src/lib/virtual-rows.ts): which rows a scroll
 * box draws, the spacers that keep the scrollbar true to the full length, and the edges — empty
 * lists, fewer rows than the box holds, the end of the list, a list that shrinks below the scroll
 * offset (the replay stepping back), overscan clamped at both ends.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rowWindow } from '../../renderer/src/lib/virtual-rows';

const H = 22;
const base = { scrollTop: 0, viewportHeight: 10 * H, rowHeight: H, count: 1000, overscan: 4 };

describe('rowWindow', () => {
  it('draws nothing for an empty list', () => {
    expect(rowWindow({ ...base, count: 0 })).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
    expect(rowWindow({ ...base, count: 0, scrollTop: 5000 })).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });

  it('draws every row, without spacers, when they fit in the box', () => {
    expect(rowWindow({ ...base, count: 3 })).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    expect(rowWindow({ ...base, count: 10 })).toEqual({ start: 0, end: 10, padTop: 0, padBottom: 0 });
    // A stale offset cannot scroll a list that fits.
    expect(rowWindow({ ...base, count: 3, scrollTop: 400 })).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
  });

  it('at the top: the rows in view plus overscan below only', () => {
    expect(rowWindow(base)).toEqual({ start: 0, end: 14, padTop: 0, padBottom: (1000 - 14) * H });
  });

  it('in the middle: overscan on both sides, a partly shown row counts as shown', () => {
    // scrollTop 100.5 rows: rows 100…110 are (partly) in view.
    const w = rowWindow({ ...base, scrollTop: 100.5 * H });
    expect(w).toEqual({ start: 96, end: 115, padTop: 96 * H, padBottom: (1000 - 115) * H });
  });

  it('scrolled to the end: the last row is drawn and nothing follows it', () => {
    const w = rowWindow({ ...base, scrollTop: 1000 * H - 10 * H });
    expect(w.end).toBe(1000);
    expect(w.start).toBe(990 - 4);
    expect(w.padBottom).toBe(0);
    expect(w.padTop).toBe(986 * H);
  });

  it('a list shrinking below the scroll offset (stepping back) shows its end, not an empty window', () => {
    // Scrolled to the end of 1,000 rows; the replay steps back and 50 remain.
    const w = rowWindow({ ...base, scrollTop: 990 * H, count: 50 });
    expect(w).toEqual({ start: 36, end: 50, padTop: 36 * H, padBottom: 0 });
  });

  it('clamps overscan at both ends and ignores nonsense inputs', () => {
    expect(rowWindow({ ...base, count: 12, overscan: 100 })).toEqual({ start: 0, end: 12, padTop: 0, padBottom: 0 });
    expect(rowWindow({ ...base, scrollTop: 500 * H, overscan: 10_000 })).toEqual({ start: 0, end: 1000, padTop: 0, padBottom: 0 });
    expect(rowWindow({ ...base, scrollTop: -50 })).toEqual(rowWindow(base));
    expect(rowWindow({ ...base, scrollTop: Number.NaN })).toEqual(rowWindow(base));
    expect(rowWindow({ ...base, overscan: -3 })).toEqual({ start: 0, end: 10, padTop: 0, padBottom: 990 * H });
    // A box with no height still draws the row at the offset (and its overscan).
    expect(rowWindow({ ...base, viewportHeight: 0, scrollTop: 20 * H, overscan: 0 })).toEqual({ start: 20, end: 21, padTop: 20 * H, padBottom: 979 * H });
    expect(rowWindow({ ...base, rowHeight: 0 })).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });

  it('always: spacers + drawn rows = the full length, every row in view is drawn, at most view + 2·overscan + 1 rows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 800 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 20 }),
        (count, scrollTop, viewportHeight, rowHeight, overscan) => {
          const w = rowWindow({ scrollTop, viewportHeight, rowHeight, count, overscan });
          expect(w.padTop + (w.end - w.start) * rowHeight + w.padBottom).toBe(count * rowHeight);
          expect(w.start).toBeGreaterThanOrEqual(0);
          expect(w.end).toBeLessThanOrEqual(count);
          expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(viewportHeight / rowHeight) + 1 + 2 * overscan);
          if (count === 0) return;
          expect(w.end).toBeGreaterThan(w.start);
          const top = Math.min(scrollTop, Math.max(0, count * rowHeight - viewportHeight));
          const firstInView = Math.floor(top / rowHeight);
          const lastInView = Math.min(count, Math.ceil((top + viewportHeight) / rowHeight)) - 1;
          expect(w.start).toBeLessThanOrEqual(Math.min(firstInView, count - 1));
          expect(w.end - 1).toBeGreaterThanOrEqual(lastInView);
        },
      ),
    );
  });
});
