/**
 * What-if shocks in the engine (engine/what-if.ts, engine/shock-path.ts): shaped paths end where
 * they should; a shock of 0 changes nothing; a bigger shock never loses less (long book, down
 * moves); cascade amplification ≥ 1 with impact and exactly 1 without; a population from a
 * window is rescaled to the start price; grid cells do not depend on how the grid is split.
 * Not covered: the service and worker layer (test/integration/what-if.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildShockPopulation, runSweepCells, runWhatIfShock, shapedShockCandles, type ShockShape } from '../../../electron/backend/engine';
import { loadAllTables } from './rules-fixtures';

const rules = loadAllTables();
const AT = 1_583_971_200; // 2020-03-12: Binance 2020 tables (BTCUSDT tier 1: MMR 0.4%, cum 0)
const P0 = 8000;

const longBook = (leverages: number[]) => ({
  name: 'longs',
  accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated' as const, wallet: 0, positions: leverages.map((leverage, i) => ({ id: `p${i}`, symbol: 'BTCUSDT', side: 'long' as const, qty: 0.25, entry: P0, leverage })) }],
});
const population = { spec: { lookbackBars: 1, openInterest: 2e8, longShare: 0.7 } };
const linear = (depth1Pct: number) => ({ venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear' as const, depth1Pct } });
const none = { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' as const } };

function shock(move: number, shape: ShockShape = 'linear', overSeconds = 600) {
  return { startPrice: P0, move, overSeconds, shape, startTime: AT };
}

describe('shaped shock paths', () => {
  it('every shape ends exactly at start·(1 + move), moves monotonically and never overshoots', () => {
    for (const shape of ['instant', 'linear', 'exponential', 'geometric'] as const) {
      const c = shapedShockCandles({ startPrice: 100, move: -0.2, overSeconds: 600, shape, holdBars: 3 });
      const n = c.close.length;
      expect(c.close[n - 1]).toBeCloseTo(80, 10);
      for (let i = 1; i < n; i++) expect(c.close[i]!).toBeLessThanOrEqual(c.close[i - 1]! + 1e-12);
      expect(Math.min(...c.low)).toBeGreaterThanOrEqual(80 - 1e-9);
      expect(Array.from(c.volume).every((v) => v === 0)).toBe(true);
    }
  });
  it('instant gaps in the first bar; linear moves equal amounts; exponential starts slower than linear', () => {
    const instant = shapedShockCandles({ startPrice: 100, move: -0.1, overSeconds: 600, shape: 'instant', holdBars: 2 });
    expect(instant.close.length).toBe(3);
    expect(instant.close[0]).toBeCloseTo(90, 12);
    const lin = shapedShockCandles({ startPrice: 100, move: -0.1, overSeconds: 600, shape: 'linear', holdBars: 0 });
    expect(Array.from(lin.close, (c, i) => c - lin.open[i]!).every((d) => Math.abs(d + 1) < 1e-9)).toBe(true);
    const exp = shapedShockCandles({ startPrice: 100, move: -0.1, overSeconds: 600, shape: 'exponential', holdBars: 0 });
    expect(exp.close[0]!).toBeGreaterThan(lin.close[0]!);
  });
});

describe('what-if shocks', () => {
  it('a shock of 0 changes nothing: no liquidation, flat effective path, zero loss, amplification 1', () => {
    const r = runWhatIfShock({ portfolio: longBook([5, 20, 50]), rules, scenario: linear(1e6), shock: shock(0), seed: 1, population });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const w = r.value;
    expect(w.result.events.filter((e) => e.kind === 'liquidation')).toHaveLength(0);
    expect(Array.from(w.result.steps.effectiveClose).every((p) => p === P0)).toBe(true);
    expect(w.losses.total).toBe(0);
    expect(w.amplification).toBe(1);
    expect(w.result.summary.insuranceFundEnd).toBe(w.result.summary.insuranceFundStart);
  });

  it('a bigger down shock never loses less on a long book (impact, population, any shape)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.array(fc.double({ min: 1.5, max: 100, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 2e5, max: 5e7, noNaN: true }),
        fc.constantFrom<ShockShape>('instant', 'linear', 'exponential', 'geometric'),
        (a, b, leverages, depth, shape) => {
          const [small, big] = a <= b ? [a, b] : [b, a];
          const run = (m: number) => {
            const r = runWhatIfShock({ portfolio: longBook(leverages), rules, scenario: linear(depth), shock: shock(-m, shape), seed: 5, population });
            if (!r.ok) throw new Error(r.error.message);
            return r.value.losses.total;
          };
          expect(run(big)).toBeGreaterThanOrEqual(run(small) - 1e-9);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('cascade amplification is ≥ 1 with impact on and exactly 1 with impact off', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.5, max: 0.5, noNaN: true }), fc.double({ min: 1e5, max: 1e8, noNaN: true }), fc.constantFrom<ShockShape>('instant', 'linear', 'exponential'), (move, depth, shape) => {
        const on = runWhatIfShock({ portfolio: longBook([10, 25]), rules, scenario: linear(depth), shock: shock(move, shape), seed: 2, population });
        const off = runWhatIfShock({ portfolio: longBook([10, 25]), rules, scenario: none, shock: shock(move, shape), seed: 2, population });
        if (!on.ok || !off.ok) throw new Error('run failed');
        expect(on.value.amplification).toBeGreaterThanOrEqual(1 - 1e-12);
        expect(off.value.amplification).toBe(1);
      }),
      { numRuns: 60 },
    );
  });

  it('a real cascade amplifies: a −10% shock into a thin book with many longs goes further than −10%', () => {
    const r = runWhatIfShock({ portfolio: longBook([10]), rules, scenario: linear(3e5), shock: shock(-0.1), seed: 1, population });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.amplification).toBeGreaterThan(1.05);
    expect(r.value.waterfall.length).toBeGreaterThan(0);
    expect(r.value.waterfall.some((w) => Object.keys(w.notionalByBucket).some((k) => k.startsWith('long')))).toBe(true);
  });

  it('a population from a window keeps notionals and margins and scales entries to the start price', () => {
    const n = 50;
    const close = Float64Array.from({ length: n }, (_, i) => 4000 + i);
    const window = { time: Float64Array.from({ length: n }, (_, i) => AT - (n - i) * 60), open: close, high: close.map((c) => c + 5), low: close.map((c) => c - 5), close, volume: new Float64Array(n).fill(10) };
    const at4049 = buildShockPopulation({ spec: { lookbackBars: 20 }, window }, rules, 'binance-usdm', 'BTCUSDT', close[n - 1]!, AT, 1);
    const at8098 = buildShockPopulation({ spec: { lookbackBars: 20 }, window }, rules, 'binance-usdm', 'BTCUSDT', 2 * close[n - 1]!, AT, 1);
    if (!at4049.ok || !at8098.ok) throw new Error('population failed');
    const a = at4049.value.book;
    const b = at8098.value.book;
    expect(b.entry.length).toBe(a.entry.length);
    for (let i = 0; i < a.entry.length; i++) {
      expect(b.entry[i]).toBeCloseTo(2 * a.entry[i]!, 9);
      expect(b.qty[i]! * b.entry[i]!).toBeCloseTo(a.qty[i]! * a.entry[i]!, 6);
      expect(b.margin[i]).toBe(a.margin[i]);
    }
    expect(at8098.value.parameters.priceScale).toBeCloseTo(2, 12);
  });

  it('a cross account loses its wallet when its position is liquidated, and is marked to the final price otherwise', () => {
    const cross = (wallet: number) => ({ accounts: [{ id: 'x', venue: 'binance-usdm', mode: 'cross' as const, wallet, positions: [{ id: 'c1', symbol: 'BTCUSDT', side: 'long' as const, qty: 1, entry: P0 }] }] });
    // Cross LP with no other positions = the isolated formula with WB = wallet (DESIGN.md §3.1):
    // wallet 1,000 → LP = (1000 − 8000)/(0.004 − 1) = 7,028.11; a −15% instant shock (6,800) passes it.
    const dead = runWhatIfShock({ portfolio: cross(1000), rules, scenario: none, shock: shock(-0.15, 'instant'), seed: 1 });
    const alive = runWhatIfShock({ portfolio: cross(4000), rules, scenario: none, shock: shock(-0.15, 'instant'), seed: 1 });
    if (!dead.ok || !alive.ok) throw new Error('run failed');
    expect(dead.value.losses.positions[0]!.liquidated).toBe(true);
    expect(dead.value.losses.total).toBe(1000);
    // Wallet 4,000: LP = (4000 − 8000)/(0.004 − 1) = 4,016.06, not reached: loss = 1·(8000 − 6800) = 1,200.
    expect(alive.value.losses.positions[0]!.liquidated).toBe(false);
    expect(alive.value.losses.total).toBeCloseTo(1200, 6);
  });

  it('grid cells are the same whether computed at once or in two ranges', () => {
    const input = { portfolio: longBook([5, 20]), rules, scenario: linear(2e6), shock: { startPrice: P0, overSeconds: 300, shape: 'linear' as const, startTime: AT }, leverages: [2, 10, 40], moves: [-0.05, -0.15], depthScales: [0.5, 2], seed: 4 };
    const all = runSweepCells(input, 0, 12);
    const a = runSweepCells(input, 0, 5);
    const b = runSweepCells(input, 5, 12);
    if (!all.ok || !a.ok || !b.ok) throw new Error('sweep failed');
    expect([...a.value, ...b.value]).toEqual(all.value);
    expect(all.value.map((c) => [c.depthScale, c.leverage, c.move])).toEqual([
      [0.5, 2, -0.05], [0.5, 2, -0.15], [0.5, 10, -0.05], [0.5, 10, -0.15], [0.5, 40, -0.05], [0.5, 40, -0.15],
      [2, 2, -0.05], [2, 2, -0.15], [2, 10, -0.05], [2, 10, -0.15], [2, 40, -0.05], [2, 40, -0.15],
    ]);
  });
});
