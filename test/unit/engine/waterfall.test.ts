/**
 * The what-if liquidation waterfall by bar and cascade round (engine/what-if.ts, the round of
 * CascadeEvent in engine/cascade.ts): its notional and count add up to the run's liquidated
 * notional and count; rows come bar by bar with rounds numbered 0 … rounds − 1 in order; the
 * static book's aggregated events are one per (bar, round, kind, bucket, side).
 * Not covered: the service and the stored run (test/integration/what-if.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runWhatIfShock, type ReplayScenario, type WhatIfShockResult } from '../../../electron/backend/engine';
import { loadAllTables } from './rules-fixtures';

const rules = loadAllTables();
const AT = 1_583_971_200; // 2020-03-12: Binance 2020 tables
const P0 = 8000;

const longBook = (leverages: number[]) => ({
  name: 'longs',
  accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated' as const, wallet: 0, positions: leverages.map((leverage, i) => ({ id: `p${i}`, symbol: 'BTCUSDT', side: 'long' as const, qty: 0.25, entry: P0, leverage })) }],
});
const population = { spec: { lookbackBars: 1, openInterest: 2e8, longShare: 0.7 } };
const linear = (depth1Pct: number): ReplayScenario => ({ venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear', depth1Pct } }) as ReplayScenario;
const none = { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' } } as ReplayScenario;
const shock = (move: number, shape: 'instant' | 'linear' | 'exponential' = 'linear') => ({ startPrice: P0, move, overSeconds: 600, shape, startTime: AT });

function run(scenario: ReplayScenario, move: number, shape: 'instant' | 'linear' | 'exponential' = 'linear'): WhatIfShockResult {
  const r = runWhatIfShock({ portfolio: longBook([10, 25, 50]), rules, scenario, shock: shock(move, shape), seed: 3, population });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** The waterfall adds up to the run and its rows are in bar order, then round order within a bar. */
function checkWaterfall(w: WhatIfShockResult): void {
  const s = w.result.summary;
  const liquidated = s.liquidatedLong.notional + s.liquidatedShort.notional;
  const total = w.waterfall.reduce((acc, row) => acc + Object.values(row.notionalByBucket).reduce((a, b) => a + b, 0), 0);
  expect(Math.abs(total - liquidated)).toBeLessThanOrEqual(1e-9 * Math.max(1, liquidated));
  expect(w.waterfall.reduce((acc, row) => acc + row.count, 0)).toBe(s.liquidatedLong.count + s.liquidatedShort.count);
  for (let i = 0; i < w.waterfall.length; i++) {
    const row = w.waterfall[i]!;
    expect(row.round).not.toBeNull();
    expect(row.round!).toBeGreaterThanOrEqual(0);
    expect(row.round!).toBeLessThan(row.rounds);
    const prev = w.waterfall[i - 1];
    if (prev) {
      expect(row.time).toBeGreaterThanOrEqual(prev.time);
      if (row.time === prev.time) expect(row.round!).toBeGreaterThan(prev.round!);
    }
  }
}

describe('liquidation waterfall by bar and round', () => {
  it('a real cascade: totals equal the liquidated notional and count, rounds numbered in order, several rounds in a bar', () => {
    const w = run(linear(3e5), -0.1);
    expect(w.waterfall.length).toBeGreaterThan(0);
    checkWaterfall(w);
    // The spiral shows as more than one round in at least one bar, numbered from 0.
    const byBar = new Map<number, number[]>();
    for (const row of w.waterfall) byBar.set(row.time, [...(byBar.get(row.time) ?? []), row.round!]);
    expect([...byBar.values()].some((rounds) => rounds.length > 1)).toBe(true);
    expect([...byBar.values()].every((rounds) => rounds.every((r, i) => i === 0 || r > rounds[i - 1]!))).toBe(true);
  });

  it('aggregated book events are one per (bar, round, kind, bucket, side) and every liquidation or ADL has a round', () => {
    const w = run(linear(3e5), -0.1);
    const seen = new Set<string>();
    for (const e of w.result.events) {
      if (e.kind === 'liquidation' || e.kind === 'partial_liquidation' || e.kind === 'adl') expect(Number.isInteger(e.round)).toBe(true);
      if (e.kind === 'margin_call' || e.kind === 'halt') expect(e.round).toBeUndefined();
      if (e.bucket === undefined) continue;
      const key = `${e.time}/${e.round}/${e.kind}/${e.bucket}/${e.side}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    expect(seen.size).toBeGreaterThan(0);
  });

  it('the same run twice gives the same waterfall', () => {
    expect(run(linear(3e5), -0.1).waterfall).toEqual(run(linear(3e5), -0.1).waterfall);
  });

  it('for any shock, with impact or without, the waterfall adds up and its rounds are in order', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.4, max: 0.1, noNaN: true }), fc.option(fc.double({ min: 1e5, max: 1e8, noNaN: true }), { nil: undefined }), fc.constantFrom('instant' as const, 'linear' as const, 'exponential' as const), (move, depth, shape) => {
        checkWaterfall(run(depth === undefined ? none : linear(depth), move, shape));
      }),
      { numRuns: 30 },
    );
  });
});
