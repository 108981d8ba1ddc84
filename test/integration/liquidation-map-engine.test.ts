/**
 * `runs.liquidationMap` from the engine's own open population map (ReplayInput.mapGrid), on the
 * real 2020-03-12 BTC window:
 * - a run without reaction or inflow gives the same map as before (the classic reconstruction,
 *   `binOpenPositions` over the stored effective path, kept for design-lab cells);
 * - with owners reacting and inflow on, the map conserves notional at every bar: Σ bins =
 *   the population's notional − liquidated − deleveraged − closed by owners − turnover + opened,
 *   the flows tied to the run's own figures where their units allow;
 * - the service's map is the engine's, and differs from the classic one when the mechanisms are on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { createInProcessApi } from '../../electron/backend/services/in-process';
import { estimatePopulation, liquidationPrice, runReplay, type ReplayScenario } from '../../electron/backend/engine';
import { binOpenPositions, sortSide } from '../../electron/backend/services/liquidation-map';
import { shippedRules } from '../../electron/backend/services/venue-tables';
import { readSharedCsv, SHARED_DATA, tempDir } from '../helpers/temp';

const FILE = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';
const bars = readSharedCsv(FILE);
const columns = { time: Float64Array.from(bars.time), open: Float64Array.from(bars.open), high: Float64Array.from(bars.high), low: Float64Array.from(bars.low), close: Float64Array.from(bars.close), volume: Float64Array.from(bars.volume) };
const backend = new Backend({ dbPath: path.join(tempDir(), 'map-engine.db'), now: () => 1_700_000_000 });
const api = createInProcessApi(backend, { trusted: false });
const rules = shippedRules().find((r) => r.venue === 'binance-usdm' && r.effective === '2020-01-01')!;

/** The classic map: the population's positions binned while the stored effective path has not reached them. */
function classicMap(population: object, seed: number, series: { effectiveLow: number[]; effectiveHigh: number[] }, lo: number, hi: number, bins: number) {
  const pop = estimatePopulation(columns, 1440, population as never, rules.symbols.BTCUSDT!, 'linear', seed);
  const side: [number[], number[], number[], number[]] = [[], [], [], []];
  for (let i = 0; i < pop.book.side.length; i++) {
    const s = pop.book.side[i]! > 0 ? 1 : -1;
    const lp = liquidationPrice(rules.symbols.BTCUSDT!.brackets, { side: s, qty: pop.book.qty[i]!, entry: pop.book.entry[i]!, walletBalance: pop.book.margin[i]! } as never).price;
    side[s > 0 ? 0 : 2].push(lp);
    side[s > 0 ? 1 : 3].push(pop.book.qty[i]! * pop.book.entry[i]!);
  }
  return binOpenPositions(sortSide(side[0], side[1]), sortSide(side[2], side[3]), series.effectiveLow, series.effectiveHigh, lo, hi, bins);
}

