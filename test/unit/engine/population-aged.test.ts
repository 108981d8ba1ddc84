/**
 * The aged population and owners' reaction (PopulationSpec.meanAgeDays / reaction), checked
 * against independent calculations: the Brownian-bridge survival against simulated random walks,
 * the surviving notional against the requested open interest, and the reaction's share still open
 * at liquidation against exp(−Δt/T) worked out from the candle path by hand.
 */
import { describe, expect, it } from 'vitest';
import { estimatePopulation, runReplay, type Candle } from '../../../electron/backend/engine/index';
import { AGED_GRID, realisedDailyVolatility } from '../../../electron/backend/engine/population';
import { toCandleColumns } from '../../../electron/backend/engine/candles';
import { Prng } from '../../../electron/backend/engine/prng';
import { loadAllTables, loadTable } from './rules-fixtures';

const tables = loadAllTables();
const btc = loadTable('binance-usdm_2020-01-01.json').symbols.BTCUSDT!;
const T0 = 1_600_000_000;
const bar = (i: number, o: number, h: number, l: number, c: number): Candle => ({ time: T0 + 60 * i, open: o, high: h, low: l, close: c, volume: 1 });

/** A 1m look-back of `n` bars alternating ±r in log price around 10,000. */
function zigzag(n: number, r: number): Candle[] {
  const out: Candle[] = [];
  let p = 10_000;
  for (let i = 0; i < n; i++) {
    const q = p * Math.exp(i % 2 === 0 ? r : -r);
    out.push(bar(i, p, Math.max(p, q), Math.min(p, q), q));
    p = q;
  }
  return out;
}

describe('aged population', () => {
  const lookback = zigzag(1440, 0.001);
  const c = toCandleColumns(lookback);

  it('measures the look-back’s realised daily volatility: 0.001 per minute is 0.001·√1440 per day', () => {
    expect(realisedDailyVolatility(c, 0, 1440, 60)).toBeCloseTo(0.001 * Math.sqrt(1440), 12);
  });

  it('keeps only positions on the safe side of the last close and scales the survivors to the open interest', () => {
    const est = estimatePopulation(c, 1440, { lookbackBars: 1440, meanAgeDays: 30, openInterest: 1e9 }, btc, 'linear', 1);
    const p = c.close[1439]!;
    const b = est.book;
    let notional = 0;
    for (let i = 0; i < b.side.length; i++) {
      const lev = (b.qty[i]! * b.entry[i]!) / b.margin[i]!;
      // Liquidation price of an isolated linear position in the first tier (mmr 0.4%): E(1 ∓ 1/L)/(1 ∓ mmr).
      const lp = b.side[i]! > 0 ? (b.entry[i]! * (1 - 1 / lev)) / (1 - 0.004) : (b.entry[i]! * (1 + 1 / lev)) / (1 + 0.004);
      if (b.side[i]! > 0) expect(lp).toBeLessThan(p);
      else expect(lp).toBeGreaterThan(p);
      notional += b.qty[i]! * b.entry[i]!;
    }
    expect(notional / 1e9).toBeCloseTo(1, 9);
    expect(est.parameters.survivingNotional / 1e9).toBeCloseTo(1, 9);
    // Both sides survive (half long, half short before survival).
    expect(b.side.some((s) => s > 0) && b.side.some((s) => s < 0)).toBe(true);
    expect(est.parameters.meanAgeDays).toBe(30);
    const nodes = AGED_GRID.ages * (Math.round((2 * AGED_GRID.zMax) / AGED_GRID.zStep) + 1) * 2 * 5;
    expect(est.parameters.positions + est.parameters.droppedAlreadyLiquidated).toBe(nodes);
  });

  it('gives each node the notional φ(z)·survival of the bridge formula (long 5× checked node by node)', () => {
    const est = estimatePopulation(c, 1440, { lookbackBars: 1440, meanAgeDays: 30, openInterest: 1e9 }, btc, 'linear', 1);
    const p = c.close[1439]!;
    const sigma = 0.001 * Math.sqrt(1440);
    const b = est.book;
    const expected: number[] = [];
    const actual: number[] = [];
    for (let a = 0; a < AGED_GRID.ages; a++) {
      const age = -30 * Math.log(1 - (a + 0.5) / AGED_GRID.ages);
      const s = sigma * Math.sqrt(age);
      for (let z = -AGED_GRID.zMax; z <= AGED_GRID.zMax + 1e-9; z += AGED_GRID.zStep) {
        const e = p * Math.exp(s * z);
        const lp = (e * (1 - 1 / 5)) / (1 - 0.004);
        const survive = lp < p ? 1 - Math.exp((-2 * Math.log(e / lp) * Math.log(p / lp)) / (s * s)) : 0;
        if (survive > 0) expected.push(Math.exp((-z * z) / 2) * survive);
      }
    }
    // The book keeps the nodes in grid order (age, z, side, bucket); long 5× is bucket 0.
    for (let k = 0; k < b.side.length; k++) if (b.bucket![k] === 0) actual.push(b.qty[k]! * b.entry[k]!);
    expect(actual).toHaveLength(expected.length);
    const se = expected.reduce((x, y) => x + y, 0);
    const sa = actual.reduce((x, y) => x + y, 0);
    for (let k = 0; k < expected.length; k++) expect(actual[k]! / sa).toBeCloseTo(expected[k]! / se, 9);
  });

  it('weights each entry by the Brownian-bridge survival 1 − exp(−2ab/(σ²A)), as simulated walks from the entry to P show', () => {
    // One node checked by simulation: a walk of variance s² = σ²A pinned at both ends (a bridge
    // from ln E to ln P), 400 steps, 20,000 paths; the share that never falls to ln LP.
    const s = 0.08;
    const lnE = Math.log(10_500);
    const lnP = Math.log(10_000);
    const lnLP = Math.log(9_600);
    const formula = 1 - Math.exp((-2 * (lnE - lnLP) * (lnP - lnLP)) / (s * s));
    const prng = Prng.fromSeed(7);
    const steps = 400;
    const paths = 20_000;
    let survived = 0;
    for (let k = 0; k < paths; k++) {
      // Brownian motion W on [0,1] with variance s², bridged: B(t) = lnE + W(t) − t(W(1) − (lnP − lnE)).
      const w = new Float64Array(steps + 1);
      for (let i = 1; i <= steps; i++) {
        const u1 = Math.max(prng.nextFloat(), 1e-300);
        const u2 = prng.nextFloat();
        w[i] = w[i - 1]! + s * Math.sqrt(1 / steps) * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      }
      let hit = false;
      for (let i = 0; i <= steps && !hit; i++) {
        const t = i / steps;
        if (lnE + w[i]! - t * (w[steps]! - (lnP - lnE)) <= lnLP) hit = true;
      }
      if (!hit) survived++;
    }
    // A walk watched at 400 points misses crossings between them: it matches the continuous formula
    // with the barrier moved away by 0.5826·s·√Δt (Broadie, Glasserman and Kou 1997). Sampling error ≈ 0.0035.
    const shifted = lnLP - 0.5826 * s * Math.sqrt(1 / steps);
    const corrected = 1 - Math.exp((-2 * (lnE - shifted) * (lnP - shifted)) / (s * s));
    expect(Math.abs(survived / paths - corrected)).toBeLessThan(0.012);
    expect(corrected - formula).toBeGreaterThan(0.012); // the correction matters: the check can tell them apart
    expect(formula).toBeGreaterThan(0.3);
    expect(formula).toBeLessThan(0.9);
  });
});

