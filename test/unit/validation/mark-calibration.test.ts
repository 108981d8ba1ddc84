/**
 * The mark model as a calibration dimension (PopulationParameters.markWick; engine candles.ts
 * MarkSpec), on the real crash files read in place from ../shared/data: every point is tried with
 * each mark model on the in-sample events only; the mark is applied, not a label (on the closes,
 * with impact off and nobody reacting, no event can liquidate more than on the candle path, and
 * some liquidate less); the fitted population and the assumptions say which mark ran.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG, readEventCandles, sharedDataDir } from '../../../electron/backend/services/validation-data';
import { shippedRules } from '../../../electron/backend/services/venue-tables';
import { calibrate, CALIBRATION_GRID, DEFAULT_PARAMETERS, estimateEvent, eventWindow, gridPoints, markOf, openInterestRatios, type EventCandles } from '../../../electron/backend/engine/validation';
import { ASSUMPTIONS, describePopulation } from '../../../shared/validation';

const dir = sharedDataDir();
const events: EventCandles[] = CATALOG.events.map((e) => eventWindow(readEventCandles(dir, e.file), e));
const kappa = openInterestRatios(events);

describe('mark model in the calibration', () => {
  it('the shipped grid tries the candle path and the 1m closes', () => {
    expect(CALIBRATION_GRID.markWick).toEqual([1, 0]);
    expect(gridPoints(CALIBRATION_GRID)).toBe(3 * 4 * 4 * 2 * 2);
  });

  it('every point is tried with each mark model, on the in-sample events only, and the fit names the winner', () => {
    const grid = { leverageScale: [1], meanAgeDays: [30], reactionMinutes: [null], inflow: [false], markWick: [1, 0] };
    let replays = 0;
    const c = calibrate(events, CATALOG.calibration.inSample, DEFAULT_PARAMETERS, kappa, shippedRules(), grid, () => void replays++);
    if (!c.ok) throw new Error(c.error.message);
    expect(c.value.grid.map((g) => g.markWick)).toEqual([1, 0]);
    expect(replays).toBe(3 * 2);
    const best = c.value.grid.reduce((a, b) => (b.rmsLogError < a.rmsLogError ? b : a));
    expect(c.value.parameters.markWick).toBe(best.markWick);
    // The two points differ: the mark changes the in-sample liquidations.
    expect(c.value.grid[0]!.leveragedShare).not.toBe(c.value.grid[1]!.leveragedShare);
  });

  it('is applied: on the closes no event liquidates more than on the candle path, some liquidate less; wick 1 is the default bit for bit', () => {
    const p = { ...DEFAULT_PARAMETERS, reactionMinutes: null, inflow: false };
    let fewer = 0;
    for (const e of events) {
      const path = estimateEvent(e, { ...p, markWick: 1 }, kappa, shippedRules());
      const dflt = estimateEvent(e, p, kappa, shippedRules());
      const close = estimateEvent(e, { ...p, markWick: 0 }, kappa, shippedRules());
      if (!path.ok || !dflt.ok || !close.ok) throw new Error('estimate failed');
      expect(path.value).toEqual(dflt.value);
      // Impact off, no reaction, no inflow: a position is liquidated once the mark's running extreme
      // crosses its price, and the closes' running extremes never go beyond the candles'.
      expect(close.value.estimated.total, e.event.id).toBeLessThanOrEqual(path.value.estimated.total * (1 + 1e-12));
      if (close.value.estimated.total < path.value.estimated.total * (1 - 1e-6)) fewer++;
    }
    expect(fewer).toBeGreaterThan(0);
  });

  it('the scenario mark of a wick share, and the words for it', () => {
    expect(markOf({})).toEqual({});
    expect(markOf({ markWick: 1 })).toEqual({});
    expect(markOf({ markWick: 0 })).toEqual({ mark: { source: 'close' } });
    expect(markOf({ markWick: 0.5 })).toEqual({ mark: { source: 'damped', wick: 0.5 } });
    expect(describePopulation(DEFAULT_PARAMETERS)).toContain('mark on the candle path');
    expect(describePopulation({ ...DEFAULT_PARAMETERS, markWick: 0 })).toContain('mark on the 1m closes');
    expect(describePopulation({ ...DEFAULT_PARAMETERS, markWick: 0.25 })).toContain('damped wick (0.25 of each wick)');
    const mark = ASSUMPTIONS.find((a) => a.topic === 'Mark price')!.text;
    expect(mark).toContain('candle path');
    expect(mark).toContain('1m close');
    expect(mark).toContain('median');
    expect(ASSUMPTIONS.find((a) => a.topic === 'Calibration')!.text).toContain('mark on the candle path or on the 1m closes');
  });
});
