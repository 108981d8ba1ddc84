/**
 * The liquidation-map heat band at a replay interval: which stored bar's map each band column
 * shows. The map (runs.liquidationMap) is a state per replayed bar — the estimated positions
 * still open at the END of that bar — so an interval column shows the state at the last stored
 * bar of its interval that the cursor has reached:
 * - a completed interval: its last stored bar (the state when the interval closed, like a
 *   candle's close);
 * - the interval forming at the cursor: the cursor's own bar, never a later one.
 * At the stored interval every bar is its own column and this is the identity. Pure functions;
 * nothing returned for cursor N reads a bar after N (a property test checks).
 *
 * Why the last bar and not a sum or a maximum over the interval: amounts are positions still
 * open, not flows, so adding bars would count the same position once per minute; and the last
 * state is what a trader looking at the interval's close would see.
 */
import type { Buckets } from './interval';
import { cellsAt, type HeatCell, type HeatMap } from './heat-band';

/** Band columns of a run at one interval, computed once per (run, interval). */
export interface HeatColumns {
  /** Chart logical index of column 0 (the interval holding replayed bar 0). */
  readonly firstLogical: number;
  /** Column of each replayed bar (non-decreasing, steps of 0 or 1). */
  readonly columnOf: readonly number[];
  /** Last replayed bar of each column: what the column shows once its interval has completed. */
  readonly lastBar: readonly number[];
}

/**
 * Columns for `bars` replayed bars whose bar 0 is chart bar `firstBar`; `buckets` groups the
 * chart bars into intervals (null: the stored interval, one column per bar).
 */
export function heatColumns(buckets: Buckets | null, firstBar: number, bars: number): HeatColumns {
  const columnOf: number[] = new Array(bars);
  const lastBar: number[] = [];
  if (bars <= 0) return { firstLogical: buckets ? (buckets.of[firstBar] ?? 0) : firstBar, columnOf, lastBar };
  const firstBucket = buckets ? buckets.of[firstBar]! : 0;
  for (let k = 0; k < bars; k++) {
    const column = buckets ? buckets.of[firstBar + k]! - firstBucket : k;
    columnOf[k] = column;
    lastBar[column] = k;
  }
  return { firstLogical: buckets ? firstBucket : firstBar, columnOf, lastBar };
}

/**
 * The replayed bar each visible column shows at cursor `index` (−1: no column): the last bar of
 * every completed column, then `index` for the column forming at it. Every entry is ≤ index.
 */
export function columnBarsAt(columns: HeatColumns, index: number): number[] {
  if (index < 0 || index >= columns.columnOf.length) return [];
  const forming = columns.columnOf[index]!;
  const out = columns.lastBar.slice(0, forming);
  out.push(index);
  return out;
}

/** The cells of each visible column at cursor `index` (what the band shows, as data). */
export function columnCellsAt(map: HeatMap, columns: HeatColumns, index: number): HeatCell[][] {
  return columnBarsAt(columns, index).map((bar) => cellsAt(map, bar));
}