describe('owners reacting before liquidation', () => {
  // A flat look-back at 10,000 (σ = 0: every aged position enters at 10,000 and survives), then a
  // fall of 1% of 10,000 per 1m bar. Longs only, 10× only: LP = 10,000·0.9/0.996 = 9,036.14; half
  // the margin (500 per 10,000 of notional) is lost at 9,500. Replayed bar j closes (and lows) at
  // 10,000·(1 − 0.01(j+1)): 9,500 is first reached in bar 4, LP in bar 9 (low 9,000). Δt = 5 minutes.
  const flatBars = Array.from({ length: 10 }, (_, i) => bar(i, 10_000, 10_000, 10_000, 10_000));
  const fall = Array.from({ length: 12 }, (_, j) => {
    const o = 10_000 * (1 - 0.01 * j);
    const cl = 10_000 * (1 - 0.01 * (j + 1));
    return bar(10 + j, o, o, cl, cl);
  });
  const run = (reaction?: { lossShare: number; minutes: number }) => {
    const r = runReplay({
      candles: [...flatBars, ...fall],
      rules: tables,
      seed: 1,
      scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, population: { lookbackBars: 10, meanAgeDays: 30, openInterest: 1e6, longShare: 1, buckets: [{ leverage: 10, weight: 1 }], ...(reaction ? { reaction } : {}) } },
    });
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };

  it('liquidates exp(−Δt/T) of each position, Δt the minutes since it lost half its margin, and counts the rest as closed by owners', () => {
    const held = run();
    const reacting = run({ lossShare: 0.5, minutes: 10 });
    const lp = (10_000 * 0.9) / 0.996;
    const qty = 1e6 / 10_000;
    const liquidated = (r: typeof held) => r.steps.liquidatedNotionalLong.reduce((s, v) => s + v, 0);
    // Without reaction: everything at LP in bar 9.
    expect(liquidated(held)).toBeCloseTo(qty * lp, 6);
    expect(held.steps.liquidatedNotionalLong[9]).toBeCloseTo(qty * lp, 6);
    expect(held.closedByOwnerNotional).toBe(0);
    // With a 10-minute reaction: exp(−5/10) of it.
    const f = Math.exp(-5 / 10);
    expect(liquidated(reacting)).toBeCloseTo(qty * lp * f, 6);
    expect(reacting.steps.liquidatedNotionalLong[9]).toBeCloseTo(qty * lp * f, 6);
    expect(reacting.closedByOwnerNotional).toBeCloseTo(qty * lp * (1 - f), 6);
    // Money is conserved with the owners' part settled too.
    expect(reacting.summary.ledgerImbalance).toBeLessThan(1e-6);
  });

  it('keeps the owners’ clock running through circuit-breaker halts', () => {
    // Same fall, with a breaker (1.5% over 2 bars, halt 2 bars) holding liquidations back. Half the
    // margin is still lost in bar 4 whether or not that bar is halted; the position is liquidated at
    // the first point after LP that is not halted (read from the events), and what is left of it then
    // is exp(−(that bar − 4)/10) of 100 BTC.
    const r = runReplay({
      candles: [...flatBars, ...fall],
      rules: tables,
      seed: 1,
      scenario: {
        venue: 'binance-usdm',
        symbol: 'BTCUSDT',
        impact: { model: 'none' },
        circuitBreaker: { windowBars: 2, threshold: 0.015, haltBars: 2 },
        population: { lookbackBars: 10, meanAgeDays: 30, openInterest: 1e6, longShare: 1, buckets: [{ leverage: 10, weight: 1 }], reaction: { lossShare: 0.5, minutes: 10 } },
      },
    });
    if (!r.ok) throw new Error(r.error.message);
    const v = r.value;
    expect(v.steps.halted.some((h) => h === 1)).toBe(true);
    const liq = v.events.filter((e) => e.kind === 'liquidation');
    expect(liq.length).toBeGreaterThan(0);
    const bar = Math.floor((liq[0]!.time - (T0 + 600)) / 60);
    // Held back past bar 9, where LP was first reached (liquidations come before a trip within a bar).
    expect(v.steps.halted[9]).toBe(1);
    expect(bar).toBeGreaterThan(9);
    const qty = liq.reduce((s, e) => s + e.notional / e.price, 0);
    expect(qty).toBeCloseTo(100 * Math.exp(-(bar - 4) / 10), 6);
  });

  it('reacts on the same clock for shorts on a rise', () => {
    const rise = fall.map((b, j) => {
      const o = 10_000 * (1 + 0.01 * j);
      const cl = 10_000 * (1 + 0.01 * (j + 1));
      return { ...b, open: o, high: cl, low: o, close: cl };
    });
    const r = runReplay({
      candles: [...flatBars, ...rise],
      rules: tables,
      seed: 1,
      scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, population: { lookbackBars: 10, meanAgeDays: 30, openInterest: 1e6, longShare: 0, buckets: [{ leverage: 10, weight: 1 }], reaction: { lossShare: 0.5, minutes: 10 } } },
    });
    if (!r.ok) throw new Error(r.error.message);
    const v = r.value;
    // Short 10×: LP = 10,000·1.1/1.004 = 10,956.18; half the margin lost at 10,500 (bar 4); LP reached in bar 9 (high 11,000).
    const lp = (10_000 * 1.1) / 1.004;
    const total = v.steps.liquidatedNotionalShort.reduce((s, x) => s + x, 0);
    expect(total).toBeCloseTo(100 * lp * Math.exp(-0.5), 6);
    expect(v.steps.liquidatedNotionalShort[9]).toBeCloseTo(total, 9);
  });

  it('refuses absurd reaction and age parameters, naming the field', () => {
    const bad = runReplay({
      candles: [...flatBars, ...fall],
      rules: tables,
      seed: 1,
      scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, population: { lookbackBars: 10, meanAgeDays: 30, reaction: { lossShare: 1.5, minutes: 10 } } },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.field).toBe('scenario.population.reaction');
    const age = runReplay({ candles: [...flatBars, ...fall], rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, population: { lookbackBars: 10, meanAgeDays: -1 } } });
    expect(!age.ok && age.error.field).toBe('scenario.population.meanAgeDays');
  });
});
