/**
 * Design-lab properties (fast-check) on real crash windows read in place, with the mechanism's
 * parameters, the market depth and the leverage mix generated: a circuit breaker executes nothing
 * while halted and changes nothing before it trips, but CAN make the worst effective move larger
 * (release overshoot: a finding, asserted with its numbers); a bigger insurance fund never raises
 * ADL volume. Plus the closed forms the lab adds (gradual-sale factor, slices). Not covered: the
 * worker plumbing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATALOG, readEventCandles, sharedDataDir } from '../../../electron/backend/services/validation-data';
import { shippedRules } from '../../../electron/backend/services/venue-tables';
import { DEFAULT_PARAMETERS, eventWindow, openInterestRatios, type EventCandles, type PopulationParameters } from '../../../electron/backend/engine/validation';
import { calibrateDepth, cellOutcome, DEFAULT_MECHANISMS, deimpactEvent, gradualImpactFactor, planCell, replayCell, sliceBook, withDepth, type MechanismSpec } from '../../../electron/backend/engine/mechanisms';
import { isolatedLinearLiquidationPrice } from '../../../electron/backend/engine/position-book';

const dir = sharedDataDir();
const all: EventCandles[] = CATALOG.events.map((e) => eventWindow(readEventCandles(dir, e.file), e));
const kappa = openInterestRatios(all);
const rules = shippedRules();

function outcome(e: EventCandles, mech: MechanismSpec, leveragedShare: number, depthFactor: number, population: Partial<PopulationParameters> = {}) {
  const event = { ...e.event, depth: { usdAt1Pct: depthFactor * 300e6, source: 'test' } };
  const ev = { event, candles: e.candles };
  const plan = planCell(ev, mech, { ...DEFAULT_PARAMETERS, leveragedShare, ...population }, kappa, rules, 1);
  if (!plan.ok) throw new Error(plan.error.message);
  const r = replayCell(plan.value, rules, 1);
  if (!r.ok) throw new Error(r.error.message);
  return cellOutcome(ev, mech, plan.value, r.value);
}

const eventArb = fc.constantFrom(...all.filter((e) => e.event.id !== '2022-05-10'));

function replay(e: EventCandles, mech: MechanismSpec, leveragedShare: number, depthFactor: number) {
  const event = { ...e.event, depth: { usdAt1Pct: depthFactor * 300e6, source: 'test' } };
  const plan = planCell({ event, candles: e.candles }, mech, { ...DEFAULT_PARAMETERS, leveragedShare }, kappa, rules, 1);
  if (!plan.ok) throw new Error(plan.error.message);
  const r = replayCell(plan.value, rules, 1);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Index of the bar holding time t (bars are sorted by open time). */
function barOf(times: ArrayLike<number>, t: number): number {
  let k = 0;
  while (k + 1 < times.length && times[k + 1]! <= t) k++;
  return k;
}

