/**
 * Monte Carlo benchmark (issue 7): 10,000 paths × 1,440 one-minute steps for a 50-position book
 * with the cascade on (linear impact, a market population estimated from the real 2020-03-11 BTC
 * window, read in place), through the app's worker tasks — with 1 and with 2 worker threads.
 * Prints one JSON document: paths/s for each, the speed-up, and whether both gave the same
 * per-path losses (they must: streams are per path). `npx tsx test/bench/montecarlo.ts`;
 * BENCH_MC_PATHS=1000 for a quick run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildShockPopulation, calibrateJumpDiffusion, mergeMonteCarloChunks, splitPaths, summariseMonteCarlo, type CandleColumns, type MonteCarloChunk } from '../../electron/backend/engine';
import { runInWorker } from '../../electron/backend/jobs/job-runner';
import type { MonteCarloTaskInput } from '../../electron/backend/jobs/engine-tasks';
import { shippedRules } from '../../electron/backend/services/venue-tables';

const PATHS = Number(process.env.BENCH_MC_PATHS ?? 10_000);
const STEPS = 1440;
const FILE = path.resolve(import.meta.dirname, '../../../shared/data/events/btcusdt_1m_2020-03-11_2020-03-14.csv');

const rows = fs
  .readFileSync(FILE, 'utf8')
  .split('\n')
  .filter((l) => /^\d/.test(l))
  .slice(0, 1440)
  .map((l) => l.split(',').map(Number));
const col = (i: number) => Float64Array.from(rows, (r) => r[i]!);
const window: CandleColumns = { time: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
const startPrice = window.close[window.close.length - 1]!;
const startTime = window.time[window.time.length - 1]! + 60;

// 50 isolated positions: longs and shorts from 2× to 50×, entries within ±3% of the start.
const leverages = [2, 3, 5, 8, 10, 15, 20, 25, 35, 50];
const positions = Array.from({ length: 50 }, (_, i) => ({
  id: `p${i + 1}`,
  symbol: 'BTCUSDT',
  side: i % 3 === 2 ? ('short' as const) : ('long' as const),
  qty: 0.1 + (i % 7) * 0.15,
  entry: Math.round(startPrice * (0.97 + ((i * 37) % 61) / 1000)),
  leverage: leverages[i % leverages.length]!,
}));
const portfolio = { name: 'bench book', accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated' as const, wallet: 0, positions }] };
const rules = shippedRules();
const scenario = { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear' as const, depth1Pct: 5_000_000 } };
const population = buildShockPopulation({ spec: { lookbackBars: 1440 }, window }, rules, 'binance-usdm', 'BTCUSDT', startPrice, startTime, 1);
if (!population.ok) throw new Error(population.error.message);

const mc: MonteCarloTaskInput['mc'] = {
  portfolio,
  rules,
  scenario,
  model: calibrateJumpDiffusion(window.close),
  paths: PATHS,
  steps: STEPS,
  barSeconds: 60,
  startPrice,
  startTime,
  seed: 20200312,
  populationSource: { spec: { lookbackBars: 1440 }, window },
};

async function run(workers: number): Promise<{ seconds: number; pathsPerSecond: number; engineSecondsPerWorker: number[]; merged: MonteCarloChunk }> {
  const t0 = performance.now();
  const outs = await Promise.all(splitPaths(PATHS, workers).map(([from, to]) => runInWorker<{ chunk: MonteCarloChunk; engineMs: number }>('montecarlo', { mc, from, to } satisfies MonteCarloTaskInput)));
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, pathsPerSecond: PATHS / seconds, engineSecondsPerWorker: outs.map((o) => o.engineMs / 1000), merged: mergeMonteCarloChunks(outs.map((o) => o.chunk)) };
}

process.stderr.write(`montecarlo bench: ${PATHS} paths × ${STEPS} steps, 1 worker…\n`);
const one = await run(1);
process.stderr.write(`  ${one.pathsPerSecond.toFixed(0)} paths/s; 2 workers…\n`);
const two = await run(2);
const identical = one.merged.losses.length === two.merged.losses.length && one.merged.losses.every((x, i) => Object.is(x, two.merged.losses[i]));
const stats = summariseMonteCarlo(two.merged);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
process.stdout.write(
  `${JSON.stringify(
    {
      workload: { paths: PATHS, steps: STEPS, bookPositions: positions.length, populationPositions: population.value.parameters.positions, impact: 'linear depth 5M per 1%', model: 'gbm-jump calibrated on BTCUSDT 2020-03-11' },
      cpus: os.cpus().length,
      oneWorker: { seconds: round(one.seconds, 2), pathsPerSecond: round(one.pathsPerSecond), barStepsPerSecond: Math.round((one.pathsPerSecond * STEPS)) },
      twoWorkers: { seconds: round(two.seconds, 2), pathsPerSecond: round(two.pathsPerSecond), engineSecondsPerWorker: two.engineSecondsPerWorker.map((s) => round(s, 2)) },
      speedUp: round(two.pathsPerSecond / one.pathsPerSecond, 2),
      identicalAcrossWorkerCounts: identical,
      risk: { var95: round(stats.var95, 2), es95: round(stats.es95, 2), var99: round(stats.var99, 2), es99: round(stats.es99, 2) },
    },
    null,
    2,
  )}\n`,
);
