/**
 * Sorting of the design matrix's rows. Pure, so the order the table shows can be tested without a
 * browser. Ties keep a stable order (event, then the mechanisms' listed order).
 */
import type { DesignMatrixInfo, MechanismOutcomeInfo } from '../../../../shared/validation';

export type MatrixColumn = 'event' | 'mechanism' | 'amplification' | 'liquidatedNotional' | 'badDebt' | 'insuranceFundDrawdown' | 'adlVolume' | 'halts';
export type SortDirection = 'ascending' | 'descending';

export interface MatrixRow extends MechanismOutcomeInfo {
  /** Position in the matrix as computed (the stable tie-break). */
  readonly index: number;
  readonly eventTitle: string;
  readonly mechanismLabel: string;
}

export const MATRIX_COLUMNS: readonly { id: MatrixColumn; label: string; numeric: boolean }[] = [
  { id: 'event', label: 'Event', numeric: false },
  { id: 'mechanism', label: 'Mechanism', numeric: false },
  { id: 'amplification', label: 'Amplification', numeric: true },
  { id: 'liquidatedNotional', label: 'Liquidated (est.)', numeric: true },
  { id: 'badDebt', label: 'Bad debt', numeric: true },
  { id: 'insuranceFundDrawdown', label: 'Fund drawdown', numeric: true },
  { id: 'adlVolume', label: 'ADL volume', numeric: true },
  { id: 'halts', label: 'Halts', numeric: true },
];

/** The matrix's cells as rows, with their event title and mechanism label. */
export function matrixRows(matrix: DesignMatrixInfo): MatrixRow[] {
  const titles = new Map(matrix.events.map((e) => [e.id, e.title]));
  const labels = new Map(matrix.mechanisms.map((m) => [m.id, m.label]));
  return matrix.cells.map((c, index) => ({ ...c, index, eventTitle: titles.get(c.eventId) ?? c.eventId, mechanismLabel: labels.get(c.mechanismId) ?? c.mechanismId }));
}

function key(row: MatrixRow, column: MatrixColumn): number | string {
  if (column === 'event') return row.eventId;
  if (column === 'mechanism') return row.mechanismLabel;
  const v = row[column];
  // Missing numbers (null on the wire) sort last either way.
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
}

/** Rows sorted by one column; NaN/missing last in both directions; stable. */
export function sortRows(rows: readonly MatrixRow[], column: MatrixColumn, direction: SortDirection): MatrixRow[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const ka = key(a, column);
    const kb = key(b, column);
    if (typeof ka === 'number' && typeof kb === 'number') {
      const na = Number.isNaN(ka);
      const nb = Number.isNaN(kb);
      if (na !== nb) return na ? 1 : -1;
      if (!na && ka !== kb) return sign * (ka - kb);
    } else if (ka !== kb) return sign * String(ka).localeCompare(String(kb));
    return a.index - b.index;
  });
}
