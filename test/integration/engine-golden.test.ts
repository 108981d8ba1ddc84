/**
 * Golden replays on real crash windows (NON-REGRESSION): a fixed book of isolated BTCUSDT positions
 * opened at 00:00 UTC on 2020-03-12 ("Black Thursday") and on 2025-10-10, replayed through the rest
 * of the window with impact off. For each position the expected outcome is derived here,
 * independently of the engine, from the data: its liquidation price by Binance's formula (tiers
 * written out below, from resources/venues), then the first bar whose low (long) or high (short)
 * crosses it, the time of that extreme on the intrabar path, and the fill at the liquidation price.
 * The data is read from ../shared/data/events/ beside the repository and never copied into it.
 * Also checked: with impact on, the estimated population liquidates far more longs than shorts
 * (CRASH-FACTS.md: longs dominated both events) and pushes the effective low below the observed low.
 */
import { describe, expect, it } from 'vitest';
import { runReplay, type CandleColumns } from '../../electron/backend/engine/index';
import { readEventCandles } from '../helpers/candles-csv';
import { loadAllTables } from '../unit/engine/rules-fixtures';

const tables = loadAllTables();

/** Tiers (floor, mmr, cum) copied from resources/venues for the independent calculation. */
const TIERS_2020 = [
  [0, 0.004, 0], [50000, 0.005, 50], [250000, 0.01, 1300], [1000000, 0.025, 16300],
] as const;
const TIERS_2024 = [
  [0, 0.004, 0], [50000, 0.005, 50], [600000, 0.0065, 950], [3000000, 0.01, 11450],
] as const;

/** LP = (margin + cum − side·Q·EP)/(Q·mmr − side·Q) with the tier holding Q·LP (Binance FAQ). */
function expectedLiquidationPrice(tiers: readonly (readonly [number, number, number])[], side: 1 | -1, q: number, entry: number, margin: number): number {
  for (let k = tiers.length - 1; k >= 0; k--) {
    const [floor, mmr, cum] = tiers[k]!;
    const lp = (margin + cum - side * q * entry) / (q * mmr - side * q);
    if (q * lp >= floor) return lp;
  }
  throw new Error('no tier');
}

interface Expected { id: string; time: number | null; price: number | null }

/** First crossing on the intrabar path (bullish O→L→H→C at 0, ⅓, ⅔, 1; bearish O→H→L→C). */
function expectedOutcome(c: CandleColumns, start: number, side: 1 | -1, lp: number): { time: number | null; price: number | null } {
  let prev = c.open[start]!;
  for (let i = start; i < c.time.length; i++) {
    const bull = c.close[i]! >= c.open[i]!;
    const pts = bull ? [c.open[i]!, c.low[i]!, c.high[i]!, c.close[i]!] : [c.open[i]!, c.high[i]!, c.low[i]!, c.close[i]!];
    for (let j = 0; j < 4; j++) {
      const x = pts[j]!;
      if ((side > 0 && x <= lp) || (side < 0 && x >= lp)) {
        return { time: c.time[i]! + j * 20, price: side > 0 ? Math.min(lp, Math.max(prev, x)) : Math.max(lp, Math.min(prev, x)) };
      }
      prev = x;
    }
  }
  return { time: null, price: null };
}

const BOOK: { id: string; side: 'long' | 'short'; leverage: number }[] = [
  { id: 'L100', side: 'long', leverage: 100 },
  { id: 'L50', side: 'long', leverage: 50 },
  { id: 'L20', side: 'long', leverage: 20 },
  { id: 'L10', side: 'long', leverage: 10 },
  { id: 'L5', side: 'long', leverage: 5 },
  { id: 'L3', side: 'long', leverage: 3 },
  { id: 'L2', side: 'long', leverage: 2 },
  { id: 'S10', side: 'short', leverage: 10 },
  { id: 'S25', side: 'short', leverage: 25 },
];

