/**
 * The engine folder stays pure (no Node/Electron/clock/randomness/I/O), the radix argsort is exact,
 * the inverse cascade settles in coin, the population estimate uses the venue formula, and long
 * runs report progress and can be cancelled.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argsortFloat64 } from '../../../electron/backend/engine/radix-sort';
import { estimatePopulation, runReplay, liquidationPrice, type Candle } from '../../../electron/backend/engine/index';
import { loadAllTables, bracketsOf, loadTable } from './rules-fixtures';
import { notional, price, qty } from '../../../electron/backend/engine/units';
import { toCandleColumns } from '../../../electron/backend/engine/candles';

const ENGINE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../electron/backend/engine');
const tables = loadAllTables();

describe('purity of electron/backend/engine', () => {
  it('imports only its own modules and never touches the clock, randomness or I/O', () => {
    const files = readdirSync(ENGINE_DIR).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      // Comments may name what is forbidden; code may not.
      const src = readFileSync(path.join(ENGINE_DIR, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const m of src.matchAll(/from\s+'([^']+)'/g)) expect(m[1]!.startsWith('./'), `${f} imports ${m[1]}`).toBe(true);
      expect(/\bDate\.now\b|\bnew Date\b|Math\.random|performance\.now|\bprocess\.|\brequire\(/.test(src), `${f} uses a forbidden global`).toBe(false);
    }
  });
});

describe('argsortFloat64', () => {
  it('orders like a comparator sort, stably, including −0, negatives and ties', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1, 1.0000000000000002, -5)), { maxLength: 300 }), (xs) => {
        const keys = Float64Array.from(xs);
        const sorted = new Float64Array(keys.length);
        const order = Array.from(argsortFloat64(keys, sorted));
        const expected = xs.map((x, i) => i).sort((a, b) => {
          const ka = xs[a]!, kb = xs[b]!;
          if (ka < kb) return -1;
          if (ka > kb) return 1;
          if (Object.is(ka, -0) && Object.is(kb, 0)) return -1;
          if (Object.is(ka, 0) && Object.is(kb, -0)) return 1;
          return a - b;
        });
        expect(order).toEqual(expected);
        expect(Array.from(sorted)).toEqual(expected.map((i) => xs[i]));
      }),
      { numRuns: 300 },
    );
  });
});

describe('inverse (BitMEX-like) cascade', () => {
  it('a 10x long of 1,000 contracts @ 10,000 is liquidated at 9,122.73; the fund keeps the rest of its margin in XBT', () => {
    // LP = 10000·1.0035/1.1 = 9122.727 (margin-math.test). PnL = 1000·(1/10000 − 1/9122.727) = −0.0096165 XBT;
    // equity = 0.01 − 0.0096165 = 0.00038350 = 0.35%·1000/9122.727 (the maintenance margin, by construction);
    // fee rate 1 capped by what is left → the insurance fund gains 0.00038366… XBT.
    const t = 1_580_000_000;
    const candles: Candle[] = [
      { time: t, open: 10000, high: 10000, low: 10000, close: 10000, volume: 1 },
      { time: t + 60, open: 10000, high: 10000, low: 9000, close: 9050, volume: 1 },
    ];
    const r = runReplay({ candles, rules: tables, seed: 1, scenario: { venue: 'bitmex-inverse', symbol: 'XBTUSD', impact: { model: 'none' } }, portfolio: { accounts: [{ id: 'm', venue: 'bitmex-inverse', mode: 'isolated', wallet: 0, positions: [{ id: 'I', symbol: 'XBTUSD', side: 'long', qty: 1000, entry: 10000, leverage: 10 }] }] } });
    if (!r.ok) throw new Error(r.error.message);
    const liq = r.value.events.find((e) => e.kind === 'liquidation')!;
    expect(Math.round(liq.price * 100) / 100).toBe(9122.73);
    expect(liq.notional).toBe(1000); // contracts are quote notional
    expect(liq.pnl).toBeCloseTo(1000 * (1 / 10000 - 1 / 9122.727272727), 9);
    expect(r.value.summary.insuranceFundEnd).toBeCloseTo((0.0035 * 1000) / 9122.727272727, 9);
    expect(r.value.rules.marginCurrency).toBe('BTC');
  });
});

describe('population estimate', () => {
  const c = toCandleColumns([
    { time: 0, open: 10000, high: 10000, low: 10000, close: 10000, volume: 10 },
    { time: 60, open: 10000, high: 10000, low: 10000, close: 10000, volume: 30 },
  ]);
  const rules = loadTable('binance-usdm_2021-03-26.json').symbols['BTCUSDT']!;

  it('splits volume·close·participation over sides and buckets; liquidation prices from the venue formula, not 1/L', () => {
    // Bar notional: 10·10000·0.1 = 10,000 and 30·10000·0.1 = 30,000; long share 0.75; buckets 10x (w 1) and 50x (w 3).
    const p = estimatePopulation(c, 2, { lookbackBars: 2, participation: 0.1, longShare: 0.75, buckets: [{ leverage: 10, weight: 1 }, { leverage: 50, weight: 3 }] }, rules, 'linear', 1);
    expect(p.parameters.openedNotional).toBeCloseTo(40000, 9);
    expect(p.book.side.length).toBe(8);
    // First long of bar 0 in the 10x bucket: 10,000·0.75·¼ = 1,875 notional, margin 187.5, qty 0.1875.
    expect(p.book.qty[0]).toBeCloseTo(0.1875, 12);
    expect(p.book.margin[0]).toBeCloseTo(187.5, 9);
    // Venue formula: (187.5 − 1875)/(0.1875·0.004 − 0.1875) = 9036.14…, not 10000·(1 − 1/10) = 9000.
    const lp = liquidationPrice(bracketsOf('binance-usdm_2021-03-26.json', 'BTCUSDT'), { side: 1, qty: qty(0.1875), entry: price(10000), walletBalance: notional(187.5) }).price;
    expect(Math.round(lp * 100) / 100).toBe(9036.14);
    expect(p.bucketLabels).toEqual(['long 10x', 'long 50x', 'short 10x', 'short 50x']);
  });

  it('drops positions the look-back path already liquidated', () => {
    // A 50x long opened at 10,000 (LP ≈ 9,838) is gone once the next bar's low is 9,000; the 2x long survives.
    const c2 = toCandleColumns([
      { time: 0, open: 10000, high: 10000, low: 10000, close: 10000, volume: 1 },
      { time: 60, open: 10000, high: 10000, low: 9000, close: 9500, volume: 0 },
    ]);
    const p = estimatePopulation(c2, 2, { lookbackBars: 2, participation: 1, longShare: 1, buckets: [{ leverage: 2, weight: 1 }, { leverage: 50, weight: 1 }] }, rules, 'linear', 1);
    expect(p.parameters.droppedAlreadyLiquidated).toBe(1);
    expect(Array.from(p.book.bucket ?? [])).toEqual([0]);
  });
});

describe('progress and cancellation', () => {
  const candles: Candle[] = Array.from({ length: 500 }, (_, i) => ({ time: 1_600_000_000 + 60 * i, open: 10000, high: 10010, low: 9990, close: 10000, volume: 1 }));
  it('reports progress to the end', () => {
    const seen: number[] = [];
    const r = runReplay({ candles, rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' } }, onProgress: (d) => seen.push(d) });
    expect(r.ok && r.value.cancelled).toBe(false);
    expect(seen.at(-1)).toBe(500);
    expect(seen.length).toBeGreaterThan(5);
  });
  it('stops when asked, with the bars done so far', () => {
    const r = runReplay({ candles, rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' } }, shouldCancel: () => true });
    expect(r.ok && r.value.cancelled).toBe(true);
    expect(r.ok && r.value.summary.bars).toBe(64);
  });
});
