/**
 * The open population map (ReplayInput.mapGrid, engine/open-map.ts) against independent
 * calculations: tiny synthetic paths whose open notional per bin and bar is worked out by hand —
 * owners reacting (exp(−Δt/T) of a position still open Δt after the path crossed its loss price)
 * and inflow (each bar's cohort appears at its close and shrinks by the turnover factor); a
 * brute-force rebuild of the map from every position's closed-form share on random paths with
 * both mechanisms and impact on; no look-ahead; and the grid's range check.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createReplay, runReplay, type Candle, type MapGrid } from '../../../electron/backend/engine/index';
import { loadAllTables } from './rules-fixtures';
import { hazard, isolatedLiquidation, moveArb, randomPath, syntheticBar } from './synthetic';

const tables = loadAllTables();
const bar = (i: number, o: number, h: number, l: number, c: number, volume = 10): Candle => syntheticBar(i, o, h, l, c, volume);
const liq = isolatedLiquidation;

/** Grid [50, 150) in 10 bins of 10. */
const GRID: MapGrid = { priceLow: 50, priceHigh: 150, bins: 10 };
const binOf = (p: number): number => Math.floor((p - 50) / 10);

const run = (candles: Candle[], population: object, impact: { model: 'none' } | { model: 'linear'; depth1Pct: number } = { model: 'none' }, mapGrid: MapGrid = GRID) => {
  const r = runReplay({ candles, rules: tables, seed: 1, mapGrid, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact, population: population as never } });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

/** Expected rows: bars × bins, filled from (bar, side, price, notional) entries. */
function expectedRows(bars: number, entries: { k: number; side: 'long' | 'short'; lp: number; n: number }[]) {
  const long = new Array<number>(bars * 10).fill(0);
  const short = new Array<number>(bars * 10).fill(0);
  for (const e of entries) (e.side === 'long' ? long : short)[e.k * 10 + binOf(e.lp)]! += e.n;
  return { long, short };
}

function expectRows(actual: Float64Array, expected: number[]) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 9);
}

describe('owners reacting, by hand', () => {
  // Look-back bar flat at 100; one long and one short of 1 BTC at 100, 10× (margin 10). lossShare
  // 0.5: the long's loss price is 100 − 0.5·10 = 95. T = 10 minutes, 1-minute bars.
  const population = { lookbackBars: 1, openInterest: 200, buckets: [{ leverage: 10, weight: 1 }], longShare: 0.5, reaction: { lossShare: 0.5, minutes: 10 } };
  const candles = [
    bar(0, 100, 100, 100, 100),
    bar(1, 100, 100, 94, 94), // out 0: crosses 95 (owners start closing), not the liquidation price ≈ 90.36
    bar(2, 94, 94, 94, 94), // out 1
    bar(3, 94, 94, 94, 94), // out 2
    bar(4, 94, 94, 89, 89), // out 3: the long is liquidated
  ];
  const lpLong = liq(1, 1, 100, 10);
  const lpShort = liq(-1, 1, 100, 10);

  it('shows exp(−(t+1)/10) of the long open at the end of bar t after the crossing, nothing after its liquidation; the short (never at a loss of half its margin) stays whole', () => {
    const r = run(candles, population);
    const m = r.openMap!;
    const ex = expectedRows(4, [
      { k: 0, side: 'long', lp: lpLong, n: 100 * Math.exp(-1 / 10) },
      { k: 1, side: 'long', lp: lpLong, n: 100 * Math.exp(-2 / 10) },
      { k: 2, side: 'long', lp: lpLong, n: 100 * Math.exp(-3 / 10) },
      ...[0, 1, 2, 3].map((k) => ({ k, side: 'short' as const, lp: lpShort, n: 100 })),
    ]);
    expectRows(m.long, ex.long);
    expectRows(m.short, ex.short);
    expect(m.initial).toBeCloseTo(200, 9);
    // What the map showed open at the end of bar 2 is exactly what the engine liquidates in bar 3
    // (at the liquidation price with impact off): the engine's own reaction factor.
    expect(r.steps.liquidatedNotionalLong[3]).toBeCloseTo(lpLong * Math.exp(-3 / 10), 9);
    expect(m.liquidated[3]).toBeCloseTo(100 * Math.exp(-3 / 10), 9);
    // Owners' flow per bar: what the decay took.
    expect(m.closedByOwners[0]).toBeCloseTo(100 * (1 - Math.exp(-1 / 10)), 9);
    expect(m.closedByOwners[2]).toBeCloseTo(100 * (Math.exp(-2 / 10) - Math.exp(-3 / 10)), 9);
  });

  it('without reaction the long stays whole until its liquidation', () => {
    const { reaction: _r, ...plain } = population;
    const m = run(candles, plain).openMap!;
    const ex = expectedRows(4, [...[0, 1, 2].map((k) => ({ k, side: 'long' as const, lp: lpLong, n: 100 })), ...[0, 1, 2, 3].map((k) => ({ k, side: 'short' as const, lp: lpShort, n: 100 }))]);
    expectRows(m.long, ex.long);
    expectRows(m.short, ex.short);
  });
});

