/**
 * Engine benchmark: 1,000,000 isolated BTCUSDT positions over the 5,760 one-minute bars of
 * ../shared/data/events/btcusdt_1m_2020-03-11_2020-03-14.csv, impact off and on, beside two
 * baselines measured in the same run: sorting the same liquidation prices (Float64Array.sort) and a
 * plain full-scan implementation (every position checked at every path point; run on fewer
 * positions and extrapolated linearly, as the output says). Prints one JSON document.
 *
 * Run: npx tsx test/bench/engine.ts [--positions N] [--measure-10m]
 */
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { runReplay, Prng, type StaticBookInput } from '../../electron/backend/engine/index';
import { buildStaticBook, isolatedLinearLiquidationPrice, bookBytesPerPosition } from '../../electron/backend/engine/position-book';
import { readEventCandles } from '../helpers/candles-csv';
import { loadAllTables } from '../unit/engine/rules-fixtures';
import type { CandleColumns } from '../../electron/backend/engine/candles';

const FILE = 'btcusdt_1m_2020-03-11_2020-03-14.csv';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Seeded random book around the first open: 50/50 sides, entries ±3%, leverage 2–125x, 0.001–2 BTC. */
function makeBook(n: number, firstPrice: number, seed: number): StaticBookInput {
  const rng = Prng.fromSeed(seed);
  const side = new Int8Array(n);
  const qty = new Float64Array(n);
  const entry = new Float64Array(n);
  const margin = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    side[i] = rng.nextFloat() < 0.5 ? 1 : -1;
    qty[i] = 0.001 + rng.nextFloat() * 2;
    entry[i] = firstPrice * (1 + (rng.nextFloat() - 0.5) * 0.06);
    const lev = 2 + Math.floor(rng.nextFloat() * 124);
    margin[i] = (qty[i]! * entry[i]!) / lev;
  }
  return { side, qty, entry, margin };
}

/** The baseline the engine must beat: check every open position at every path point. */
function fullScan(c: CandleColumns, book: StaticBookInput, liq: Float64Array): number {
  const n = book.side.length;
  const alive = new Uint8Array(n).fill(1);
  let liquidated = 0;
  const pts = new Float64Array(4);
  for (let i = 0; i < c.time.length; i++) {
    const bull = c.close[i]! >= c.open[i]!;
    pts[0] = c.open[i]!;
    pts[1] = bull ? c.low[i]! : c.high[i]!;
    pts[2] = bull ? c.high[i]! : c.low[i]!;
    pts[3] = c.close[i]!;
    for (let j = 0; j < 4; j++) {
      const p = pts[j]!;
      for (let k = 0; k < n; k++) {
        if (!alive[k]) continue;
        if (book.side[k]! > 0 ? p <= liq[k]! : p >= liq[k]!) {
          alive[k] = 0;
          liquidated++;
        }
      }
    }
  }
  return liquidated;
}

/** Wall-clock and CPU (user + system of this process) milliseconds of `f`. CPU time is less
 *  disturbed by other processes on a shared machine, so both are reported. */