describe('design lab properties', () => {
  // FINDING (issue 9 asked for "a circuit breaker never increases the worst effective price move";
  // that is false for this mechanism, and the two tests below say so instead of hiding it). A halt
  // holds liquidations back; when it ends, every position still under water is liquidated at once,
  // later and in fewer, larger rounds, so their transient impact has had less time to decay when the
  // price reaches its trough (and, under linear depth, one order of a+b moves the price by a+b where
  // two orders move it by a+b−ab). The breaker can thus liquidate LESS and still leave a deeper
  // trough: the known critique of halts, release overshoot. fast-check found the case (seed 9).
  it('finding: a circuit breaker can deepen the worst move (2021-05-19, halt at 2% over 1 min for 1 min)', () => {
    const e = all.find((x) => x.event.id === '2021-05-19')!;
    const base: MechanismSpec = { id: 'b', label: 'b', insuranceFundUsd: 1e8, shortfall: 'adl' };
    const breaker: MechanismSpec = { ...base, circuitBreaker: { thresholdPct: 2, windowMinutes: 1, haltMinutes: 1 } };
    // Leveraged share 1% of open interest; depth 0.2 × $300M = $60M per 1% move.
    // The population of the finding: one-day look-back entries, no owner reaction.
    const lookback = { meanAgeDays: null, reactionMinutes: null };
    const without = outcome(e, base, 0.01, 0.2, lookback);
    const withBreaker = outcome(e, breaker, 0.01, 0.2, lookback);
    expect(withBreaker.halts).toBeGreaterThan(0);
    // The finding itself: a deeper trough with less liquidated.
    expect(withBreaker.effectiveMove).toBeLessThan(without.effectiveMove);
    expect(withBreaker.liquidatedNotional).toBeLessThan(without.liquidatedNotional);
    // Snapshot non-regression (figures of this replay, quoted on the Assumptions page): −30.3111% →
    // −30.3118% worst effective move against −29.99% for the real path; 29 halts.
    expect(without.effectiveMove).toBeCloseTo(-0.303111, 6);
    expect(withBreaker.effectiveMove).toBeCloseTo(-0.303118, 6);
    expect(without.exogenousMove).toBeCloseTo(-0.2999, 4);
    expect(withBreaker.halts).toBe(29);
  });

  it('a circuit breaker executes no liquidation while halted, and changes nothing before it first trips', () => {
    let haltedRuns = 0;
    fc.assert(
      fc.property(
        eventArb,
        fc.double({ min: 0.02, max: 0.2, noNaN: true }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        (e, threshold, windowMinutes, haltMinutes, share, depth) => {
          const base: MechanismSpec = { id: 'b', label: 'b', insuranceFundUsd: 1e8, shortfall: 'adl' };
          const without = replay(e, base, share, depth).steps;
          const r = replay(e, { ...base, circuitBreaker: { thresholdPct: threshold * 100, windowMinutes, haltMinutes } }, share, depth);
          const s = r.steps;
          // Bars in which a halt was triggered (liquidations before the trigger, in the same bar, are allowed).
          const triggerBars = new Set<number>();
          for (const ev of r.events) if (ev.kind === 'halt') triggerBars.add(barOf(s.time, ev.time));
          let halted = 0;
          for (let k = 0; k < s.time.length; k++) {
            if (s.halted[k] !== 1 || triggerBars.has(k)) continue;
            halted++;
            expect(s.liquidatedNotionalLong[k]).toBe(0);
            expect(s.liquidatedNotionalShort[k]).toBe(0);
            expect(s.liquidatedCountLong[k]! + s.liquidatedCountShort[k]!).toBe(0);
            expect(s.adlVolume[k]).toBe(0);
          }
          for (const ev of r.events) {
            if (ev.kind !== 'liquidation' && ev.kind !== 'partial_liquidation' && ev.kind !== 'adl') continue;
            const k = barOf(s.time, ev.time);
            expect(s.halted[k] !== 1 || triggerBars.has(k)).toBe(true);
          }
          // Until the first trigger bar, the run is the run without a breaker, bit for bit.
          const first = triggerBars.size > 0 ? Math.min(...triggerBars) : s.time.length;
          expect(halted > 0 || triggerBars.size === 0 || first === s.time.length - 1).toBe(true);
          if (halted > 0) haltedRuns++;
          for (let k = 0; k < first; k++) {
            expect(s.effectiveLow[k]).toBe(without.effectiveLow[k]);
            expect(s.effectiveHigh[k]).toBe(without.effectiveHigh[k]);
            expect(s.liquidatedNotionalLong[k]).toBe(without.liquidatedNotionalLong[k]);
            expect(s.liquidatedNotionalShort[k]).toBe(without.liquidatedNotionalShort[k]);
            expect(s.insuranceFund[k]).toBe(without.insuranceFund[k]);
          }
        },
      ),
      { numRuns: 20, seed: 9 },
    );
    // Not vacuous: most generated breakers do halt on these crashes.
    expect(haltedRuns).toBeGreaterThan(10);
  });

  it('a bigger insurance fund never increases ADL volume', () => {
    fc.assert(
      fc.property(
        eventArb,
        fc.double({ min: 0, max: 2e9, noNaN: true }),
        fc.double({ min: 0, max: 2e9, noNaN: true }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        (e, a, b, share, depth) => {
          const [small, big] = a <= b ? [a, b] : [b, a];
          const m = (fund: number): MechanismSpec => ({ id: 'f', label: 'f', insuranceFundUsd: fund, shortfall: 'adl' });
          expect(outcome(e, m(big), share, depth).adlVolume).toBeLessThanOrEqual(outcome(e, m(small), share, depth).adlVolume + 1e-6);
        },
      ),
      { numRuns: 20, seed: 9 },
    );
  });
});

describe('mechanisms added by the lab', () => {
  it('gradual sale: no spreading is the immediate impact; spreading over x half-lives follows the closed form', () => {
    const res = { halfLifeSeconds: 300, permanentShare: 0.5 };
    expect(gradualImpactFactor(0, res)).toBe(1);
    // x = 2: 0.5 + 0.5·(1 − 1/4)/(2·ln 2) = 0.5 + 0.375/ln 2 / 2 … computed independently:
    expect(gradualImpactFactor(600, res)).toBeCloseTo(0.5 + 0.5 * (0.75 / (2 * Math.LN2)), 12);
    expect(gradualImpactFactor(1800, res)).toBeLessThan(gradualImpactFactor(600, res));
  });

  it('slices: five slices of a long, each triggered at the remainder’s liquidation price, further and further away', () => {
    const btc = rules.find((r) => r.venue === 'binance-usdm')!.symbols.BTCUSDT!;
    // Long 1 BTC at 10,000 with 1,000 margin (DESIGN.md §3.1 check: whole-position LP 9,036.14).
    const book = { side: Int8Array.of(1), qty: Float64Array.of(1), entry: Float64Array.of(10000), margin: Float64Array.of(1000) };
    const sliced = sliceBook(book, btc, 0.2);
    const f = Float64Array.from(btc.brackets, (b) => b.floor), c = Float64Array.from(btc.brackets, (b) => b.cap), m = Float64Array.from(btc.brackets, (b) => b.mmr), u = Float64Array.from(btc.brackets, (b) => b.cum);
    const lps = Array.from(sliced.qty, (q, i) => isolatedLinearLiquidationPrice(f, c, m, u, 1, q, sliced.entry[i]!, sliced.margin[i]!));
    expect(lps[0]).toBeCloseTo(9036.14, 2);
    expect(sliced.qty.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
    for (let i = 1; i < lps.length; i++) expect(lps[i]!).toBeLessThan(lps[i - 1]!);
  });
});

describe('de-impacting the observed path (the lab replays mechanisms on X, not on the observed path)', () => {
  it('recovers a known exogenous path from the path the baseline made of it', () => {
    // Known X: the real 2024-08-05 candles. Depth 2 × $300M per 1% and 10% of open interest
    // leveraged (impact present but not runaway). O = the baseline's effective path on X: each
    // replayed bar of X scaled (OHLC alike) by E_close/X_close. The fixed point must find X again.
    const e = all.find((x) => x.event.id === '2024-08-05')!;
    const event = { ...e.event, depth: { usdAt1Pct: 2 * 300e6, source: 'test' } };
    const p = { ...DEFAULT_PARAMETERS, leveragedShare: 0.1 };
    const baseline = DEFAULT_MECHANISMS[0]!;
    const plan = planCell({ event, candles: e.candles }, baseline, p, kappa, rules, 1);
    if (!plan.ok) throw new Error(plan.error.message);
    const r = replayCell(plan.value, rules, 1);
    if (!r.ok) throw new Error(r.error.message);
    const start = plan.value.scenario.startIndex!;
    const X = e.candles;
    const scaled = (a: Float64Array): Float64Array => Float64Array.from(a, (v, i) => (i < start ? v : v * (r.value.steps.effectiveClose[i - r.value.firstBar]! / X.close[i]!)));
    const O = { ...X, open: scaled(X.open), high: scaled(X.high), low: scaled(X.low), close: scaled(X.close) };
    let moved = 0;
    for (let i = start; i < X.close.length; i++) moved = Math.max(moved, Math.abs(Math.log(O.close[i]! / X.close[i]!)));
    expect(moved).toBeGreaterThan(1e-3); // the impact is not negligible: there is something to undo
    const got = deimpactEvent({ event, candles: O }, baseline, p, kappa, rules, 1);
    if (!got.ok) throw new Error(got.error.message);
    expect(got.value.info.converged).toBe(true);
    expect(got.value.info.residual).toBeLessThanOrEqual(1e-4);
    let err = 0;
    for (let i = 0; i < X.close.length; i++) err = Math.max(err, Math.abs(Math.log(got.value.candles.close[i]! / X.close[i]!)), Math.abs(Math.log(got.value.candles.low[i]! / X.low[i]!)));
    expect(err).toBeLessThan(1e-3);
  });
});

describe('calibrating depth with the population (the lab’s liquidity)', () => {
  it('picks the smallest multiplier of the resting depth at which every in-sample path de-impacts, and the one before it does not', () => {
    // All open interest leveraged at ×2 (the shape the validation fits): dense enough that the
    // reported resting depth (k = 1) makes the cascade pin some in-sample path.
    const p = { ...DEFAULT_PARAMETERS, leveragedShare: 1, leverageScale: 2, meanAgeDays: 90, reactionMinutes: 60 };
    const inSample = CATALOG.calibration.inSample;
    const cal = calibrateDepth(all, inSample, DEFAULT_MECHANISMS[0]!, p, kappa, rules, 1);
    if (!cal.ok) throw new Error(cal.error.message);
    const c = cal.value;
    expect(c.met).toBe(true);
    expect(c.inSample).toEqual(inSample);
    const chosen = c.grid.at(-1)!;
    expect(chosen.multiplier).toBe(c.multiplier);
    expect([...chosen.converged].sort()).toEqual([...inSample].sort());
    for (const id of inSample) expect(chosen.residuals[id]).toBeLessThanOrEqual(1e-4);
    // Every smaller multiplier tried left at least one in-sample path unconverged, and k = 1 was tried first.
    expect(c.grid[0]!.multiplier).toBe(1);
    expect(c.multiplier).toBeGreaterThan(1);
    for (const g of c.grid.slice(0, -1)) expect(g.converged.length).toBeLessThan(inSample.length);
    // The multiplied depth is what the cells are planned with.
    const e = all[0]!;
    const plan = planCell(withDepth(e, c.multiplier), DEFAULT_MECHANISMS[0]!, p, kappa, rules, 1);
    if (!plan.ok) throw new Error(plan.error.message);
    expect(plan.value.bookReaction).toEqual({ lossShare: 0.5, minutes: 60 });
    expect(plan.value.depthUsd).toBeCloseTo(c.multiplier * ((e.event.depth.btcAt2Pct ?? 0) / 2) * e.candles.open[plan.value.scenario.startIndex!]!, 3);
  });
});
