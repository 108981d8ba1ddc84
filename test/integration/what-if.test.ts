/**
 * The what-if lab through the API (in-process, real workers from source) on the real 2020-03
 * BTC window: a shock takes its market population from the dataset's bars before it (not from
 * its own zero-volume candles), survivors follow Binance's isolated formula, grids and Monte
 * Carlo give identical numbers with one or two workers, cancel stores nothing, metrics carry σ,
 * and bad payloads name their field. Not covered here: the UI (test/e2e/portfolio-what-if).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { createInProcessApi } from '../../electron/backend/services/in-process';
import { ApiError } from '../../shared/errors';
import type { PortfolioSpec } from '../../shared/portfolio';
import type { MonteCarloWhatIf, ShockWhatIf, SweepWhatIf } from '../../shared/what-if';
import { SHARED_DATA, tempDir } from '../helpers/temp';

const dir = tempDir();
const FILE = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';
const backend = new Backend({ dbPath: path.join(dir, 'what-if.db'), now: () => 1_584_000_000 });
const api = createInProcessApi(backend, { trusted: false });

/** Binance USDⓈ-M isolated liquidation price, tier 1 (MMR 0.4%, cum 0; DESIGN.md §3.1). */
const isolatedLp = (side: 1 | -1, qty: number, entry: number, margin: number, mmr = 0.004, cum = 0): number => (margin + cum - side * qty * entry) / (qty * mmr - side * qty);

const book: PortfolioSpec = {
  name: 'desk',
  accounts: [
    {
      id: 'iso',
      venue: 'binance-usdm',
      mode: 'isolated',
      wallet: 0,
      positions: [
        { id: 'l5', symbol: 'BTCUSDT', side: 'long', qty: 0.5, entry: 8000, leverage: 5 },
        { id: 'l10', symbol: 'BTCUSDT', side: 'long', qty: 0.5, entry: 8000, leverage: 10 },
        { id: 'l20', symbol: 'BTCUSDT', side: 'long', qty: 0.5, entry: 8000, leverage: 20 },
        { id: 's10', symbol: 'BTCUSDT', side: 'short', qty: 0.5, entry: 8000, leverage: 10 },
      ],
    },
  ],
};

async function expectApiError(p: Promise<unknown>, code: string, field?: string): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(code);
  if (field) expect((err as ApiError).where.field).toBe(field);
  return err as ApiError;
}

