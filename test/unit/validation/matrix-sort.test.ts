/**
 * The design matrix's sort (renderer/src/features/validation/sort.ts): each column both ways,
 * missing numbers last either way, ties in the matrix's own order. Hand-made cells; the numbers
 * are arbitrary labels, not model output.
 */
import { describe, expect, it } from 'vitest';
import { matrixRows, sortRows } from '../../../renderer/src/features/validation/sort';
import type { DesignMatrixInfo, MechanismOutcomeInfo } from '../../../shared/validation';

const cell = (eventId: string, mechanismId: string, amplification: number, halts: number, badDebt: number): MechanismOutcomeInfo => ({
  eventId, mechanismId, amplification, exogenousMove: -0.1, effectiveMove: -0.1 * amplification, liquidatedNotional: 1, liquidatedLong: 1, liquidatedShort: 0, badDebt, insuranceFundDrawdown: 0, adlVolume: 0, halts,
});

const xp = { method: 'baseline-fixed-point' as const, iterations: 1, residual: 0, tolerance: 1e-4, converged: true, damping: 1 };

const matrix: DesignMatrixInfo = {
  liquidity: 'calibrated',
  depthMultiplier: 1,
  depthCalibration: null,
  mechanisms: [
    { id: 'b', label: 'Baseline', insuranceFundUsd: 1, shortfall: 'adl' },
    { id: 'a', label: 'Auction', insuranceFundUsd: 1, shortfall: 'adl' },
  ],
  events: [
    { id: '2020-03-12', title: 'Black Thursday', openInterest: { usd: 1, imputed: false, note: '' }, depthUsd: 1, scale: 1, exogenousPath: xp },
    { id: '2021-05-19', title: 'May 2021', openInterest: { usd: 1, imputed: false, note: '' }, depthUsd: 1, scale: 1, exogenousPath: xp },
  ],
  cells: [cell('2021-05-19', 'b', 1.2, 0, 5), cell('2020-03-12', 'b', 1.5, 2, 0), cell('2020-03-12', 'a', 1.2, 1, Number.NaN), cell('2021-05-19', 'a', 1.1, 0, 7)],
  parameters: { leveragedShare: 0.4, leverageScale: 1, longShare: 0.5, positionsPerBucket: 1, meanAgeDays: 30, reactionMinutes: 30, inflow: false },
  engineVersion: 'test',
  runId: 1,
};
const rows = matrixRows(matrix);
const order = (r: ReturnType<typeof sortRows>) => r.map((x) => `${x.eventId}/${x.mechanismId}`);

describe('design matrix sort', () => {
  it('carries titles and labels onto the rows', () => {
    expect(rows[2]).toMatchObject({ eventTitle: 'Black Thursday', mechanismLabel: 'Auction', index: 2 });
  });
  it('sorts numbers both ways, ties in matrix order', () => {
    expect(order(sortRows(rows, 'amplification', 'descending'))).toEqual(['2020-03-12/b', '2021-05-19/b', '2020-03-12/a', '2021-05-19/a']);
    expect(order(sortRows(rows, 'amplification', 'ascending'))).toEqual(['2021-05-19/a', '2021-05-19/b', '2020-03-12/a', '2020-03-12/b']);
  });
  it('puts missing numbers last in both directions', () => {
    expect(order(sortRows(rows, 'badDebt', 'descending')).at(-1)).toBe('2020-03-12/a');
    expect(order(sortRows(rows, 'badDebt', 'ascending')).at(-1)).toBe('2020-03-12/a');
  });
  it('sorts text columns by event id and by mechanism label', () => {
    expect(order(sortRows(rows, 'event', 'ascending'))).toEqual(['2020-03-12/b', '2020-03-12/a', '2021-05-19/b', '2021-05-19/a']);
    expect(order(sortRows(rows, 'mechanism', 'descending'))).toEqual(['2021-05-19/b', '2020-03-12/b', '2020-03-12/a', '2021-05-19/a']);
  });
  it('does not change its input', () => {
    sortRows(rows, 'halts', 'descending');
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3]);
  });
});
