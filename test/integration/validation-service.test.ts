/**
 * The validation and design-lab services through the in-process API (JSON in and out, as over a
 * wire) with the engine in worker threads, on the six real crash windows read in place: progress
 * pushes for the caller's job, cancel (nothing stored), concurrent calls sharing one computation,
 * stored results returned again unchanged, the design matrix's shape and its amplification
 * re-derived from each cell's moves, a cell opened as a replay run that agrees with its matrix
 * cell and is stored once, and errors by field; a cell's run carries its own candles (the event
 * file's bars, observed and de-impacted, cut like its series) and reopens without the shared data
 * folder, and a cell stored before that still opens. Not covered: the model's numbers (unit tests)
 * and the screens (e2e). No wall-clock assertions.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { createInProcessApi } from '../../electron/backend/services/in-process';
import type { Api, PushEvent } from '../../shared/contract';
import { ApiError } from '../../shared/errors';
import { runCandles, type RunSeries } from '../../shared/runs';
import catalog from '../../resources/validation/events.json' with { type: 'json' };
import { readSharedCsv, tempDir } from '../helpers/temp';

const dir = tempDir();
const backends: Backend[] = [];
afterAll(() => backends.forEach((b) => b.close()));

function fresh(name: string): Api & { pushes: PushEvent[] } {
  const backend = new Backend({ dbPath: path.join(dir, `${name}.db`), now: () => 1_700_000_000 });
  backends.push(backend);
  const api = createInProcessApi(backend, { trusted: false });
  const pushes: PushEvent[] = [];
  api.subscribe((e) => pushes.push(e));
  return Object.assign(api, { pushes });
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('validation.run', () => {
  it('cancel stops the worker: the call rejects as cancelled and nothing is stored', async () => {
    const api = fresh('cancel');
    api.subscribe((e) => {
      if (e.type === 'progress' && e.job === 'v-cancel' && e.done === 1) void api.call('validation.cancel', { job: 'v-cancel' });
    });
    const err = await rejection(api.call('validation.run', { job: 'v-cancel' }));
    expect(err.code).toBe('cancelled');
    // Nothing stored: a fresh database's first run would be #1 (runs.list leaves validation runs out).
    expect((await rejection(api.call('runs.get', { id: 1 }))).code).toBe('not_found');
    // A job that is not running is not cancelled.
    expect(await api.call('validation.cancel', { job: 'v-cancel' })).toEqual({ cancelled: false });
    // The next call computes afresh (progress for its job) and stores run #1.
    const report = await api.call('validation.run', { job: 'v-after' });
    expect(api.pushes.some((e) => e.type === 'progress' && e.job === 'v-after')).toBe(true);
    expect(report.runId).toBe(1);
  });

  it('reports progress for the caller’s job, stores the report once, and returns it again unchanged', async () => {
    const api = fresh('run');
    const [a, b] = await Promise.all([api.call('validation.run', { job: 'v-1' }), api.call('validation.run', {})]);
    // Concurrent callers share one computation and one stored run.
    expect(b).toEqual(a);
    expect((await api.call('runs.get', { id: a.runId })).run.kind).toBe('validation');
    expect((await rejection(api.call('runs.get', { id: a.runId + 1 }))).code).toBe('not_found');
    const progress = api.pushes.filter((e): e is Extract<PushEvent, { type: 'progress' }> => e.type === 'progress' && e.job === 'v-1');
    expect(progress.length).toBeGreaterThan(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
    // Six events, three calibrated and three out of sample, as the catalog says; the score counts them.
    expect(a.events.map((e) => e.sample).sort()).toEqual(['in', 'in', 'in', 'out', 'out', 'out']);
    expect(a.score.within2x).toBe(a.events.filter((e) => e.within2x).length);
    expect(a.score.within2xOutOfSample).toBe(a.events.filter((e) => e.within2x && e.sample === 'out').length);
    for (const e of a.events) {
      expect(e.ratio).toBeCloseTo(e.estimate.estimated.total / e.observed.btcNotional, 12);
      expect(e.within2x).toBe(e.ratio >= 0.5 && e.ratio <= 2);
      expect(e.estimate.series.time.length).toBe(e.estimate.series.long.length);
    }
    // Asked again: the stored report, the same bits, no new run.
    const before = api.pushes.length;
    expect(await api.call('validation.run', { job: 'v-2' })).toEqual(a);
    expect(api.pushes.slice(before).filter((e) => e.type === 'progress' && e.job === 'v-2')).toEqual([]);
    expect((await rejection(api.call('runs.get', { id: a.runId + 1 }))).code).toBe('not_found');
  });

  it('recalibrates on the reverse split and leaving each event out, in a worker, and stores it once', async () => {
    const api = fresh('robustness');
    const r = await api.call('validation.robustness', { job: 'rb-1' });
    const ids = catalog.events.map((e) => e.id);
    // Reverse: fitted on the three the catalog keeps out of sample.
    expect(r.reverse.inSample).toEqual(ids.filter((id) => !catalog.calibration.inSample.includes(id)));
    expect(r.reverse.ratios.filter((x) => x.sample === 'out').map((x) => x.id)).toEqual(catalog.calibration.inSample);
    // Leave-one-out: six fits, each on five, each predicting the sixth; the score counts those within 2×.
    expect(r.leaveOneOut).toHaveLength(6);
    const held = r.leaveOneOut.map((s) => {
      expect(s.inSample).toHaveLength(5);
      const out = s.ratios.filter((x) => x.sample === 'out');
      expect(out).toHaveLength(1);
      expect(s.inSample).not.toContain(out[0]!.id);
      expect(out[0]!.within2x).toBe(out[0]!.ratio >= 0.5 && out[0]!.ratio <= 2);
      return out[0]!;
    });
    expect(held.map((h) => h.id)).toEqual(ids);
    expect(r.leaveOneOutWithin2x).toBe(held.filter((h) => h.within2x).length);
    // The reverse split is a real recalibration: it finds other parameters than the chronological fit.
    const chronological = await api.call('validation.run', {});
    expect(r.reverse.parameters).not.toEqual(chronological.parameters);
    expect(api.pushes.some((e) => e.type === 'progress' && e.job === 'rb-1' && e.done === e.total)).toBe(true);
    expect(await api.call('validation.robustness', {})).toEqual(r);
  }, 90_000); // the grid has the mark dimension (192 points): every split recalibrates it

  it('lists the assumptions, the circuit-breaker finding among them', async () => {
    const api = fresh('assumptions');
    const list = await api.call('validation.assumptions', {});
    expect(list.find((a) => a.topic === 'Circuit breakers (finding)')?.text).toContain('nothing is liquidated while halted');
  });
});

describe('design.run and design.openCell', () => {
  const api = fresh('design');

  it('runs every mechanism on every event in a worker, amplification from each cell’s own moves', async () => {
    const m = await api.call('design.run', { job: 'd-1' });
    expect(m.cells).toHaveLength(m.mechanisms.length * m.events.length);
    expect(m.events).toHaveLength(6);
    for (const c of m.cells) {
      expect(c.amplification).toBeCloseTo(Math.abs(c.effectiveMove) / Math.abs(c.exogenousMove), 12);
      expect(c.liquidatedNotional).toBeCloseTo(c.liquidatedLong + c.liquidatedShort, 3);
    }
    expect(api.pushes.some((e) => e.type === 'progress' && e.job === 'd-1' && e.done === e.total)).toBe(true);
    // The design lab needs the validation's fitted parameters, so both are stored (runs.list leaves them out).
    expect((await api.call('runs.get', { id: m.runId })).run.kind).toBe('design');
    expect(await api.call('runs.list', {})).toEqual([]);
    expect(await api.call('design.run', {})).toEqual(m);
  });

  it('opens a cell as a stored replay run that agrees with its matrix cell, once', async () => {
    const m = await api.call('design.run', {});
    const cell = m.cells.find((c) => c.eventId === '2022-11-08' && c.mechanismId === 'breaker-5-5-15')!;
    const run = await api.call('design.openCell', { eventId: cell.eventId, mechanismId: cell.mechanismId, job: 'c-1' });
    expect(run.kind).toBe('replay');
    expect(run.name).toContain('Design: 2022-11-08 × Halt at −5% over 5 min for 15 min');
    const detail = await api.call('runs.get', { id: run.id });
    expect((detail.run.summary as unknown as { designOutcome: unknown }).designOutcome).toEqual(cell);
    const again = await api.call('design.openCell', { eventId: cell.eventId, mechanismId: cell.mechanismId });
    expect(again.id).toBe(run.id);
    expect((await api.call('runs.list', {})).filter((r) => r.kind === 'replay')).toHaveLength(1);
  });

  it('calibrates the depth multiplier on the in-sample events, or uses the resting depth when asked', async () => {
    const m = await api.call('design.run', {});
    expect(m.liquidity).toBe('calibrated');
    const c = m.depthCalibration!;
    expect(c.inSample).toEqual(['2020-03-12', '2021-05-19', '2022-05-10']);
    expect(m.depthMultiplier).toBe(c.multiplier);
    // The chosen multiplier is the first tried at which every in-sample path de-impacted, and those
    // paths are the ones the matrix reports as converged.
    if (c.met) {
      expect(c.grid.at(-1)!.converged.length).toBe(3);
      for (const g of c.grid.slice(0, -1)) expect(g.converged.length).toBeLessThan(3);
      for (const id of c.inSample) expect(m.events.find((e) => e.id === id)!.exogenousPath.converged).toBe(true);
    }
    const resting = await api.call('design.run', { liquidity: 'resting' });
    expect(resting.liquidity).toBe('resting');
    expect(resting.depthMultiplier).toBe(1);
    expect(resting.depthCalibration).toBeNull();
    expect(resting.runId).not.toBe(m.runId);
    // Same events, depth × the multiplier: the calibrated matrix's depth is the resting one times k.
    for (const e of m.events) expect(e.depthUsd).toBeCloseTo(m.depthMultiplier * resting.events.find((r) => r.id === e.id)!.depthUsd, 3);
    // A cell opened under each liquidity is its own run, agreeing with its own matrix.
    const cell = resting.cells.find((x) => x.eventId === '2024-08-05' && x.mechanismId === 'baseline')!;
    const run = await api.call('design.openCell', { eventId: '2024-08-05', mechanismId: 'baseline', liquidity: 'resting' });
    expect(((await api.call('runs.get', { id: run.id })).run.summary as unknown as { designOutcome: unknown }).designOutcome).toEqual(cell);
    expect(run.name).toContain('depth ×1');
  });

  it('names the field of a bad cell', async () => {
    const unknown = await rejection(api.call('design.openCell', { eventId: '2022-11-08', mechanismId: 'no-such-thing' }));
    expect(unknown.code).toBe('not_found');
    expect(unknown.where.field).toBe('mechanismId');
    const noEvent = await rejection(api.call('design.openCell', { eventId: '1999-01-01', mechanismId: 'baseline' }));
    expect(noEvent.where.field).toBe('eventId');
    const malformed = await rejection(api.call('design.openCell', { eventId: 'yesterday', mechanismId: 'baseline' }));
    expect(malformed.code).toBe('bad_request');
  });
});

describe('a design cell opened as a full replay (its own candles)', () => {
  const backend = new Backend({ dbPath: path.join(dir, 'cell-candles.db'), now: () => 1_700_000_000 });
  backends.push(backend);
  const api = createInProcessApi(backend, { trusted: false });
  const event = catalog.events.find((e) => e.id === '2024-08-05')!;
  const from = Date.parse(event.from) / 1000;
  const to = Date.parse(event.to) / 1000;
  /** The event window's bars, from the CSV in ../shared/data (parsed here, not by the app). */
  const csv = readSharedCsv(event.file);
  const window = csv.time.map((t, i) => i).filter((i) => csv.time[i]! >= from && csv.time[i]! < to);
  let runId = 0;
  let key = '';

  it('stores the event file\'s bars of [from, to) as the run\'s candles, cut like its series and events', async () => {
    const run = await api.call('design.openCell', { eventId: event.id, mechanismId: 'baseline' });
    runId = run.id;
    key = (run.params as unknown as { key: string }).key;
    expect(run.datasetId).toBeNull();
    const detail = await api.call('runs.get', { id: run.id });
    const s = detail.series;
    const candles = runCandles(detail)!;
    expect(candles).not.toBeNull();
    expect(window.length).toBe(1440);
    // Every column, candles included, has one value per replayed bar; the bars are the window's.
    for (const [name, column] of Object.entries(s)) expect(column, name).toHaveLength(window.length);
    expect(run.summary.bars).toBe(window.length);
    expect(s.time).toEqual(window.map((i) => csv.time[i]));
    // The observed candles are the file's, exactly.
    const observed = candles.observed!;
    expect(observed.open).toEqual(window.map((i) => csv.open[i]));
    expect(observed.high).toEqual(window.map((i) => csv.high[i]));
    expect(observed.low).toEqual(window.map((i) => csv.low[i]));
    expect(observed.close).toEqual(window.map((i) => csv.close[i]));
    expect(candles.exogenous.volume).toEqual(window.map((i) => csv.volume[i]));
    // The replayed (de-impacted) candles: each the observed candle scaled by one factor per bar, its close the series' exogenous close.
    const x = candles.exogenous;
    expect(x.close).toBe(s.exogenousClose);
    let moved = 0;
    for (let k = 0; k < window.length; k++) {
      const f = x.close[k]! / observed.close[k]!;
      for (const c of ['open', 'high', 'low'] as const) expect(x[c][k]! / observed[c][k]!).toBeCloseTo(f, 12);
      if (Math.abs(f - 1) > 1e-6) moved++;
    }
    expect(moved).toBeGreaterThan(0);
    // Baseline: replaying the de-impacted path brings the effective closes back onto the observed ones (within the stored residual).
    const path = (run.params.scenario as { designCell: { exogenousPath: { residual: number; converged: boolean; iterations: number } } }).designCell.exogenousPath;
    expect(path.iterations).toBeGreaterThan(0);
    for (let k = 0; k < window.length; k++) expect(Math.abs(Math.log(s.effectiveClose[k]! / observed.close[k]!))).toBeLessThanOrEqual(path.residual + 1e-12);
    expect(run.summary.ownCandles?.exogenous).toContain(path.converged ? 'converged' : 'NOT converged');
    expect(run.summary.ownCandles?.source).toBe(event.file);
    // Events fall on replayed bars.
    const times = new Set(s.time);
    expect(detail.events.length).toBeGreaterThan(0);
    for (const e of detail.events) expect(times.has(e.time), `event at ${e.time}`).toBe(true);
  });

  it('draws the estimated liquidation map from the event file; without the shared data folder the run still opens, the map says why not', async () => {
    const map = await api.call('runs.liquidationMap', { id: runId, bins: 40 });
    expect(map.reason).toBeNull();
    expect(map.map!.long).toHaveLength(1440 * 40);
    expect(map.map!.positions).toBeGreaterThan(0);
    const saved = process.env.UNDERTOW_SHARED_DATA;
    process.env.UNDERTOW_SHARED_DATA = path.join(dir, 'no-shared-data-here');
    try {
      const detail = await api.call('runs.get', { id: runId });
      expect(runCandles(detail)!.observed!.close).toEqual(window.map((i) => csv.close[i]));
      const without = await api.call('runs.liquidationMap', { id: runId });
      expect(without.map).toBeNull();
      expect(without.reason).toContain('not in the shared data folder');
      expect(without.bars).toBe(1440);
    } finally {
      if (saved === undefined) delete process.env.UNDERTOW_SHARED_DATA;
      else process.env.UNDERTOW_SHARED_DATA = saved;
    }
  });

  it('a cell stored before cells kept candles still opens (no candles, map says why) and is replayed afresh when asked again', async () => {
    const fresh = await api.call('runs.get', { id: runId });
    const stepsOnly = Object.fromEntries(Object.entries(fresh.series).filter(([name]) => !/^(exogenous(Open|High|Low)|volume|observed.*)$/.test(name))) as RunSeries;
    const { ownCandles: _own, ...oldSummary } = fresh.run.summary;
    const { designCell } = fresh.run.params.scenario as { designCell: Record<string, unknown> };
    const oldParams = { ...fresh.run.params, key, scenario: { designCell: { eventId: designCell.eventId, mechanism: designCell.mechanism, parameters: designCell.parameters, file: designCell.file } } };
    const other = new Backend({ dbPath: path.join(dir, 'old-cell.db'), now: () => 1_700_000_000 });
    backends.push(other);
    const oldId = other.runs.insert({ kind: 'replay', name: fresh.run.name, datasetId: null, portfolioId: null, params: oldParams, engineVersion: fresh.run.engineVersion, seed: fresh.run.seed, summary: oldSummary, series: stepsOnly, events: fresh.events }, 1_600_000_000);
    const otherApi = createInProcessApi(other, { trusted: false });
    const old = await otherApi.call('runs.get', { id: oldId });
    expect(runCandles(old)).toBeNull();
    expect(old.series.time).toHaveLength(1440);
    const oldMap = await otherApi.call('runs.liquidationMap', { id: oldId });
    expect(oldMap.map).toBeNull();
    expect(oldMap.reason).toContain('stored before runs kept their candles');
    const again = await otherApi.call('design.openCell', { eventId: event.id, mechanismId: 'baseline' });
    expect(again.id).not.toBe(oldId);
    expect(runCandles(await otherApi.call('runs.get', { id: again.id }))!.exogenous.close).toEqual(fresh.series.exogenousClose);
    expect((await otherApi.call('runs.get', { id: oldId })).run.id).toBe(oldId);
  });
});