function golden(file: string, tiers: readonly (readonly [number, number, number])[], expectedTable: string) {
  const c = readEventCandles(file);
  const start = 1440; // 00:00 UTC of the second day of the window
  const entry = c.open[start]!;
  const positions = BOOK.map((b) => ({ id: b.id, symbol: 'BTCUSDT', side: b.side, qty: 1, entry, leverage: b.leverage }));
  const r = runReplay({
    candles: c,
    portfolio: { accounts: [{ id: 'desk', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions }] },
    rules: tables,
    seed: 1,
    scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, startIndex: start, insuranceFund: 1e7 },
  });
  if (!r.ok) throw new Error(r.error.message);
  expect(r.value.rules.effective).toBe(expectedTable);
  const expected: Expected[] = BOOK.map((b) => {
    const s = b.side === 'long' ? 1 : -1;
    const lp = expectedLiquidationPrice(tiers, s, 1, entry, entry / b.leverage);
    return { id: b.id, ...expectedOutcome(c, start, s, lp) };
  });
  const got: Expected[] = BOOK.map((b) => {
    const e = r.value.events.find((x) => x.kind === 'liquidation' && x.positionId === b.id);
    return { id: b.id, time: e ? e.time : null, price: e ? e.price : null };
  });
  return { expected, got, result: r.value };
}

const cents = (xs: Expected[]) => xs.map((x) => ({ ...x, price: x.price === null ? null : Math.round(x.price * 100) / 100 }));

describe('golden replay 2020-03-12 (Binance spot BTCUSDT 1m as the mark; 2020 Binance brackets)', () => {
  it('liquidates exactly the positions whose formula price the path crosses, at that price and moment', () => {
    const { expected, got } = golden('btcusdt_1m_2020-03-11_2020-03-14.csv', TIERS_2020, '2020-01-01');
    expect(cents(got)).toEqual(cents(expected));
    // The crash took BTC from ~7,900 to 3,782: every long down to 2x dies, the shorts survive.
    expect(expected.filter((e) => e.time !== null).map((e) => e.id)).toEqual(['L100', 'L50', 'L20', 'L10', 'L5', 'L3', 'L2']);
  });
});

describe('golden replay 2025-10-10 (Binance spot BTCUSDT 1m; 2024-10 Binance brackets)', () => {
  it('liquidates exactly the positions whose formula price the path crosses, at that price and moment', () => {
    const { expected, got } = golden('btcusdt_1m_2025-10-09_2025-10-12.csv', TIERS_2024, '2024-10-01');
    expect(cents(got)).toEqual(cents(expected));
    // From ~121k to a 102k low (−16%): high-leverage longs die, 5x and lower survive.
    const dead = expected.filter((e) => e.time !== null).map((e) => e.id);
    expect(dead).toContain('L10');
    expect(dead).not.toContain('L3');
  });
});

describe('estimated population with impact (non-regression, qualitative)', () => {
  // 1% depth: 2025 ~ $100M (CRASH-FACTS.md: BTC 1% depth on US venues peaked at ~$290M in May 2025,
  // so 100M is a conservative single-venue figure); 2020 assumed 5× thinner at $20M (an assumption).
  for (const [file, depth] of [['btcusdt_1m_2020-03-11_2020-03-14.csv', 2e7], ['btcusdt_1m_2025-10-09_2025-10-12.csv', 1e8]] as const) {
    it(`${file}: longs dominate and impact pushes the effective low below the observed low`, () => {
      const c = readEventCandles(file);
      const r = runReplay({
        candles: c,
        rules: tables,
        seed: 11,
        scenario: {
          venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear', depth1Pct: depth }, insuranceFund: 1e6,
          population: { lookbackBars: 1440, participation: 0.05, positionsPerBucket: 2, entry: 'random' },
        },
      });
      if (!r.ok) throw new Error(r.error.message);
      const s = r.value.summary;
      expect(r.value.population!.positions).toBeGreaterThan(1000);
      expect(s.liquidatedLong.notional).toBeGreaterThan(5 * s.liquidatedShort.notional);
      expect(s.minEffectiveLow).toBeLessThan(s.minExogenousLow);
      expect(s.ledgerImbalance).toBeLessThan(1e-6 * s.liquidatedLong.notional);
    });
  }
});
