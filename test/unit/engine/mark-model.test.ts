/**
 * The mark model (scenario.mark, candles.ts MarkSpec): which liquidations a wick triggers under the
 * candle path, the closes and a damped wick, worked out by hand on hand-made candles; the mark never
 * looks ahead (replaying a prefix gives the same bars and events); the default and an explicit
 * candle path give the same bits; bad values are refused naming the field.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runReplay, type Candle, type ReplayInput, type ReplayResult } from '../../../electron/backend/engine/index';
import { scenarioSchema } from '../../../shared/scenario';
import { loadAllTables } from './rules-fixtures';

const tables = loadAllTables();
const T0 = 1_600_000_000; // 2020-09-13: the 2020-01-01 Binance table (first tier MMR 0.4%)
const bar = (i: number, o: number, h: number, l: number, c: number): Candle => ({ time: T0 + 60 * i, open: o, high: h, low: l, close: c, volume: 1 });
const flat = (i: number, p: number) => bar(i, p, p, p, p);

type Mark = NonNullable<ReplayInput['scenario']['mark']>;
function replay(candles: Candle[], portfolio: unknown, mark?: Mark, impact: ReplayInput['scenario']['impact'] = { model: 'none' }): ReplayResult {
  const r = runReplay({ candles, portfolio, rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact, ...(mark ? { mark } : {}) } });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
const one = (side: 'long' | 'short') => ({ accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [{ id: 'A', symbol: 'BTCUSDT', side, qty: 1, entry: 10000, margin: 1000 }] }] });
const liquidations = (r: ReplayResult) => r.events.filter((e) => e.kind === 'liquidation');

// Isolated, qty 1, entry 10,000, margin 1,000, MMR 0.4%, no maintenance amount: the venue formula
// LP = (WB − s·q·E) / (q·MMR − s·q) by hand.
const LP_LONG = (1000 - 10000) / (0.004 - 1); // 9,036.1446
const LP_SHORT = (1000 + 10000) / (0.004 + 1); // 10,956.1753

describe('a wick below a long’s liquidation price, every close above it', () => {
  // Bar 1 is bearish: O 10,000 → H 10,000 → L 9,000 → C 9,100. The low is below LP_LONG, the
  // closes (10,000 and 9,100) are above it.
  const candles = [flat(0, 10000), bar(1, 10000, 10000, 9000, 9100), flat(2, 9100)];

  it('candle path: liquidated on the low point (⅔ of bar 1) at its liquidation price', () => {
    const r = replay(candles, one('long'));
    expect(r.markSource).toBe('candle-path');
    const ev = liquidations(r);
    expect(ev).toHaveLength(1);
    expect(ev[0]!.time).toBe(T0 + 60 + 40);
    expect(ev[0]!.price).toBeCloseTo(LP_LONG, 6);
  });

  it('close: not liquidated (the mark goes 10,000 → 9,100 → 9,100)', () => {
    const r = replay(candles, one('long'), { source: 'close' });
    expect(r.markSource).toBe('close');
    expect(liquidations(r)).toHaveLength(0);
    expect(r.positions[0]!.remainingQty).toBe(1);
    // The effective extremes are the mark's: bar 1's low is its close, not its wick.
    expect(r.steps.effectiveLow[1]).toBe(9100);
  });

  it('damped: liquidated exactly when the damped low 9,100 − k·(9,100 − 9,000) reaches the liquidation price', () => {
    const kStar = (9100 - LP_LONG) / (9100 - 9000); // 0.638554…
    expect(kStar).toBeGreaterThan(0.63);
    expect(kStar).toBeLessThan(0.64);
    const below = replay(candles, one('long'), { source: 'damped', wick: kStar - 1e-6 });
    expect(below.markSource).toBe(`damped(wick=${kStar - 1e-6})`);
    expect(liquidations(below)).toHaveLength(0);
    const above = replay(candles, one('long'), { source: 'damped', wick: kStar + 1e-6 });
    const ev = liquidations(above);
    expect(ev).toHaveLength(1);
    // Trigger on the mark at the damped low point, fill at the trigger (the mark passed through LP).
    expect(ev[0]!.time).toBe(T0 + 60 + 40);
    expect(ev[0]!.price).toBeCloseTo(LP_LONG, 6);
    expect(above.steps.effectiveLow[1]).toBeCloseTo(9100 - (kStar + 1e-6) * 100, 9);
  });

  it('close: a later close below the liquidation price liquidates on the mark’s move from the previous close, at the price', () => {
    // Bar 2 closes at 9,000 < LP: the mark path is 9,100 → 9,000 (reached at ⅓ of the bar), passing through LP.
    const r = replay([flat(0, 10000), bar(1, 10000, 10000, 9000, 9100), bar(2, 9100, 9150, 8900, 9000)], one('long'), { source: 'close' });
    const ev = liquidations(r);
    expect(ev).toHaveLength(1);
    expect(ev[0]!.time).toBe(T0 + 120 + 20);
    expect(ev[0]!.price).toBeCloseTo(LP_LONG, 6);
  });
});

describe('a wick above a short’s liquidation price, every close below it', () => {
  // Bar 1 is bullish: O 10,000 → L 10,000 → H 11,100 → C 10,900; damped high = 10,900 + k·200.
  const candles = [flat(0, 10000), bar(1, 10000, 11100, 10000, 10900)];
  it('candle path liquidates, close does not, damped exactly from k = (LP − 10,900)/200', () => {
    expect(liquidations(replay(candles, one('short')))).toHaveLength(1);
    expect(liquidations(replay(candles, one('short'), { source: 'close' }))).toHaveLength(0);
    const kStar = (LP_SHORT - 10900) / 200; // 0.280876…
    expect(liquidations(replay(candles, one('short'), { source: 'damped', wick: kStar - 1e-6 }))).toHaveLength(0);
    const ev = liquidations(replay(candles, one('short'), { source: 'damped', wick: kStar + 1e-6 }));
    expect(ev).toHaveLength(1);
    expect(ev[0]!.price).toBeCloseTo(LP_SHORT, 6);
  });
});

/** A random walk of bars around 10,000 (as in cascade-properties.test.ts). */
const candlesArb = fc.array(fc.tuple(fc.double({ min: -0.04, max: 0.04, noNaN: true }), fc.double({ min: 0, max: 0.03, noNaN: true }), fc.double({ min: 0, max: 0.03, noNaN: true })), { minLength: 3, maxLength: 25 }).map((steps) => {
  const out: Candle[] = [];
  let p = 10000;
  steps.forEach(([ret, up, down], i) => {
    const c = p * (1 + ret);
    // The open is not the previous close (a gap of up to ±0.5%), so point 0 of the damped path matters.
    const o = p * (1 + (((i * 7919) % 11) - 5) / 1000);
    out.push({ time: T0 + 60 * i, open: o, close: c, high: Math.max(o, c) * (1 + up), low: Math.min(o, c) * (1 - down), volume: 1 + i });
    p = c;
  });
  return out;
});
const markArb: fc.Arbitrary<Mark> = fc.oneof(fc.constant<Mark>({ source: 'close' }), fc.double({ min: 0, max: 1, noNaN: true }).map((wick): Mark => ({ source: 'damped', wick })));
const bookArb = fc.array(fc.record({ side: fc.constantFrom<'long' | 'short'>('long', 'short'), entry: fc.double({ min: 9000, max: 11000, noNaN: true }), leverage: fc.integer({ min: 5, max: 50 }) }), { minLength: 1, maxLength: 8 });
const portfolioOf = (ps: { side: 'long' | 'short'; entry: number; leverage: number }[]) => ({
  accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: ps.map((p, i) => ({ id: `p${i}`, symbol: 'BTCUSDT', side: p.side, qty: 1, entry: p.entry, leverage: p.leverage })) }],
});

