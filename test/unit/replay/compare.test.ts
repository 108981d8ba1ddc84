/**
 * Counterfactual parameters and the differences table (renderer/src/lib/replay/counterfactual.ts,
 * compare.ts): what changes, what stays, and no look-ahead in the differences.
 */
import { describe, expect, it } from 'vitest';
import { counterfactual, NO_CHANGES } from '../../../renderer/src/lib/replay/counterfactual';
import { compareAt } from '../../../renderer/src/lib/replay/compare';
import type { RunDetail, RunInfo, RunSeries } from '../../../shared/runs';

const run = {
  id: 3,
  name: 'BTC replay',
  params: {
    datasetId: 1,
    portfolioId: null,
    portfolio: { name: 'p', accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [{ id: 'x', symbol: 'BTCUSDT', side: 'long', qty: 1, entry: 100, leverage: 5 }, { id: 'y', symbol: 'BTCUSDT', side: 'short', qty: 1, entry: 100, margin: 40 }] }] },
    scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear', depth1Pct: 1e6 }, population: { lookbackBars: 10 } },
    seed: 9,
    from: 100,
    to: 900,
    shock: null,
    rules: null,
  },
} as unknown as RunInfo;

describe('counterfactual runs', () => {
  it('scales leverage, depth, adds a breaker and a population mix, keeping window and seed', () => {
    const p = counterfactual(run, { ...NO_CHANGES, leverageScale: 2, depthScale: 0.5, circuitBreaker: { windowBars: 5, threshold: 0.05, haltBars: 3 }, longShare: 0.7 });
    const positions = (p.portfolio as { accounts: { positions: { leverage?: number; margin?: number }[] }[] }).accounts[0]!.positions;
    expect(positions[0]!.leverage).toBe(10);
    expect(positions[1]!.margin).toBe(20);
    expect(p.scenario.impact).toEqual({ model: 'linear', depth1Pct: 1e6, depthScale: 0.5 });
    expect(p.scenario.circuitBreaker).toEqual({ windowBars: 5, threshold: 0.05, haltBars: 3 });
    expect(p.scenario.population?.longShare).toBe(0.7);
    expect([p.datasetId, p.seed, p.from, p.to]).toEqual([1, 9, 100, 900]);
    expect(p.name).toContain('leverage ×2');
    // The original is untouched.
    expect((run.params.scenario as { circuitBreaker?: unknown }).circuitBreaker).toBeUndefined();
  });
});

describe('differences table', () => {
  const series = (longs: number[], fund: number[]): RunSeries => {
    const n = longs.length;
    const z = new Array<number>(n).fill(0);
    return { time: longs.map((_, i) => i * 60), exogenousClose: z, effectiveClose: z, effectiveLow: longs.map((_, i) => 100 - i), effectiveHigh: z, rounds: z, liquidatedNotionalLong: longs, liquidatedNotionalShort: z, liquidatedCountLong: longs.map((x) => (x > 0 ? 1 : 0)), liquidatedCountShort: z, insuranceFund: fund, badDebt: z, adlVolume: z, halted: z, ledgerImbalance: z };
  };
  const a = { series: series([0, 5, 0, 100], [10, 11, 12, 0]) } as RunDetail;
  const b = { series: series([0, 0, 7, 0], [10, 10, 10, 10]) } as RunDetail;
  it('sums up to the cursor only', () => {
    const rows = Object.fromEntries(compareAt(a, b, 2).map((r) => [r.key, [r.a, r.b]]));
    expect(rows.liquidations).toEqual([1, 1]);
    expect(rows.notional).toEqual([5, 7]);
    expect(rows.worst).toEqual([98, 98]);
    expect(rows.fund).toEqual([12, 10]); // bar 3's 0 is not seen at bar 2
  });
});