describe('what-if lab through the API', async () => {
  const imported = await api.call('datasets.importText', { fileName: path.basename(FILE), text: fs.readFileSync(path.join(SHARED_DATA, FILE), 'utf8') });
  const datasetId = imported.dataset.id;
  const saved = await api.call('portfolios.save', { portfolio: book });
  const at = 1_583_971_200; // 2020-03-12 00:00 UTC: the 2020 Binance tables apply
  const noImpact = { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' as const } };

  it('a shock takes its population from the dataset window before it, rescaled to the start price', async () => {
    const run = await api.call('whatif.shock', {
      portfolioId: saved.id,
      scenario: noImpact,
      shocks: [{ move: -0.1, overSeconds: 600, shape: 'linear', startPrice: 8000 }],
      datasetId,
      to: at,
      population: { lookbackBars: 720 },
      at,
      seed: 3,
    });
    const population = run.summary.whatIf!.kind === 'shock' ? (run.summary.whatIf as ShockWhatIf).assets[0]!.population as { positions: number; source: string; priceScale: number } : null;
    expect(population!.source).toBe('dataset');
    expect(population!.positions).toBeGreaterThan(1000);
    expect(run.summary.staticPositions).toBe(population!.positions);
    // The shock itself is intact: 10 minute bars of the move plus the default 10 hold bars.
    expect(run.summary.bars).toBe(20);
  });

  it('the waterfall has a row per bar and round: its notional is the liquidated notional, its rounds come in order, and the stored events carry them', async () => {
    const run = await api.call('whatif.shock', {
      portfolioId: saved.id,
      scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear' as const, depth1Pct: 3e5 } },
      shocks: [{ move: -0.1, overSeconds: 600, shape: 'linear', startPrice: 8000 }],
      population: { lookbackBars: 1, openInterest: 2e8, longShare: 0.7 },
      at,
      seed: 5,
    });
    const asset = (run.summary.whatIf as ShockWhatIf).assets[0]!;
    expect(asset.waterfall.length).toBeGreaterThan(1);
    const total = asset.waterfall.reduce((s, row) => s + Object.values(row.notionalByBucket).reduce((a, b) => a + b, 0), 0);
    expect(Math.abs(total - asset.liquidatedNotional)).toBeLessThanOrEqual(1e-9 * asset.liquidatedNotional);
    asset.waterfall.forEach((row, i) => {
      expect(row.round).not.toBeNull();
      expect(row.round!).toBeLessThan(row.rounds);
      const prev = asset.waterfall[i - 1];
      if (prev && prev.time === row.time) expect(row.round!).toBeGreaterThan(prev.round!);
      else if (prev) expect(row.time).toBeGreaterThan(prev.time);
    });
    const stored = await api.call('runs.get', { id: run.id });
    const liquidations = stored.events.filter((e) => e.kind === 'liquidation' || e.kind === 'partial_liquidation');
    expect(liquidations.length).toBeGreaterThan(0);
    expect(liquidations.every((e) => Number.isInteger(e.round))).toBe(true);
    expect(new Set(liquidations.map((e) => `${e.round}`)).size).toBeGreaterThan(1);
  });

  it('survivors of an impact-free shock are exactly the positions whose isolated liquidation price the move does not reach', async () => {
    const move = -0.08;
    const run = await api.call('whatif.shock', { portfolioId: saved.id, scenario: noImpact, shocks: [{ move, overSeconds: 300, shape: 'instant', startPrice: 8000 }], at, seed: 1 });
    const w = run.summary.whatIf as ShockWhatIf;
    const low = 8000 * (1 + move);
    for (const p of book.accounts[0]!.positions) {
      const side = p.side === 'long' ? 1 : -1;
      const lp = isolatedLp(side, p.qty, p.entry, (p.qty * p.entry) / p.leverage!);
      const expectedDead = side > 0 ? low <= lp : false;
      expect(w.assets[0]!.positions.find((x) => x.id === p.id)!.liquidated, p.id).toBe(expectedDead);
    }
    expect(w.assets[0]!.amplification).toBe(1);
    const stored = await api.call('runs.get', { id: run.id });
    expect(stored.run.kind).toBe('shock');
    expect((stored.run.summary.whatIf as ShockWhatIf).totalLoss).toBeCloseTo(w.totalLoss, 9);
  });

  it('a sweep gives the same cells with one worker and with two', async () => {
    const params = {
      portfolioId: saved.id,
      scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear' as const, depth1Pct: 2e6 } },
      leverages: [3, 10, 25],
      moves: [-0.02, -0.06, -0.12],
      depthScales: [0.5, 1],
      overSeconds: 600,
      shape: 'exponential' as const,
      datasetId,
      to: at,
      population: { lookbackBars: 360 },
      at,
      seed: 9,
    };
    const one = await api.call('whatif.sweep', { ...params, workers: 1 });
    const two = await api.call('whatif.sweep', { ...params, workers: 2 });
    const a = one.summary.whatIf as SweepWhatIf;
    const b = two.summary.whatIf as SweepWhatIf;
    expect(a.cells).toHaveLength(18);
    expect(b.workers).toBe(2);
    expect(b.cells).toEqual(a.cells);
    // Higher leverage never survives more under the same shock.
    for (const move of params.moves) {
      const row = a.cells.filter((c) => c.move === move && c.depthScale === 1).sort((x, y) => x.leverage - y.leverage);
      for (let i = 1; i < row.length; i++) expect(row[i]!.survivors).toBeLessThanOrEqual(row[i - 1]!.survivors);
    }
  });

  it('a Monte Carlo is reproducible from its seed and identical with one or two workers', async () => {
    const params = { portfolioId: saved.id, scenario: { venue: 'binance-usdm', impact: { model: 'linear' as const, depth1Pct: 5e6 } }, datasetId, to: at, paths: 40, steps: 120, seed: 42, population: { lookbackBars: 240 } };
    const one = await api.call('whatif.montecarlo', { ...params, workers: 1 });
    const two = await api.call('whatif.montecarlo', { ...params, workers: 2 });
    const s1 = await api.call('runs.get', { id: one.id });
    const s2 = await api.call('runs.get', { id: two.id });
    const loss = (d: typeof s1): number[] => (d.series as unknown as Record<string, number[]>)['loss']!;
    expect(loss(s2)).toEqual(loss(s1));
    expect(loss(s1)).toHaveLength(40);
    const a = one.summary.whatIf as MonteCarloWhatIf;
    const b = two.summary.whatIf as MonteCarloWhatIf;
    expect({ ...b, workers: 0 }).toEqual({ ...a, workers: 0 });
    expect(a.var99).toBeGreaterThanOrEqual(a.var95);
    expect(a.es95).toBeGreaterThanOrEqual(a.var95);
    expect(a.liquidationProbability.map((p) => p.id)).toEqual(['l5', 'l10', 'l20', 's10']);
  });

  it('cancelling a Monte Carlo stops its workers and stores nothing', async () => {
    const before = (await api.call('runs.list', {})).length;
    const progress: number[] = [];
    const totals = new Set<number>();
    const unsubscribe = backend.subscribe((e) => {
      if (e.type === 'progress' && e.job === 'mc-cancel') {
        progress.push(e.done);
        totals.add(e.total);
      }
    });
    const running = api.call('whatif.montecarlo', { portfolioId: saved.id, scenario: noImpact, datasetId, paths: 100_000, steps: 1440, seed: 1, workers: 2, job: 'mc-cancel' });
    while (progress.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(await api.call('jobs.cancel', { job: 'mc-cancel' })).toEqual({ cancelled: true });
    await expectApiError(running, 'cancelled');
    unsubscribe();
    // Progress counts paths over both workers against the whole run.
    expect([...totals]).toEqual([100_000]);
    expect((await api.call('runs.list', {})).length).toBe(before);
  });

  it('cancelling a sweep stops it and stores nothing', async () => {
    const before = (await api.call('runs.list', {})).length;
    let seen = false;
    const unsubscribe = backend.subscribe((e) => {
      if (e.type === 'progress' && e.job === 'sweep-cancel') seen = true;
    });
    const running = api.call('whatif.sweep', {
      portfolioId: saved.id,
      scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear', depth1Pct: 2e6 } },
      leverages: Array.from({ length: 40 }, (_, i) => 2 + i),
      moves: Array.from({ length: 40 }, (_, i) => -0.005 * (i + 1)),
      depthScales: [0.5, 1, 2],
      overSeconds: 600,
      shape: 'linear',
      datasetId,
      to: at,
      workers: 2,
      job: 'sweep-cancel',
    });
    while (!seen) await new Promise((r) => setTimeout(r, 20));
    expect(await api.call('jobs.cancel', { job: 'sweep-cancel' })).toEqual({ cancelled: true });
    await expectApiError(running, 'cancelled');
    unsubscribe();
    expect((await api.call('runs.list', {})).length).toBe(before);
    // An unknown job is not ours and not the replay service's either.
    expect(await api.call('jobs.cancel', { job: 'no-such-job' })).toEqual({ cancelled: false });
  });

  it('a short closed by auto-deleveraging keeps its margin: its loss is the ADL PnL, not its stake', async () => {
    const book2: PortfolioSpec = { name: 'adl', accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [
      { id: 'L', symbol: 'BTCUSDT', side: 'long', qty: 1, entry: 8000, leverage: 100 },
      { id: 'S', symbol: 'BTCUSDT', side: 'short', qty: 1, entry: 8000, leverage: 100 },
    ] }] };
    const run = await api.call('whatif.shock', {
      portfolio: book2,
      scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear', depth1Pct: 1e6 } },
      shocks: [{ move: -0.15, overSeconds: 600, shape: 'linear', startPrice: 8000 }],
      datasetId,
      population: { lookbackBars: 1440 },
      seed: 1,
    });
    const detail = await api.call('runs.get', { id: run.id });
    const s = (run.summary.whatIf as ShockWhatIf).assets[0]!.positions.find((p) => p.id === 'S')!;
    const adl = detail.events.filter((e) => e.kind === 'adl' && e.ref === 'S');
    expect(adl.length).toBeGreaterThan(0);
    expect(s.loss).toBeCloseTo(-adl.reduce((t, e) => t + e.pnl, 0), 9);
    expect(s.loss).toBeLessThan(s.stake);
  });

  it('metrics carry unrealised PnL, margin and the distance to liquidation in daily σ', async () => {
    const m = await api.call('whatif.metrics', { portfolioId: saved.id, marks: { BTCUSDT: 7600 }, datasetId, at });
    const l10 = m.rows.find((r) => r.positionId === 'l10')!;
    expect(l10.unrealisedPnl).toBeCloseTo(0.5 * (7600 - 8000), 9);
    expect(l10.margin).toBeCloseTo(400, 9);
    expect(l10.liquidationPrice).toBeCloseTo(isolatedLp(1, 0.5, 8000, 400), 6);
    const sigma = m.dailyVolatility!.value;
    expect(sigma).toBeGreaterThan(0);
    // σ-distance = ln(mark / liquidation price) / σ_daily for a long (independent of the service's d).
    expect(l10.distanceSigma).toBeCloseTo(Math.log(7600 / isolatedLp(1, 0.5, 8000, 400)) / sigma, 9);
    const s10 = m.rows.find((r) => r.positionId === 's10')!;
    expect(s10.distanceSigma).toBeCloseTo(Math.log(isolatedLp(-1, 0.5, 8000, 400) / 7600) / sigma, 9);
    expect(m.accounts[0]!.unrealisedPnl).toBeCloseTo(0.5 * (7600 - 8000) * 3 - 0.5 * (7600 - 8000), 9);
  });

  it('bad payloads name the field and the reason', async () => {
    const e1 = await expectApiError(api.call('whatif.shock', { portfolioId: saved.id, scenario: noImpact, shocks: [{ move: -1.5, overSeconds: 60, shape: 'linear' }] }), 'bad_request', 'shocks.0.move');
    expect(e1.message).toMatch(/−100%/);
    await expectApiError(api.call('whatif.sweep', { portfolioId: saved.id, scenario: noImpact, leverages: [0.5], moves: [-0.1], overSeconds: 60, shape: 'linear' }), 'bad_request', 'leverages.0');
    await expectApiError(api.call('whatif.montecarlo', { portfolioId: saved.id, scenario: noImpact, datasetId, paths: 10, steps: 10, workers: 3 as 1 }), 'bad_request', 'workers');
    await expectApiError(api.call('whatif.shock', { portfolioId: saved.id, scenario: { ...noImpact, symbol: 'ETHUSDT' }, shocks: [{ move: -0.1, overSeconds: 60, shape: 'linear', startPrice: 2000 }], population: { lookbackBars: 10 } }), 'invalid_input', 'population');
  });
});