describe('no look-ahead', () => {
  it('the mark at bar t uses bars ≤ t only: a replay of bars 0…t gives the same bars and events as the full replay, impact on or off', () => {
    fc.assert(
      fc.property(candlesArb, markArb, bookArb, fc.boolean(), fc.nat(), (candles, mark, book, impactOn, cut) => {
        const t = 1 + (cut % (candles.length - 1)); // keep bars 0 … t−1 in the prefix
        const impact: ReplayInput['scenario']['impact'] = impactOn ? { model: 'linear', depth1Pct: 50_000 } : { model: 'none' };
        const full = replay(candles, portfolioOf(book), mark, impact);
        const prefix = replay(candles.slice(0, t), portfolioOf(book), mark, impact);
        for (const k of ['effectiveLow', 'effectiveHigh', 'effectiveClose', 'liquidatedNotionalLong', 'liquidatedNotionalShort'] as const) {
          expect(Array.from(prefix.steps[k]), k).toEqual(Array.from(full.steps[k]).slice(0, t));
        }
        const end = T0 + 60 * t;
        expect(prefix.events).toEqual(full.events.filter((e) => e.time < end));
      }),
      { numRuns: 150 },
    );
  });
});

describe('defaults', () => {
  it('no mark, an explicit candle path and a damped wick of 1 give identical results (except the label)', () => {
    fc.assert(
      fc.property(candlesArb, bookArb, (candles, book) => {
        const a = replay(candles, portfolioOf(book));
        const b = replay(candles, portfolioOf(book), { source: 'candle-path' });
        const c = replay(candles, portfolioOf(book), { source: 'damped', wick: 1 });
        expect(b).toEqual(a);
        expect(c.markSource).toBe('damped(wick=1)');
        expect({ ...c, markSource: 'candle-path' }).toEqual(a);
      }),
      { numRuns: 50 },
    );
  });

  it('close and a damped wick of 0 are the same model', () => {
    fc.assert(
      fc.property(candlesArb, bookArb, (candles, book) => {
        const a = replay(candles, portfolioOf(book), { source: 'close' });
        const b = replay(candles, portfolioOf(book), { source: 'damped', wick: 0 });
        expect({ ...b, markSource: 'close' }).toEqual(a);
      }),
      { numRuns: 50 },
    );
  });
});