describe('the liquidation map from the engine', async () => {
  const imported = await api.call('datasets.importText', { fileName: path.basename(FILE), text: fs.readFileSync(path.join(SHARED_DATA, FILE), 'utf8') });
  const t0 = bars.time[1440]!;
  const entry = bars.open[1440]!;
  const portfolio = {
    name: 'two',
    accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated' as const, wallet: 0, positions: [
      { id: 'L10', symbol: 'BTCUSDT', side: 'long' as const, qty: 1, entry, leverage: 10, openedAt: t0 },
      { id: 'S5', symbol: 'BTCUSDT', side: 'short' as const, qty: 1, entry, leverage: 5, openedAt: t0 },
    ] }],
  };
  const impact = { model: 'linear' as const, depth1Pct: 20_000_000 };
  const bins = 60;

  it('is unchanged for a run without reaction or inflow (old vs new on the real run, within 1e-9 relative before rounding)', async () => {
    const population = { lookbackBars: 1440 };
    const run = await api.call('runs.replay', { datasetId: imported.dataset.id, portfolio, scenario: { venue: 'binance-usdm', impact, population }, seed: 7 });
    const detail = await api.call('runs.get', { id: run.id });
    const got = await api.call('runs.liquidationMap', { id: run.id, bins });
    const map = got.map!;
    const old = classicMap(population, 7, detail.series, map.priceLow, map.priceHigh, bins);
    // The engine's unrounded map on the same grid.
    const r = runReplay({ candles: columns, portfolio, scenario: { ...(run.params.scenario as ReplayScenario) }, rules: shippedRules(), seed: 7, mapGrid: { priceLow: map.priceLow, priceHigh: map.priceHigh, bins } });
    if (!r.ok) throw new Error(r.error.message);
    expect(Array.from(r.value.steps.effectiveLow)).toEqual(detail.series.effectiveLow); // the replay reproduces the stored run
    const fresh = r.value.openMap!;
    let nonzero = 0;
    for (let i = 0; i < old.long.length; i++) {
      for (const [a, b] of [[fresh.long[i]!, old.long[i]!], [fresh.short[i]!, old.short[i]!]] as const) {
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(b), 1e3));
        if (b > 0) nonzero++;
      }
    }
    expect(nonzero).toBeGreaterThan(1000);
    // And the service's rounded rows are the old service's (Math.round of the classic sums).
    expect(map.long).toEqual(Array.from(old.long, Math.round));
    expect(map.short).toEqual(Array.from(old.short, Math.round));
  });

  it('conserves notional with owners reacting and inflow on, at every bar', async () => {
    const population = { lookbackBars: 1440, reaction: { lossShare: 0.5, minutes: 30 }, inflow: { meanHoldingDays: 2 } };
    const run = await api.call('runs.replay', { datasetId: imported.dataset.id, scenario: { venue: 'binance-usdm', impact, population }, seed: 11 });
    const detail = await api.call('runs.get', { id: run.id });
    // A grid holding every liquidation price (5× shorts sit ≈ 20% above their entry; nothing is above 20,000).
    const grid = { priceLow: 0, priceHigh: 20_000, bins };
    const r = runReplay({ candles: columns, scenario: run.params.scenario as ReplayScenario, rules: shippedRules(), seed: 11, mapGrid: grid });
    if (!r.ok) throw new Error(r.error.message);
    const res = r.value;
    const m = res.openMap!;
    expect(Array.from(res.steps.liquidatedNotionalLong)).toEqual(detail.series.liquidatedNotionalLong);
    // The initial population notional from the population itself (Σ qty·entry), all on the grid.
    const pop = estimatePopulation(columns, 1440, population as never, rules.symbols.BTCUSDT!, 'linear', 11);
    let initial = 0;
    for (let i = 0; i < pop.book.side.length; i++) initial += pop.book.qty[i]! * pop.book.entry[i]!;
    expect(m.initial).toBeCloseTo(initial, 3);
    // Opened: the run's own inflow figure (cohorts open at the bar's close = their entry).
    const opened = m.opened.reduce((s, x) => s + x, 0);
    expect(opened).toBeGreaterThan(0);
    expect(Math.abs(opened - res.inflow!.openedNotional)).toBeLessThanOrEqual(1e-9 * res.inflow!.openedNotional);
    // The map's liquidations happen exactly in the bars where the run's series liquidates (no portfolio here).
    for (let k = 0; k < res.steps.time.length; k++) expect(m.liquidated[k]! > 0).toBe(res.steps.liquidatedNotionalLong[k]! + res.steps.liquidatedNotionalShort[k]! > 0);
    expect(m.closedByOwners.reduce((s, x) => s + x, 0)).toBeGreaterThan(0);
    expect(res.closedByOwnerNotional).toBeGreaterThan(0);
    // Conservation. Tolerance 1e-9 of the initial notional: every term is a sum of float products
    // over ≤ ~10⁵ positions and 2,880 bars (≈ 1e-16 relative each), nothing modelled is approximated.
    let expected = initial;
    let worst = 0;
    for (let k = 0; k < res.steps.time.length; k++) {
      expected += -m.liquidated[k]! - m.adl[k]! - m.closedByOwners[k]! - m.turnover[k]! + m.opened[k]!;
      let sum = 0;
      for (let b = 0; b < bins; b++) sum += m.long[k * bins + b]! + m.short[k * bins + b]!;
      worst = Math.max(worst, Math.abs(sum - expected));
    }
    expect(worst).toBeLessThanOrEqual(1e-9 * initial);

    // The service draws the engine's map, which is not the classic one here.
    const got = await api.call('runs.liquidationMap', { id: run.id, bins });
    const g = got.map!;
    const again = runReplay({ candles: columns, scenario: run.params.scenario as ReplayScenario, rules: shippedRules(), seed: 11, mapGrid: { priceLow: g.priceLow, priceHigh: g.priceHigh, bins } });
    if (!again.ok) throw new Error(again.error.message);
    expect(g.long).toEqual(Array.from(again.value.openMap!.long, (x) => Math.max(0, Math.round(x))));
    expect(g.short).toEqual(Array.from(again.value.openMap!.short, (x) => Math.max(0, Math.round(x))));
    const old = classicMap(population, 11, detail.series, g.priceLow, g.priceHigh, bins);
    const last = (a: ArrayLike<number>) => Array.from(a).slice((got.bars - 1) * bins).reduce((s, x) => s + x, 0);
    expect(Math.abs(last(g.long) - last(old.long))).toBeGreaterThan(0.01 * last(old.long));
  });
});
