/**
 * Replays through the API on the real 2020-03-12 BTC window: which positions of a fixed book
 * are liquidated, in which bar, at what price — the expectations computed here from the CSV
 * and Binance's published isolated-margin formula, not from the engine. Also: margin
 * reports, stored runs that re-run to the same bits, cancel, and input errors by field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { createInProcessApi } from '../../electron/backend/services/in-process';
import { ApiError } from '../../shared/errors';
import type { PortfolioSpec } from '../../shared/portfolio';
import { readSharedCsv, SHARED_DATA, tempDir } from '../helpers/temp';

const dir = tempDir();
const FILE = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';
const bars = readSharedCsv(FILE);
const backend = new Backend({ dbPath: path.join(dir, 'runs.db'), now: () => 1_700_000_000 });
const api = createInProcessApi(backend, { trusted: false });

/**
 * Binance USDⓈ-M isolated one-way liquidation price (Binance "Liquidation Price Calculation"
 * FAQ; DESIGN.md §3.1) with WB = margin, TMM1 = UPNL1 = 0, tier 1 of BTCUSDT in 2020
 * (0–50,000 USDT notional: MMR 0.4%, cum 0 — resources/venues/binance-usdm_2020-01-01.json):
 *   LP = (WB + cum − side·Q·EP) / (Q·MMR − side·Q)
 */
function binanceIsolatedLp(side: 1 | -1, qty: number, entry: number, margin: number, mmr = 0.004, cum = 0): number {
  return (margin + cum - side * qty * entry) / (qty * mmr - side * qty);
}

const t0 = bars.time[0]!;
const entry = bars.open[0]!;
const leverages = [1.5, 2, 3, 5, 10, 20];
const book: PortfolioSpec = {
  name: 'ladder',
  accounts: [
    {
      id: 'iso',
      venue: 'binance-usdm',
      mode: 'isolated',
      wallet: 0,
      positions: [
        ...leverages.map((leverage) => ({ id: `long-${leverage}x`, symbol: 'BTCUSDT', side: 'long' as const, qty: 1, entry, leverage, openedAt: t0 })),
        { id: 'short-10x', symbol: 'BTCUSDT', side: 'short' as const, qty: 1, entry, leverage: 10, openedAt: t0 },
      ],
    },
  ],
};

/** First bar whose low reaches a long's liquidation price, or -1. */
function firstBarAtOrBelow(price: number): number {
  return bars.low.findIndex((low) => low <= price);
}