describe('inflow, by hand', () => {
  // The path of test/unit/engine/inflow.test.ts: look-back bar flat 100 (traded 1,000 per bar);
  // one long and one short of 1 BTC at 100, 10×; mean holding 0.01 day.
  const H = 0.01;
  const candles = [
    bar(0, 100, 100, 100, 100),
    bar(1, 100, 100, 80, 80), // out 0: the population long dies
    bar(2, 80, 80, 80, 80), // out 1
    bar(3, 80, 95, 80, 95), // out 2: the shorts opened at 80 die
    bar(4, 95, 115, 95, 115), // out 3: the population short and the short opened at 95 die
  ];
  const population = { lookbackBars: 1, openInterest: 200, buckets: [{ leverage: 10, weight: 1 }], longShare: 0.5, inflow: { meanHoldingDays: H } };
  const [h0, h1, h2, h3] = [hazard(0.8, H), hazard(0.8, H), hazard(0.95, H), hazard(1.15, H)];
  // A position of q at entry e with 10× margin: its liquidation price does not depend on q.
  const lpL = (e: number) => liq(1, 1, e, e / 10);
  const lpS = (e: number) => liq(-1, 1, e, e / 10);

  it('adds each cohort in the row of the bar at whose close it opens and shrinks every population position by 1 − h at each close', () => {
    const r = run(candles, population);
    const m = r.openMap!;
    // Open quantity (BTC) after each bar's liquidations; the cohort of bar t opens h_t of it.
    const open0 = 1; // the long died
    const A = (h0 * open0) / 2; // per side, at 80
    const B = (h1 * open0) / 2; // at 80 (nothing liquidated in out 1)
    const open2 = open0 - A * (1 - h1) - B; // the shorts of A and B died in out 2
    const C = (h2 * open2) / 2; // at 95
    const open3 = open2 - (1 - h0) * (1 - h1) * (1 - h2) - C; // the population short and C's short died
    const D = (h3 * open3) / 2; // at 115
    const ex = expectedRows(4, [
      // end of out 0
      { k: 0, side: 'short', lp: lpS(100), n: 100 * (1 - h0) },
      { k: 0, side: 'long', lp: lpL(80), n: 80 * A },
      { k: 0, side: 'short', lp: lpS(80), n: 80 * A },
      // end of out 1
      { k: 1, side: 'short', lp: lpS(100), n: 100 * (1 - h0) * (1 - h1) },
      { k: 1, side: 'long', lp: lpL(80), n: 80 * A * (1 - h1) + 80 * B },
      { k: 1, side: 'short', lp: lpS(80), n: 80 * A * (1 - h1) + 80 * B },
      // end of out 2: the shorts at 80 are gone
      { k: 2, side: 'short', lp: lpS(100), n: 100 * (1 - h0) * (1 - h1) * (1 - h2) },
      { k: 2, side: 'long', lp: lpL(80), n: (80 * A * (1 - h1) + 80 * B) * (1 - h2) },
      { k: 2, side: 'long', lp: lpL(95), n: 95 * C },
      { k: 2, side: 'short', lp: lpS(95), n: 95 * C },
      // end of out 3: the population short and C's short are gone
      { k: 3, side: 'long', lp: lpL(80), n: (80 * A * (1 - h1) + 80 * B) * (1 - h2) * (1 - h3) },
      { k: 3, side: 'long', lp: lpL(95), n: 95 * C * (1 - h3) },
      { k: 3, side: 'long', lp: lpL(115), n: 115 * D },
      { k: 3, side: 'short', lp: lpS(115), n: 115 * D },
    ]);
    expectRows(m.long, ex.long);
    expectRows(m.short, ex.short);
    // Opened per bar = the engine's inflow figure in total.
    expect(Array.from(m.opened)).toEqual([80 * 2 * A, 80 * 2 * B, 95 * 2 * C, 115 * 2 * D].map((x) => expect.closeTo(x, 9)));
    expect(r.inflow!.openedNotional).toBeCloseTo(80 * 2 * A + 80 * 2 * B + 95 * 2 * C + 115 * 2 * D, 9);
  });
});