describe('bad values are refused, naming the field', () => {
  it('by the API schema', () => {
    const parse = (mark: unknown) => scenarioSchema.safeParse({ venue: 'binance-usdm', impact: { model: 'none' }, mark });
    for (const ok of [{ source: 'candle-path' }, { source: 'close' }, { source: 'damped', wick: 0 }, { source: 'damped', wick: 0.5 }, { source: 'damped', wick: 1 }]) expect(parse(ok).success, JSON.stringify(ok)).toBe(true);
    const cases: [unknown, RegExp, string][] = [
      [{ source: 'damped', wick: 1.5 }, /mark\.wick must be ≤ 1/, 'mark.wick'],
      [{ source: 'damped', wick: -0.1 }, /mark\.wick must be ≥ 0/, 'mark.wick'],
      [{ source: 'damped', wick: Number.NaN }, /mark\.wick/, 'mark.wick'],
      [{ source: 'damped', wick: '0.5' }, /mark\.wick must be a number/, 'mark.wick'],
      [{ source: 'damped' }, /mark\.wick must be a number/, 'mark.wick'],
      [{ source: 'index' }, /mark\.source must be/, 'mark.source'],
      [{ source: 'close', wick: 0.5 }, /unrecognized|wick/i, 'mark'],
    ];
    for (const [mark, message, field] of cases) {
      const r = parse(mark);
      expect(r.success, JSON.stringify(mark)).toBe(false);
      if (!r.success) {
        expect(r.error.issues.map((i) => i.message).join('; '), JSON.stringify(mark)).toMatch(message);
        expect(r.error.issues.map((i) => i.path.join('.')).join('; '), JSON.stringify(mark)).toContain(field);
      }
    }
  });

  it('by the engine (which does not trust its caller)', () => {
    for (const wick of [Number.NaN, -1, 2]) {
      const r = runReplay({ candles: [flat(0, 10000)], rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, mark: { source: 'damped', wick } } });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.field).toBe('scenario.mark.wick');
    }
    const bad = runReplay({ candles: [flat(0, 10000)], rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, mark: { source: 'index' } as unknown as Mark } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.field).toBe('scenario.mark.source');
  });
});
