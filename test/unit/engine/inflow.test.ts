/**
 * In-window inflow (PopulationSpec.inflow, electron/backend/engine/inflow.ts), against independent
 * calculations: a synthetic crash-and-rebound path whose liquidated notional per bar is worked out by
 * hand from the venue formula and the turnover rule; a plain full-scan re-implementation on random
 * paths (the cohort heaps must find exactly what scanning every position finds); no look-ahead
 * (changing bars after t changes nothing up to t); open-interest conservation; and the range checks of
 * the engine and of the API schema. Not covered here: the validation grid (test/unit/validation).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createReplay, estimatePopulation, runReplay, type Candle } from '../../../electron/backend/engine/index';
import { toCandleColumns } from '../../../electron/backend/engine/candles';
import { scenarioSchema } from '../../../shared/scenario';
import { loadAllTables, loadTable } from './rules-fixtures';
import { hazard, isolatedLiquidation, moveArb, randomPath, syntheticBar } from './synthetic';

const tables = loadAllTables();
const btc = loadTable('binance-usdm_2020-01-01.json').symbols.BTCUSDT!;
const bar = (i: number, o: number, h: number, l: number, c: number, volume = 10): Candle => syntheticBar(i, o, h, l, c, volume);

const liq = isolatedLiquidation;


const run = (candles: Candle[], population: object, impact: { model: 'none' } | { model: 'linear'; depth1Pct: number } = { model: 'none' }) => {
  const r = runReplay({ candles, rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact, population: population as never } });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('in-window inflow on a path worked out by hand', () => {
  // Bar 0 is the look-back (flat 100, volume 10: mean traded 1,000 per bar). The population is one
  // long and one short of 1 BTC at 100 with 10× leverage (open interest 200, one bucket).
  const H = 0.01; // mean holding time in days (14.4 minutes), so the turnover is large enough to see
  const candles = [
    bar(0, 100, 100, 100, 100),
    bar(1, 100, 100, 80, 80), // out 0: crash to 80, the population long dies
    bar(2, 80, 80, 80, 80), // out 1: flat
    bar(3, 80, 95, 80, 95), // out 2: rebound, the shorts opened at 80 die
    bar(4, 95, 115, 95, 115), // out 3: second leg up, the population short and the shorts opened at 95 die
  ];
  const population = { lookbackBars: 1, openInterest: 200, buckets: [{ leverage: 10, weight: 1 }], longShare: 0.5 };
  const withInflow = { ...population, inflow: { meanHoldingDays: H } };

  // By hand. Turnover shares per replayed bar: w = 10·close/1000.
  const h0 = hazard(0.8, H);
  const h1 = hazard(0.8, H);
  const h2 = hazard(0.95, H);
  const lpPopLong = liq(1, 1, 100, 10);
  const lpPopShort = liq(-1, 1, 100, 10);
  // A position of q at entry e with 10× margin q·e/10; its liquidation price does not depend on q.
  const lpShortAt = (e: number) => liq(-1, 1, e, e / 10);
  // out 0: the long (full size, nothing has turned over yet) fills at its price (impact off).
  const out0Long = 1 * lpPopLong;
  // Open quantity 2 − 1 = 1. Cohort A opens after out 0: h0·1 BTC at 80, half long half short.
  // Cohort B opens after out 1: h1·1 at 80. In out 2 both shorts die at lpShortAt(80):
  // A's short has turned over once since (× (1 − h1)), B's not at all.
  const qA = (h0 / 2) * (1 - h1);
  const qB = h1 / 2;
  const out2Short = (qA + qB) * lpShortAt(80);
  const open2 = 1 - qA - qB;
  // Cohort C opens after out 2: h2·open2 at 95. In out 3 the population short (turned over three
  // times) and C's short die.
  const qPop = (1 - h0) * (1 - h1) * (1 - h2);
  const qC = (h2 * open2) / 2;
  const out3Short = qPop * lpPopShort + qC * lpShortAt(95);

  it('liquidates the positions opened at 80 on the rebound and those opened at 95 on the second leg, at the hand-computed notional', () => {
    const r = run(candles, withInflow);
    const s = r.steps;
    expect(Array.from(s.liquidatedNotionalLong)).toEqual([expect.closeTo(out0Long, 10), 0, 0, 0]);
    expect(s.liquidatedNotionalShort[0]).toBe(0);
    expect(s.liquidatedNotionalShort[1]).toBe(0);
    expect(s.liquidatedNotionalShort[2]).toBeCloseTo(out2Short, 10);
    expect(s.liquidatedNotionalShort[3]).toBeCloseTo(out3Short, 10);
    // Two cohort shorts in out 2, the population short and C's short in out 3.
    expect(Array.from(s.liquidatedCountShort)).toEqual([0, 0, 2, 2]);
    // One cohort per replayed bar, one long and one short each.
    expect(r.inflow).toMatchObject({ cohorts: 4, positions: 8 });
    // Opened notional: h·(open quantity)·close per bar; out 3 reopens h3 of what is left.
    const h3 = hazard(1.15, H);
    const open3 = open2 - qPop - qC;
    expect(r.inflow!.openedNotional).toBeCloseTo(h0 * 1 * 80 + h1 * 1 * 80 + h2 * open2 * 95 + h3 * open3 * 115, 10);
    expect(r.inflow!.openQuantity).toBeCloseTo(open3, 12);
  });

  it('without inflow only the population dies: no short is liquidated on the rebound, the population short whole on the second leg', () => {
    const r = run(candles, population);
    expect(r.inflow).toBeNull();
    expect(Array.from(r.steps.liquidatedNotionalShort)).toEqual([0, 0, 0, expect.closeTo(lpPopShort, 10)]);
    expect(r.steps.liquidatedNotionalLong[0]).toBeCloseTo(out0Long, 10);
  });

  it('keeps the ledger balanced with inflow, impact off and on', () => {
    expect(run(candles, withInflow).summary.ledgerImbalance).toBeLessThan(1e-9);
    expect(run(candles, withInflow, { model: 'linear', depth1Pct: 50 }).summary.ledgerImbalance).toBeLessThan(1e-9);
  });
});



/**
 * Independent re-implementation with impact off: every open position is checked at every path point
 * (no sorting, no heaps); a position opened at the close of bar a is checked from bar a + 1 and has
 * turned over to P[t]/P[a + 1] of its size; each bar reopens h·(open quantity) at its close.
 */
