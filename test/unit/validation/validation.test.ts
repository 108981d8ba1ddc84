/**
 * The validation pipeline on the real crash files (read in place from ../shared/data, never
 * copied): its comparisons are computed from those files, and the report moves with the
 * population parameters. Not covered here: the worker/service plumbing (integration test).
 */
import { describe, expect, it } from 'vitest';
import { readSharedCsv } from '../../helpers/temp';
import { CATALOG, readEventCandles, sharedDataDir } from '../../../electron/backend/services/validation-data';
import { shippedRules } from '../../../electron/backend/services/venue-tables';
import { calibrate, DEFAULT_PARAMETERS, estimateEvent, eventWindow, gridPoints, inflowHoldingDays, openInterestRatios, timeProfile, validate, type EventCandles } from '../../../electron/backend/engine/validation';

const dir = sharedDataDir();
const events: EventCandles[] = CATALOG.events.map((e) => eventWindow(readEventCandles(dir, e.file), e));
const kappa = openInterestRatios(events);

describe('validation pipeline on the real crash windows', () => {
  it('covers the six crash windows, each from its own shared file', () => {
    expect(CATALOG.events.map((e) => e.id)).toEqual(['2020-03-12', '2021-05-19', '2022-05-10', '2022-11-08', '2024-08-05', '2025-10-10']);
    for (const e of events) {
      // An independent read of the same file: the window's first bar is the file's bar at lookbackFrom.
      const raw = readSharedCsv(e.event.file);
      const t0 = Date.parse(e.event.lookbackFrom) / 1000;
      const i = raw.time.indexOf(t0);
      expect(i, e.event.id).toBeGreaterThanOrEqual(0);
      expect(e.candles.open[0]).toBe(raw.open[i]);
      expect(e.candles.low[100]).toBe(raw.low[i + 100]);
    }
  });

  it('computes estimated totals, drawdowns and ratios from the replayed files', () => {
    const report = validate(events, CATALOG.calibration.inSample, shippedRules());
    expect(report.ok).toBe(true);
    if (!report.ok) return;
    for (const c of report.value.events) {
      const s = c.estimate.series;
      const sum = s.long.reduce((a, v) => a + v, 0) + s.short.reduce((a, v) => a + v, 0);
      expect(c.estimate.estimated.total).toBeCloseTo(sum, 0);
      expect(c.ratio).toBeCloseTo(c.estimate.estimated.total / c.observed.btcNotional, 12);
      // The drawdown is the file's own: lowest low in [from, to) vs the first bar's open, read independently.
      const raw = readSharedCsv(CATALOG.events.find((e) => e.id === c.id)!.file);
      const from = Date.parse(CATALOG.events.find((e) => e.id === c.id)!.from) / 1000;
      const to = Date.parse(CATALOG.events.find((e) => e.id === c.id)!.to) / 1000;
      let low = Infinity;
      let first = NaN;
      raw.time.forEach((t, k) => {
        if (t >= from && t < to) {
          if (Number.isNaN(first)) first = raw.open[k]!;
          low = Math.min(low, raw.low[k]!);
        }
      });
      expect(c.estimate.priceMove.drawdown).toBeCloseTo(low / first - 1, 12);
      expect(s.time[0]).toBe(from);
    }
    // Known prints (data/README.md): 3782.13 on 2020-03-13, exactly 30000 on 2021-05-19, 102000 on 2025-10-10.
    const lows = Object.fromEntries(report.value.events.map((c) => [c.id, c.estimate.priceMove.low]));
    expect(lows['2020-03-12']).toBe(3782.13);
    expect(lows['2021-05-19']).toBe(30000);
    expect(lows['2025-10-10']).toBe(102000);
    // Calibration is chronological: three in sample, three out.
    expect(report.value.events.filter((c) => c.sample === 'in').map((c) => c.id)).toEqual(['2020-03-12', '2021-05-19', '2022-05-10']);
  });

  it('changes the report when the population parameters change', () => {
    const e = events.find((x) => x.event.id === '2025-10-10')!;
    const base = estimateEvent(e, DEFAULT_PARAMETERS, kappa, shippedRules());
    const doubled = estimateEvent(e, { ...DEFAULT_PARAMETERS, leveragedShare: DEFAULT_PARAMETERS.leveragedShare * 2 }, kappa, shippedRules());
    const riskier = estimateEvent(e, { ...DEFAULT_PARAMETERS, leverageScale: 2 }, kappa, shippedRules());
    if (!base.ok || !doubled.ok || !riskier.ok) throw new Error('estimate failed');
    // Impact is off in validation, so liquidations are linear in the leveraged share.
    expect(doubled.value.estimated.total).toBeCloseTo(2 * base.value.estimated.total, 0);
    // Higher leverage: liquidation prices nearer the entries, so a 16% fall liquidates more.
    expect(riskier.value.estimated.total).toBeGreaterThan(base.value.estimated.total);
    const r1 = validate(events, CATALOG.calibration.inSample, shippedRules(), { fixed: DEFAULT_PARAMETERS });
    const r2 = validate(events, CATALOG.calibration.inSample, shippedRules(), { fixed: { ...DEFAULT_PARAMETERS, leverageScale: 0.5 } });
    if (!r1.ok || !r2.ok) throw new Error('validate failed');
    expect(r1.value.events.map((c) => c.ratio)).not.toEqual(r2.value.events.map((c) => c.ratio));
  });

  it('has in-window inflow as a calibration dimension: every point tried with and without it, on the in-sample events only', () => {
    const grid = { leverageScale: [1], meanAgeDays: [null, 30], reactionMinutes: [null], inflow: [false, true] };
    let replays = 0;
    const c = calibrate(events, CATALOG.calibration.inSample, DEFAULT_PARAMETERS, kappa, shippedRules(), grid, () => void replays++);
    if (!c.ok) throw new Error(c.error.message);
    expect(c.value.grid.length).toBe(gridPoints(grid));
    expect(c.value.grid.map((g) => `${g.meanAgeDays}/${g.inflow}`)).toEqual(['null/false', 'null/true', '30/false', '30/true']);
    // Three in-sample events per point; out-of-sample events are never replayed.
    expect(replays).toBe(3 * gridPoints(grid));
    const best = c.value.grid.reduce((a, b) => (b.rmsLogError < a.rmsLogError ? b : a));
    expect(c.value.parameters.inflow).toBe(best.inflow);
    // Inflow is applied, not a label: on a crash with a rebound (2022-05-10: a fall, then a bounce)
    // positions opened during the fall add short liquidations and lower the long share.
    const e = events.find((x) => x.event.id === '2022-05-10')!;
    const off = estimateEvent(e, { ...DEFAULT_PARAMETERS, reactionMinutes: null }, kappa, shippedRules());
    const on = estimateEvent(e, { ...DEFAULT_PARAMETERS, reactionMinutes: null, inflow: true }, kappa, shippedRules());
    if (!off.ok || !on.ok) throw new Error('estimate failed');
    expect(on.value.estimated.short).toBeGreaterThan(off.value.estimated.short);
    expect(on.value.estimated.longShare!).toBeLessThan(off.value.estimated.longShare!);
    // The turnover's holding time is the population's own: its mean age, or the look-back's length.
    expect(inflowHoldingDays({ meanAgeDays: 30 }, 1440, 60)).toBe(30);
    expect(inflowHoldingDays({ meanAgeDays: null }, 1440, 60)).toBe(1);
  });

  it('time profile: the 40-minute share and the peak bar of a known series', () => {
    // 100 one-minute bars, 60 of the total in bars 10..49 (one 40-bar stretch), peak 30 at bar 20.
    const time = Array.from({ length: 100 }, (_, i) => i * 60);
    const bars = time.map((_, i) => (i === 20 ? 30 : i >= 10 && i < 50 ? 30 / 39 : i === 80 ? 40 : 0));
    const p = timeProfile(time, bars, 60);
    expect(p.shareWithin40Minutes).toBeCloseTo(60 / 100, 12);
    expect(p.peakMinute).toBe(80 * 60);
    expect(p.best40From).toBe(10 * 60);
  });
});