function timed<T>(f: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

export function main(): void {
  const n = arg('--positions', 1_000_000);
  const candles = readEventCandles(FILE);
  const tables = loadAllTables();
  const rules2020 = tables.find((t) => t.venue === 'binance-usdm' && t.effective === '2020-01-01')!;
  const sym = rules2020.symbols['BTCUSDT']!;
  const book = makeBook(n, candles.open[0]!, 42);
  const scenario = { venue: 'binance-usdm', symbol: 'BTCUSDT', insuranceFund: 1e8 } as const;

  type Mark = { source: 'close' } | { source: 'damped'; wick: number };
  const runOnce = (impact: { model: 'none' } | { model: 'linear'; depth1Pct: number }, mark?: Mark) =>
    timed(() => {
      const r = runReplay({ candles, book, rules: tables, seed: 1, scenario: { ...scenario, impact, ...(mark ? { mark } : {}) } });
      if (!r.ok) throw new Error(r.error.message);
      return r.value.summary;
    });
  // Warm-up (JIT), then measured runs; the median of 3 is reported.
  runOnce({ model: 'none' });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const REPS = 5;
  const offRuns = Array.from({ length: REPS }, () => runOnce({ model: 'none' }));
  const onRuns = Array.from({ length: REPS }, () => runOnce({ model: 'linear', depth1Pct: 2e7 }));
  // Mark models (scenario.mark): the same 1M book on the closes and on a damped wick (k = 0.5).
  const markCase = (impact: { model: 'none' } | { model: 'linear'; depth1Pct: number }, mark: Mark) => {
    const runs = Array.from({ length: REPS }, () => runOnce(impact, mark));
    return { ms: round(median(runs.map((r) => r.ms))), cpuMs: round(median(runs.map((r) => r.cpuMs))), liquidated: runs[0]!.value.liquidatedLong.count + runs[0]!.value.liquidatedShort.count };
  };
  const markRuns = {
    closeImpactOff: markCase({ model: 'none' }, { source: 'close' }),
    closeImpactOn: markCase({ model: 'linear', depth1Pct: 2e7 }, { source: 'close' }),
    damped05ImpactOff: markCase({ model: 'none' }, { source: 'damped', wick: 0.5 }),
    damped05ImpactOn: markCase({ model: 'linear', depth1Pct: 2e7 }, { source: 'damped', wick: 0.5 }),
  };

  // In-window inflow (population.inflow): the same 1M book plus an aged population over the first
  // day, replayed from bar 1440 without and with inflow (one cohort per bar), impact off and on.
  const population = { lookbackBars: 1440, meanAgeDays: 30, openInterest: 5e9 } as const;
  const withInflow = { ...population, inflow: { meanHoldingDays: 1 } };
  const runPop = (pop: typeof population | typeof withInflow, impact: { model: 'none' } | { model: 'linear'; depth1Pct: number }) =>
    timed(() => {
      const r = runReplay({ candles, book, rules: tables, seed: 1, scenario: { ...scenario, impact, population: pop } });
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    });
  runPop(withInflow, { model: 'none' });
  const inflowCase = (pop: typeof population | typeof withInflow, impact: { model: 'none' } | { model: 'linear'; depth1Pct: number }) => {
    const runs = Array.from({ length: REPS }, () => runPop(pop, impact));
    return { ms: round(median(runs.map((r) => r.ms))), cpuMs: round(median(runs.map((r) => r.cpuMs))), result: runs[0]!.value };
  };
  const popOff = inflowCase(population, { model: 'none' });
  const popOffInflow = inflowCase(withInflow, { model: 'none' });
  const popOn = inflowCase(population, { model: 'linear', depth1Pct: 2e7 });
  const popOnInflow = inflowCase(withInflow, { model: 'linear', depth1Pct: 2e7 });

  // Open population map (ReplayInput.mapGrid, as runs.liquidationMap asks it): a realistic replay
  // population (volume look-back over the first 1440 bars, owners reacting, inflow) without and with
  // a 60-bin grid, impact on; and the 1M book with the grid, impact off.
  let lowest = Infinity;
  let highest = -Infinity;
  for (let i = 0; i < candles.time.length; i++) {
    lowest = Math.min(lowest, candles.low[i]!);
    highest = Math.max(highest, candles.high[i]!);
  }
  const grid = { priceLow: lowest * 0.75, priceHigh: highest * 1.25, bins: 60 };
  const replayPop = { lookbackBars: 1440, reaction: { lossShare: 0.5, minutes: 30 }, inflow: { meanHoldingDays: 1 } };
  const runMap = (withGrid: boolean, big: boolean) =>
    timed(() => {
      const r = runReplay({ candles, ...(big ? { book } : {}), rules: tables, seed: 1, ...(withGrid ? { mapGrid: grid } : {}), scenario: { ...scenario, impact: big ? { model: 'none' } : { model: 'linear', depth1Pct: 2e7 }, ...(big ? {} : { population: replayPop }) } });
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    });
  runMap(true, false);
  const mapCase = (withGrid: boolean, big: boolean) => {
    const runs = Array.from({ length: REPS }, () => runMap(withGrid, big));
    return { ms: round(median(runs.map((r) => r.ms))), cpuMs: round(median(runs.map((r) => r.cpuMs))), result: runs[0]!.value };
  };
  const mapOff = mapCase(false, false);
  const mapOn = mapCase(true, false);
  const bigMap = mapCase(true, true);

  // Book build alone (margin math + radix argsort + gather), for the breakdown.
  const buildMs = median([0, 1, 2].map(() => timed(() => buildStaticBook(book, sym, 'linear')).ms));

  // Baseline 1: sort the same liquidation prices with the built-in typed-array sort.
  const floors = Float64Array.from(sym.brackets, (b) => b.floor);
  const caps = Float64Array.from(sym.brackets, (b) => b.cap);
  const mmrs = Float64Array.from(sym.brackets, (b) => b.mmr);
  const cums = Float64Array.from(sym.brackets, (b) => b.cum);
  const liq = new Float64Array(n);
  for (let i = 0; i < n; i++) liq[i] = isolatedLinearLiquidationPrice(floors, caps, mmrs, cums, book.side[i]!, book.qty[i]!, book.entry[i]!, book.margin[i]!);
  const sortRuns = Array.from({ length: REPS }, () => {
    const copy = liq.slice();
    return timed(() => copy.sort());
  });
  const sortMs = median(sortRuns.map((r) => r.ms));
  const sortCpuMs = median(sortRuns.map((r) => r.cpuMs));

  // Baseline 2: plain full scan on a subset, extrapolated linearly in the number of positions.
  const scanN = Math.min(n, 20_000);
  const sub: StaticBookInput = { side: book.side.subarray(0, scanN), qty: book.qty.subarray(0, scanN), entry: book.entry.subarray(0, scanN), margin: book.margin.subarray(0, scanN) };
  const scan = timed(() => fullScan(candles, sub, liq.subarray(0, scanN)));
  // Check the engine agrees with the scan on that subset (impact off).
  const subRun = runReplay({ candles, book: sub, rules: tables, seed: 1, scenario: { ...scenario, impact: { model: 'none' } } });
  if (!subRun.ok) throw new Error(subRun.error.message);
  const engineSubCount = subRun.value.summary.liquidatedLong.count + subRun.value.summary.liquidatedShort.count;

  // Memory: typed-array bytes of a 1M book measured, 10M extrapolated (or measured with --measure-10m).
  const g = globalThis as { gc?: () => void };
  g.gc?.();
  const built = buildStaticBook(book, sym, 'linear');
  const sideBytes = (b: typeof built.long) => b.liquidationPrice.byteLength + b.order.byteLength + b.record.byteLength + b.sourceRow.byteLength + b.closed.byteLength;
  const inputBytes = book.side.byteLength + book.qty.byteLength + book.entry.byteLength + book.margin.byteLength;
  const bookBytes = sideBytes(built.long) + sideBytes(built.short);
  const perPos = bookBytesPerPosition();
  let measured10m: number | null = null;
  if (process.argv.includes('--measure-10m')) {
    const b0 = process.memoryUsage().rss;
    const big = makeBook(10_000_000, candles.open[0]!, 7);
    const bb = buildStaticBook(big, sym, 'linear');
    measured10m = (process.memoryUsage().rss - b0) / 2 ** 20;
    void bb;
  }
  void built;

  const off = median(offRuns.map((r) => r.ms));
  const on = median(onRuns.map((r) => r.ms));
  const offCpu = median(offRuns.map((r) => r.cpuMs));
  const onCpu = median(onRuns.map((r) => r.cpuMs));
  const out = {
    benchmark: 'engine',
    data: `../shared/data/events/${FILE}`,
    bars: candles.time.length,
    pathPointsPerBar: 4,
    positions: n,
    node: process.version,
    timing: 'median of 5 runs after one warm-up; wall-clock ms and CPU ms of this process (CPU time is less affected by other load on the machine)',
    loadAverage1m: loadavg()[0],
    engineImpactOffMs: round(off),
    engineImpactOffCpuMs: round(offCpu),
    engineImpactOnMs: round(on),
    engineImpactOnCpuMs: round(onCpu),
    impactOnModel: 'linear, depth1Pct 20,000,000 USDT',
    bookBuildMs: round(buildMs),
    sortSameLiquidationPricesMs: round(sortMs),
    sortSameLiquidationPricesCpuMs: round(sortCpuMs),
    impactOffOverSort: round(off / sortMs),
    impactOffOverSortCpu: round(offCpu / sortCpuMs),
    targets: { impactOffMaxMs: 300, impactOffMaxOverSort: 3, metWall: off <= 300 && off / sortMs <= 3, metCpu: offCpu <= 300 && offCpu / sortCpuMs <= 3 },
    fullScan: {
      positionsRun: scanN,
      ms: round(scan.ms),
      extrapolatedTo: n,
      extrapolatedMs: round((scan.ms * n) / scanN),
      note: `full scan run on ${scanN} positions and extrapolated linearly to ${n}`,
      liquidatedOnSubset: scan.value,
      engineLiquidatedOnSubset: engineSubCount,
      agree: scan.value === engineSubCount,
    },
    inflow: {
      setup: '1M book + aged population (30 days, $5B) over the first 1440 bars, replayed over the other 4320; inflow meanHoldingDays 1 (fast turnover, a stress case)',
      populationPositions: popOff.result.population?.positions ?? 0,
      cohorts: popOffInflow.result.inflow?.cohorts ?? 0,
      inflowPositions: popOffInflow.result.inflow?.positions ?? 0,
      impactOff: { withoutInflowMs: popOff.ms, withInflowMs: popOffInflow.ms, withoutInflowCpuMs: popOff.cpuMs, withInflowCpuMs: popOffInflow.cpuMs },
      impactOn: { withoutInflowMs: popOn.ms, withInflowMs: popOnInflow.ms, withoutInflowCpuMs: popOn.cpuMs, withInflowCpuMs: popOnInflow.cpuMs },
      liquidatedShortNotional: { withoutInflow: round(popOff.result.summary.liquidatedShort.notional), withInflow: round(popOffInflow.result.summary.liquidatedShort.notional) },
    },
    markModels: { note: 'scenario.mark on the same 1M book (default candle path: engineImpactOff/OnMs above)', ...markRuns },
    openMap: {
      setup: 'population: 1440-bar volume look-back, reaction {lossShare 0.5, minutes 30}, inflow meanHoldingDays 1, impact on; grid 60 bins over [0.75·lowest low, 1.25·highest high]',
      populationPositions: mapOff.result.population?.positions ?? 0,
      cohorts: mapOff.result.inflow?.cohorts ?? 0,
      withoutGridMs: mapOff.ms,
      withGridMs: mapOn.ms,
      withoutGridCpuMs: mapOff.cpuMs,
      withGridCpuMs: mapOn.cpuMs,
      book1MImpactOffWithGridMs: bigMap.ms,
      book1MImpactOffWithGridCpuMs: bigMap.cpuMs,
    },
    liquidated: { impactOff: offRuns[0]!.value.liquidatedLong.count + offRuns[0]!.value.liquidatedShort.count, impactOn: onRuns[0]!.value.liquidatedLong.count + onRuns[0]!.value.liquidatedShort.count },
    memory: {
      inputColumns1M_MB: round(inputBytes / 2 ** 20),
      sortedBook1M_MB: round(bookBytes / 2 ** 20),
      bytesPerPosition: perPos,
      estimate10M_MB: round((10 * (inputBytes + bookBytes) + perPos.sortScratch * 10_000_000) / 2 ** 20),
      estimate10M_note: '10 × (input columns + sorted book, measured by byteLength at 1M) plus peak radix scratch; fits in 2 GB',
      measured10M_rssMB: measured10m === null ? null : round(measured10m),
    },
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

// Run when executed directly (npx tsx test/bench/engine.ts); a runner that imports this file calls main().
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