function fullScan(candles: Candle[], population: { lookbackBars: number; openInterest: number; buckets: { leverage: number; weight: number }[]; longShare: number }, H: number) {
  const c = toCandleColumns(candles);
  const est = estimatePopulation(c, 1, population, btc, 'linear', 1);
  type Pos = { side: 1 | -1; q: number; lp: number; openedAfter: number; alive: boolean };
  const pos: Pos[] = [];
  for (let i = 0; i < est.book.side.length; i++) {
    const side = est.book.side[i]! as 1 | -1;
    pos.push({ side, q: est.book.qty[i]!, lp: liq(side, est.book.qty[i]!, est.book.entry[i]!, est.book.margin[i]!), openedAfter: -1, alive: true });
  }
  let open = pos.reduce((s, p) => s + p.q, 0);
  const meanTraded = candles[0]!.volume * candles[0]!.close;
  const P = [1];
  const long: number[] = [];
  const short: number[] = [];
  const wsum = population.buckets.reduce((s, b) => s + b.weight, 0);
  for (let out = 0; out + 1 < candles.length; out++) {
    const k = candles[out + 1]!;
    const path = k.close >= k.open ? [k.open, k.low, k.high, k.close] : [k.open, k.high, k.low, k.close];
    let prev = out === 0 ? path[0]! : candles[out]!.close;
    let nl = 0;
    let ns = 0;
    for (const p of path) {
      for (const x of pos) {
        if (!x.alive || x.openedAfter >= out) continue;
        if (x.side > 0 ? p <= x.lp : p >= x.lp) {
          const q = (x.q * P[out]!) / P[x.openedAfter + 1]!;
          if (x.side > 0) nl += q * Math.min(x.lp, Math.max(prev, p));
          else ns += q * Math.max(x.lp, Math.min(prev, p));
          open -= q;
          x.alive = false;
        }
      }
      prev = p;
    }
    long.push(nl);
    short.push(ns);
    const h = hazard((k.volume * k.close) / meanTraded, H);
    P.push(P[out]! * (1 - h));
    const base = h * open;
    for (const side of [1, -1] as const)
      for (const b of population.buckets) {
        const q = (base * (side > 0 ? population.longShare : 1 - population.longShare) * b.weight) / wsum;
        if (q > 0) pos.push({ side, q, lp: liq(side, q, k.close, (q * k.close) / b.leverage), openedAfter: out, alive: true });
      }
  }
  return { long, short, open };
}

