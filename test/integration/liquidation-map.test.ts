/**
 * `runs.liquidationMap` on the real 2020-03-12 BTC window: the estimated market map per bar is
 * checked against an independent computation here — each estimated position's liquidation
 * price from Binance's published isolated formula with its own tier search over the shipped
 * table, "still open" by a plain scan of the run's effective lows/highs, and naive binning.
 * The population itself comes from the engine's exported `estimatePopulation` (its own tests
 * cover it). Also: own position lines against the same formula, and runs without a population.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { createInProcessApi } from '../../electron/backend/services/in-process';
import { estimatePopulation } from '../../electron/backend/engine';
import { shippedRules } from '../../electron/backend/services/venue-tables';
import { readSharedCsv, SHARED_DATA, tempDir } from '../helpers/temp';
import table from '../../resources/venues/binance-usdm_2020-01-01.json' with { type: 'json' };

const FILE = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';
const bars = readSharedCsv(FILE);
const backend = new Backend({ dbPath: path.join(tempDir(), 'map.db'), now: () => 1_700_000_000 });
const api = createInProcessApi(backend, { trusted: false });
const brackets = table.symbols.BTCUSDT.brackets;

/**
 * Binance isolated LP (FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"):
 * LP = (WB + cum − side·Q·EP) / (Q·MMR − side·Q), with the tier whose [floor, cap) holds Q·LP.
 */
function binanceLp(side: 1 | -1, q: number, ep: number, wb: number): number {
  for (let k = 0; k < brackets.length; k++) {
    const b = brackets[k]!;
    const lp = (wb + b.cum - side * q * ep) / (q * b.mmr - side * q);
    const n = q * Math.max(lp, 0);
    if ((k === 0 || n >= b.floor) && (k === brackets.length - 1 || n < b.cap)) return Math.max(lp, 0);
  }
  throw new Error('no tier');
}

describe('the estimated liquidation map of a stored run', async () => {
  const imported = await api.call('datasets.importText', { fileName: path.basename(FILE), text: fs.readFileSync(path.join(SHARED_DATA, FILE), 'utf8') });
  const t0 = bars.time[1440]!;
  const entry = bars.open[1440]!;
  const scenario = { venue: 'binance-usdm', impact: { model: 'linear' as const, depth1Pct: 20_000_000 }, population: { lookbackBars: 1440 } };
  const portfolio = {
    name: 'two',
    accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated' as const, wallet: 0, positions: [
      { id: 'L10', symbol: 'BTCUSDT', side: 'long' as const, qty: 1, entry, leverage: 10, openedAt: t0 },
      { id: 'S5', symbol: 'BTCUSDT', side: 'short' as const, qty: 1, entry, leverage: 5, openedAt: t0 },
    ] }],
  };
  const run = await api.call('runs.replay', { datasetId: imported.dataset.id, portfolio, scenario, seed: 7 });
  const detail = await api.call('runs.get', { id: run.id });
  const bins = 40;
  const result = await api.call('runs.liquidationMap', { id: run.id, bins });

  it('bins the positions still open after each bar exactly as an independent scan does', () => {
    const map = result.map!;
    expect(map).not.toBeNull();
    expect(result.bars).toBe(detail.series.time.length);
    expect(map.long.length).toBe(result.bars * bins);
    const columns = { time: Float64Array.from(bars.time), open: Float64Array.from(bars.open), high: Float64Array.from(bars.high), low: Float64Array.from(bars.low), close: Float64Array.from(bars.close), volume: Float64Array.from(bars.volume) };
    const rules = shippedRules().find((r) => r.venue === 'binance-usdm' && r.effective === '2020-01-01')!;
    const pop = estimatePopulation(columns, 1440, { lookbackBars: 1440 }, rules.symbols.BTCUSDT!, 'linear', 7);
    const n = pop.book.side.length;
    expect(map.positions).toBe(n);
    const lp = Array.from({ length: n }, (_, i) => binanceLp(pop.book.side[i]! > 0 ? 1 : -1, pop.book.qty[i]!, pop.book.entry[i]!, pop.book.margin[i]!));
    const step = (map.priceHigh - map.priceLow) / bins;
    for (const k of [0, 100, 500, 1000, 1500, result.bars - 1]) {
      let minLow = Infinity;
      let maxHigh = -Infinity;
      for (let j = 0; j <= k; j++) {
        minLow = Math.min(minLow, detail.series.effectiveLow[j]!);
        maxHigh = Math.max(maxHigh, detail.series.effectiveHigh[j]!);
      }
      const long = new Array<number>(bins).fill(0);
      const short = new Array<number>(bins).fill(0);
      for (let i = 0; i < n; i++) {
        const b = Math.floor((lp[i]! - map.priceLow) / step);
        if (b < 0 || b >= bins) continue;
        const notional = pop.book.qty[i]! * pop.book.entry[i]!;
        if (pop.book.side[i]! > 0 && lp[i]! < minLow) long[b]! += notional;
        if (pop.book.side[i]! < 0 && lp[i]! > maxHigh) short[b]! += notional;
      }
      for (let b = 0; b < bins; b++) {
        // The service rounds to whole USDT; allow that plus float summation order.
        expect(Math.abs(map.long[k * bins + b]! - long[b]!)).toBeLessThanOrEqual(1 + long[b]! * 1e-9);
        expect(Math.abs(map.short[k * bins + b]! - short[b]!)).toBeLessThanOrEqual(1 + short[b]! * 1e-9);
      }
    }
  });

  it('sweeps long liquidations out of the map during the crash (less open long notional at the end)', () => {
    const map = result.map!;
    const sum = (a: number[], k: number): number => a.slice(k * bins, (k + 1) * bins).reduce((s, x) => s + x, 0);
    expect(sum(map.long, result.bars - 1)).toBeLessThan(sum(map.long, 0) * 0.5);
  });

  it('gives own position lines from the Binance isolated formula', () => {
    const byId = Object.fromEntries(result.positions.map((p) => [p.id, p]));
    // Isolated, margin = qty·entry/leverage (DESIGN.md §4).
    expect(byId.L10!.liquidationPrice).toBeCloseTo(binanceLp(1, 1, entry, entry / 10), 6);
    expect(byId.S5!.liquidationPrice).toBeCloseTo(binanceLp(-1, 1, entry, entry / 5), 6);
    expect(byId.L10!.marginCallPrice!).toBeGreaterThan(byId.L10!.liquidationPrice!);
    expect(result.account!.equity.length).toBe(result.bars);
  });

  it('says why there is no map for a run without a population', async () => {
    const plain = await api.call('runs.replay', { datasetId: imported.dataset.id, portfolio, scenario: { venue: 'binance-usdm', impact: { model: 'none' } }, seed: 1 });
    const r = await api.call('runs.liquidationMap', { id: plain.id });
    expect(r.map).toBeNull();
    expect(r.reason).toContain('population');
    await expect(api.call('runs.liquidationMap', { id: 999_999 })).rejects.toMatchObject({ code: 'not_found' });
  });
});