describe('replaying the 2020-03-12 crash through the API', async () => {
  const imported = await api.call('datasets.importText', { fileName: path.basename(FILE), text: fs.readFileSync(path.join(SHARED_DATA, FILE), 'utf8') });
  const portfolio = await api.call('portfolios.save', { portfolio: book });
  const scenario = { venue: 'binance-usdm', impact: { model: 'none' as const } };
  const run = await api.call('runs.replay', { datasetId: imported.dataset.id, portfolioId: portfolio.id, scenario, seed: 1 });

  it('reports the liquidation price of each position by the published formula', async () => {
    const report = await api.call('margin.compute', { portfolioId: portfolio.id, at: t0, marks: { BTCUSDT: entry } });
    expect(report.rules).toEqual([expect.objectContaining({ venue: 'binance-usdm', effective: '2020-01-01' })]);
    for (const leverage of leverages) {
      const row = report.rows.find((r) => r.positionId === `long-${leverage}x`)!;
      const expected = binanceIsolatedLp(1, 1, entry, entry / leverage);
      expect(row.liquidationPrice).toBeCloseTo(expected, 6);
      expect(row.mmr).toBe(0.004);
    }
    const short = report.rows.find((r) => r.positionId === 'short-10x')!;
    expect(short.liquidationPrice).toBeCloseTo(binanceIsolatedLp(-1, 1, entry, entry / 10), 6);
  });

  it('the documented check: isolated long 1 BTC @ 10,000 with 1,000 margin → 9,036.14; the short → 10,956.18', async () => {
    const report = await api.call('margin.compute', {
      portfolio: { name: 'check', accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [
        { id: 'l', symbol: 'BTCUSDT', side: 'long', qty: 1, entry: 10000, margin: 1000 },
        { id: 's', symbol: 'BTCUSDT', side: 'short', qty: 1, entry: 10000, margin: 1000 },
      ] }] },
      at: t0,
    });
    expect(report.rows[0]!.liquidationPrice!.toFixed(2)).toBe('9036.14'); // DESIGN.md §3.1
    expect(report.rows[1]!.liquidationPrice!.toFixed(2)).toBe('10956.18');
  });

  it('liquidates exactly the positions whose price the real path reached, in that bar, at that price', async () => {
    const detail = await api.call('runs.get', { id: run.id });
    const liquidations = detail.events.filter((e) => e.kind === 'liquidation');
    for (const leverage of leverages) {
      const lp = binanceIsolatedLp(1, 1, entry, entry / leverage);
      const bar = firstBarAtOrBelow(lp);
      const event = liquidations.find((e) => e.ref === `long-${leverage}x`);
      if (bar < 0) {
        expect(event, `${leverage}x survives: the low never reached ${lp}`).toBeUndefined();
        continue;
      }
      expect(event, `${leverage}x is liquidated in bar ${bar}`).toBeDefined();
      expect(Math.floor((event!.time - t0) / 60)).toBe(bar);
      if (bars.open[bar]! > lp) expect(event!.price).toBeCloseTo(lp, 6); // impact off: filled at its own price
      else expect(event!.price).toBeLessThanOrEqual(lp); // the bar gapped through it
    }
    // 1.5× (LP ≈ 0.335 × entry) survives the 3,782.13 low; 2× (≈ 0.502 × entry) does not.
    expect(run.summary.portfolioLiquidated.sort()).toEqual(['long-10x', 'long-20x', 'long-2x', 'long-3x', 'long-5x']);
    // The 10× short's liquidation price (≈ 1.096 × entry) is above the window's 7,980 high.
    expect(liquidations.some((e) => e.ref === 'short-10x')).toBe(false);
    // Margin calls come before liquidations.
    for (const e of liquidations) {
      const call = detail.events.find((c) => c.kind === 'margin_call' && c.ref === e.ref);
      expect(call && call.time <= e.time, `${e.ref} margin-called first`).toBe(true);
    }
  });

  it('stores per-bar series for every replayed bar, with impact off equal to the real path', async () => {
    const detail = await api.call('runs.get', { id: run.id });
    expect(detail.series.time).toEqual(bars.time);
    expect(detail.series.exogenousClose).toEqual(bars.close);
    expect(detail.series.effectiveClose).toEqual(bars.close);
    expect(Math.max(...detail.series.ledgerImbalance.map(Math.abs))).toBeLessThan(1e-6);
    expect(run.summary.markSource).toBe('candle-path');
    expect((await api.call('runs.list', {})).map((r) => r.id)).toContain(run.id);
  });

  it('re-running the stored parameters gives identical bits', async () => {
    const again = await api.call('runs.replay', { datasetId: imported.dataset.id, portfolioId: portfolio.id, scenario, seed: 1 });
    const [a, b] = await Promise.all([api.call('runs.get', { id: run.id }), api.call('runs.get', { id: again.id })]);
    expect(b.series).toEqual(a.series);
    expect(b.events).toEqual(a.events);
    expect(b.run.summary).toEqual(a.run.summary);
  });

  it('with a market population and linear impact, the spiral pushes the effective low below the real one', async () => {
    const withImpact = await api.call('runs.replay', {
      datasetId: imported.dataset.id,
      portfolioId: portfolio.id,
      scenario: { venue: 'binance-usdm', impact: { model: 'linear', depth1Pct: 5_000_000 }, population: { lookbackBars: 1440 } },
      seed: 7,
    });
    expect(withImpact.summary.liquidatedLong.count).toBeGreaterThan(0);
    expect(withImpact.summary.minEffectiveLow!).toBeLessThan(withImpact.summary.minExogenousLow!);
    expect(withImpact.summary.bars).toBe(bars.time.length - 1440);
  });

  it('a cancelled replay stores nothing', async () => {
    const before = (await api.call('runs.list', {})).length;
    const pending = api.call('runs.replay', { datasetId: imported.dataset.id, scenario, job: 'cancel-me' });
    expect(await api.call('jobs.cancel', { job: 'cancel-me' })).toEqual({ cancelled: true });
    const error = (await pending.catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('cancelled');
    expect((await api.call('runs.list', {})).length).toBe(before);
  });

  it('names the field of a bad scenario', async () => {
    const unknownVenue = (await api
      .call('runs.replay', { datasetId: imported.dataset.id, scenario: { venue: 'nowhere', impact: { model: 'none' } } })
      .catch((e: unknown) => e)) as ApiError;
    expect(unknownVenue.code).toBe('invalid_input');
    const badDepth = (await api
      .call('runs.replay', { datasetId: imported.dataset.id, scenario: { venue: 'binance-usdm', impact: { model: 'linear', depth1Pct: -1 } } })
      .catch((e: unknown) => e)) as ApiError;
    expect(badDepth.code).toBe('bad_request');
    expect(badDepth.where.field).toBe('scenario.impact.depth1Pct');
  });
});