describe('in-window inflow against a full scan of every position', () => {
  it('liquidates exactly what checking every open position at every path point liquidates (random paths, impact off)', () => {
    const population = { lookbackBars: 1, openInterest: 1000, buckets: [{ leverage: 5, weight: 0.5 }, { leverage: 20, weight: 0.3 }, { leverage: 100, weight: 0.2 }], longShare: 0.6 };
    fc.assert(
      fc.property(fc.array(moveArb, { minLength: 1, maxLength: 40 }), fc.double({ min: 0.005, max: 2, noNaN: true }), (moves, H) => {
        const candles = randomPath(moves);
        const r = run(candles, { ...population, inflow: { meanHoldingDays: H } });
        const ref = fullScan(candles, population, H);
        for (let k = 0; k < moves.length; k++) {
          expect(r.steps.liquidatedNotionalLong[k]).toBeCloseTo(ref.long[k]!, 8);
          expect(r.steps.liquidatedNotionalShort[k]).toBeCloseTo(ref.short[k]!, 8);
        }
        expect(r.inflow!.openQuantity).toBeCloseTo(ref.open, 9);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe('no look-ahead', () => {
  it('changing the bars after bar t changes nothing at or before t (series, events, positions opened), impact on', () => {
    const population = { lookbackBars: 1, openInterest: 1000, buckets: [{ leverage: 10, weight: 1 }, { leverage: 50, weight: 1 }], longShare: 0.5, inflow: { meanHoldingDays: 0.05 } };
    fc.assert(
      fc.property(fc.array(moveArb, { minLength: 4, maxLength: 30 }), fc.array(moveArb, { minLength: 1, maxLength: 10 }), fc.nat(), (moves, other, cut) => {
        const t = cut % (moves.length - 1); // last replayed bar kept identical
        const a = randomPath(moves);
        const b = randomPath([...moves.slice(0, t + 1), ...other]);
        const impact = { model: 'linear', depth1Pct: 400 } as const;
        // Replay both up to and including bar t, one bar per step: the whole state seen so far
        // (series, events, what inflow opened at bar t's close, open quantity) must be identical.
        const upTo = (candles: Candle[]) => {
          const s = createReplay({ candles, rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact, population } });
          if (!s.ok) throw new Error(s.error.message);
          for (let k = 0; k <= t; k++) s.value.step();
          const r = s.value.result();
          return { steps: Object.fromEntries(Object.entries(r.steps).map(([k, v]) => [k, Array.from(v as Float64Array)])), events: r.events, inflow: r.inflow, summary: r.summary };
        };
        expect(upTo(b)).toEqual(upTo(a));
        // And the full replay of a agrees with its first t + 1 bars.
        const full = run(a, population, impact);
        expect(Array.from(full.steps.liquidatedNotionalShort.subarray(0, t + 1))).toEqual(upTo(a).steps.liquidatedNotionalShort);
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('a position opened at bar t is not checked within bar t: a cohort opened at a close is safe from that bar’s own wick', () => {
    // Bar 1 wicks to 60 then closes at 100: anything opened at its close with 10× (liquidation ≈ 90.4)
    // would be liquidated if bar 1's low counted; bar 2 is flat at 100.
    const candles = [bar(0, 100, 100, 100, 100), bar(1, 100, 100, 60, 100), bar(2, 100, 100, 100, 100)];
    const r = run(candles, { lookbackBars: 1, openInterest: 200, buckets: [{ leverage: 10, weight: 1 }], inflow: { meanHoldingDays: 0.01 } });
    expect(r.steps.liquidatedCountLong[0]).toBe(1); // the population long, in bar 1
    expect(r.steps.liquidatedCountLong[1]).toBe(0); // nothing opened at bar 1's close dies
  });
});

describe('open interest', () => {
  it('stays at the population’s quantity when nothing is liquidated: each bar reopens exactly h·Q0 at its close', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ r: fc.double({ min: -0.01, max: 0.01, noNaN: true }), wick: fc.constant(0), volume: fc.double({ min: 0.1, max: 50, noNaN: true }) }), { minLength: 1, maxLength: 50 }), (moves) => {
        const candles = randomPath(moves);
        // 2× leverage: liquidation ≈ 50% away, never reached by ±1% bars over 50 bars.
        const r = run(candles, { lookbackBars: 1, openInterest: 500, buckets: [{ leverage: 2, weight: 1 }], inflow: { meanHoldingDays: 0.02 } });
        expect(r.summary.liquidatedLong.count + r.summary.liquidatedShort.count).toBe(0);
        const q0 = 500 / 100; // open interest 500 at the look-back close 100
        let opened = 0;
        for (const k of candles.slice(1)) opened += hazard((k.volume * k.close) / (5 * 100), 0.02) * q0 * k.close;
        expect(r.inflow!.openedNotional).toBeCloseTo(opened, 9);
        expect(r.inflow!.openQuantity).toBeCloseTo(q0, 12);
      }),
      { numRuns: 40, seed: 3 },
    );
  });
});

describe('inflow option checks', () => {
  const candles = [bar(0, 100, 100, 100, 100), bar(1, 100, 100, 100, 100)];
  it('is off unless asked', () => {
    expect(run(candles, { lookbackBars: 1, openInterest: 200 }).inflow).toBeNull();
  });

  it('the engine refuses absurd holding times, naming the field', () => {
    for (const meanHoldingDays of [0, -1, Number.NaN, 1e9]) {
      const r = runReplay({ candles, rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, population: { lookbackBars: 1, inflow: { meanHoldingDays } } } });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.field).toBe('scenario.population.inflow.meanHoldingDays');
    }
  });

  it('the API schema refuses absurd or malformed inflow with a message that says what is expected', () => {
    const parse = (inflow: unknown) => scenarioSchema.safeParse({ venue: 'binance-usdm', impact: { model: 'none' }, population: { lookbackBars: 10, inflow } });
    expect(parse({ meanHoldingDays: 30 }).success).toBe(true);
    const cases: [unknown, RegExp][] = [
      [{ meanHoldingDays: 0 }, /> 0 days/],
      [{ meanHoldingDays: -3 }, /> 0 days/],
      [{ meanHoldingDays: 1e6 }, /≤ 3650 days/],
      [{ meanHoldingDays: 'long' }, /number of days/],
      [{ meanHoldingDays: 30, extra: 1 }, /extra|unrecognized/i],
      [{}, /number of days/],
    ];
    for (const [inflow, message] of cases) {
      const r = parse(inflow);
      expect(r.success, JSON.stringify(inflow)).toBe(false);
      if (!r.success) expect(r.error.issues.map((i) => i.message).join('; ')).toMatch(message);
    }
  });
});