const both = { lookbackBars: 1, openInterest: 1000, buckets: [{ leverage: 10, weight: 1 }, { leverage: 50, weight: 1 }], longShare: 0.5, reaction: { lossShare: 0.4, minutes: 3 }, inflow: { meanHoldingDays: 0.05 } };

describe('conservation on random paths (reaction and inflow on, impact on)', () => {
  it('Σ map = initial − liquidated − ADL − owners − turnover + opened at every bar; the liquidated flow is the engine’s own liquidated quantity·entry', () => {
    fc.assert(
      fc.property(fc.array(moveArb, { minLength: 1, maxLength: 30 }), (moves) => {
        const r = run(randomPath(moves), both, { model: 'linear', depth1Pct: 400 }, { priceLow: 0, priceHigh: 1000, bins: 7 });
        const m = r.openMap!;
        let expected = m.initial;
        for (let k = 0; k < moves.length; k++) {
          expected += -m.liquidated[k]! - m.adl[k]! - m.closedByOwners[k]! - m.turnover[k]! + m.opened[k]!;
          let sum = 0;
          for (let b = 0; b < 7; b++) sum += m.long[k * 7 + b]! + m.short[k * 7 + b]!;
          expect(Math.abs(sum - expected)).toBeLessThanOrEqual(1e-9 * m.initial);
          for (let b = 0; b < 7; b++) expect(Math.min(m.long[k * 7 + b]!, m.short[k * 7 + b]!)).toBeGreaterThan(-1e-9 * m.initial);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('no look-ahead', () => {
  it('changing the bars after bar t changes no map row up to t (reaction and inflow on, impact on)', () => {
    fc.assert(
      fc.property(fc.array(moveArb, { minLength: 4, maxLength: 30 }), fc.array(moveArb, { minLength: 1, maxLength: 10 }), fc.nat(), (moves, other, cut) => {
        const t = cut % (moves.length - 1);
        const a = randomPath(moves);
        const b = randomPath([...moves.slice(0, t + 1), ...other]);
        const rows = (candles: Candle[]) => {
          const r = run(candles, both, { model: 'linear', depth1Pct: 400 }).openMap!;
          const n = (t + 1) * 10;
          return { long: Array.from(r.long.subarray(0, n)), short: Array.from(r.short.subarray(0, n)), flows: [r.liquidated, r.adl, r.closedByOwners, r.turnover, r.opened].map((x) => Array.from(x.subarray(0, t + 1))) };
        };
        expect(rows(b)).toEqual(rows(a));
      }),
      { numRuns: 60 },
    );
  });

  it('a session stepped to bar t has the same rows as the whole run', () => {
    const candles = randomPath(Array.from({ length: 20 }, (_, i) => ({ r: i < 10 ? -0.03 : 0.035, wick: 0.01, volume: 5 })));
    const whole = run(candles, both).openMap!;
    const s = createReplay({ candles, rules: tables, seed: 1, mapGrid: GRID, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, population: both as never } });
    if (!s.ok) throw new Error(s.error.message);
    for (let k = 0; k < 12; k++) s.value.step();
    const part = s.value.result().openMap!;
    expect(part.long.length).toBe(120);
    expect(Array.from(part.long)).toEqual(Array.from(whole.long.subarray(0, 120)));
    expect(Array.from(part.short)).toEqual(Array.from(whole.short.subarray(0, 120)));
  });
});

describe('the grid', () => {
  it('is range-checked and absent unless asked', () => {
    const candles = randomPath([{ r: -0.01, wick: 0, volume: 1 }]);
    const base = { candles, rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' as const }, population: both as never } };
    const bad = runReplay({ ...base, mapGrid: { priceLow: 100, priceHigh: 100, bins: 10 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.field).toBe('mapGrid');
    expect(runReplay({ ...base, mapGrid: { priceLow: 0, priceHigh: 100, bins: 2.5 } }).ok).toBe(false);
    const plain = runReplay(base);
    expect(plain.ok && plain.value.openMap).toBeUndefined();
  });
});
