/**
 * Monte Carlo of a portfolio (DESIGN.md §1): seeded price paths (paths.ts) replayed through the
 * cascade with the impact model and the market population on; per path the portfolio's loss
 * (what-if.ts convention) and which positions were liquidated. Pure.
 *
 * Reproducible and split-invariant: path i always draws from stream i (paths.ts), and the
 * population book is built once from the dataset window, so any partition of [0, paths) into
 * ranges — one worker or two — yields the same per-path numbers, merged in path order.
 */
import type { ReplayScenario } from './index';
import { pathCandles, pathStreams, simulatePath, type PathModel } from './paths';
import { validatePortfolio } from './portfolio';
import { fail, ok, type Result } from './result';
import { expectedShortfall, lossHistogram, lossMoments, sortLosses, valueAtRisk, type Histogram } from './risk-measures';
import type { VenueRules } from './venue-rules';
import { portfolioLosses, runOnCandles, type ShockPopulation } from './what-if';

export interface MonteCarloInput {
  readonly portfolio: unknown;
  readonly rules: readonly VenueRules[];
  /** venue, symbol, impact… (its `population` is ignored: give `population`). */
  readonly scenario: ReplayScenario;
  readonly model: PathModel;
  readonly paths: number;
  readonly steps: number;
  readonly barSeconds: number;
  readonly startPrice: number;
  readonly startTime: number;
  readonly seed: number;
  readonly population?: ShockPopulation;
}

/** Per-path results of paths [from, to). */
export interface MonteCarloChunk {
  readonly from: number;
  readonly to: number;
  readonly losses: Float64Array;
  /** Exogenous close at the end of each path. */
  readonly finalPrices: Float64Array;
  /** Lowest effective price of each path (with impact). */
  readonly minEffective: Float64Array;
  /** Position ids, in the order of `liquidatedCounts`. */
  readonly positionIds: string[];
  /** Paths in which each position was liquidated. */
  readonly liquidatedCounts: Int32Array;
  readonly cancelled: boolean;
}

/** Run paths [from, to). `onPath(done)` after each path; returning true stops (cancelled). */
export function runMonteCarloRange(input: MonteCarloInput, from: number, to: number, onPath?: (done: number) => boolean | void): Result<MonteCarloChunk> {
  if (!(Number.isInteger(input.steps) && input.steps >= 1)) return fail('invalid_input', 'steps must be an integer ≥ 1', 'steps');
  if (!(input.startPrice > 0)) return fail('invalid_input', 'startPrice must be > 0', 'startPrice');
  if (!(from >= 0 && to >= from && to <= input.paths)) return fail('invalid_input', 'path range outside 0…paths', 'paths');
  const v = validatePortfolio(input.portfolio);
  if (!v.ok) return v;
  const contract = input.rules.find((r) => r.venue === input.scenario.venue)?.model === 'inverse' ? 'inverse' : 'linear';
  const count = to - from;
  const losses = new Float64Array(count);
  const finalPrices = new Float64Array(count);
  const minEffective = new Float64Array(count);
  const prices = new Float64Array(input.steps + 1);
  let ids: string[] | null = null;
  let liquidatedCounts = new Int32Array(0);
  const streams = pathStreams(input.seed, from);
  let cancelled = false;
  for (let k = 0; k < count; k++) {
    const prng = streams.next().value;
    simulatePath(input.model, prng, input.startPrice, prices);
    const candles = pathCandles(prices, input.startTime, input.barSeconds);
    const run = runOnCandles(candles, v.value, input.rules, input.scenario, input.seed, input.population);
    if (!run.ok) return run;
    const r = run.value;
    const lost = portfolioLosses(v.value, r.positions, r.events, input.scenario.symbol, contract, r.summary.finalEffective);
    if (ids === null) {
      ids = lost.positions.map((p) => p.id);
      liquidatedCounts = new Int32Array(ids.length);
    }
    lost.positions.forEach((p, j) => {
      if (p.liquidated) liquidatedCounts[j]!++;
    });
    losses[k] = lost.total;
    finalPrices[k] = prices[input.steps]!;
    minEffective[k] = r.summary.minEffectiveLow;
    if (onPath?.(k + 1) === true) {
      cancelled = true;
      return ok({ from, to: from + k + 1, losses: losses.slice(0, k + 1), finalPrices: finalPrices.slice(0, k + 1), minEffective: minEffective.slice(0, k + 1), positionIds: ids, liquidatedCounts, cancelled });
    }
  }
  return ok({ from, to, losses, finalPrices, minEffective, positionIds: ids ?? [], liquidatedCounts, cancelled });
}

/** Chunks (any order) merged into path order; they must tile [0, paths). */
export function mergeMonteCarloChunks(chunks: readonly MonteCarloChunk[]): MonteCarloChunk {
  const sorted = [...chunks].sort((a, b) => a.from - b.from);
  const n = sorted.reduce((s, c) => s + (c.to - c.from), 0);
  const losses = new Float64Array(n);
  const finalPrices = new Float64Array(n);
  const minEffective = new Float64Array(n);
  const ids = sorted.find((c) => c.positionIds.length)?.positionIds ?? [];
  const liquidatedCounts = new Int32Array(ids.length);
  let at = 0;
  for (const c of sorted) {
    if (c.from !== at) throw new RangeError(`chunks do not tile the paths: expected ${at}, got ${c.from}`);
    losses.set(c.losses, at);
    finalPrices.set(c.finalPrices, at);
    minEffective.set(c.minEffective, at);
    c.liquidatedCounts.forEach((x, j) => (liquidatedCounts[j]! += x));
    at = c.to;
  }
  return { from: 0, to: n, losses, finalPrices, minEffective, positionIds: ids, liquidatedCounts, cancelled: sorted.some((c) => c.cancelled) };
}

/** What a Monte Carlo run reports (plain data). */
export interface MonteCarloSummary {
  readonly paths: number;
  readonly meanLoss: number;
  readonly stdDevLoss: number;
  readonly worstLoss: number;
  readonly var95: number;
  readonly es95: number;
  readonly var99: number;
  readonly es99: number;
  readonly histogram: Histogram;
  /** Share of paths in which each position was liquidated. */
  readonly liquidationProbability: { readonly id: string; readonly probability: number }[];
}

export function summariseMonteCarlo(merged: MonteCarloChunk, bins = 40): MonteCarloSummary {
  const sorted = sortLosses(merged.losses);
  const n = sorted.length;
  const m = lossMoments(merged.losses);
  return {
    paths: n,
    meanLoss: m.mean,
    stdDevLoss: m.stdDev,
    worstLoss: n ? sorted[n - 1]! : 0,
    var95: valueAtRisk(sorted, 0.95),
    es95: expectedShortfall(sorted, 0.95),
    var99: valueAtRisk(sorted, 0.99),
    es99: expectedShortfall(sorted, 0.99),
    histogram: lossHistogram(sorted, bins),
    liquidationProbability: merged.positionIds.map((id, j) => ({ id, probability: n ? merged.liquidatedCounts[j]! / n : 0 })),
  };
}

/** Split [0, paths) into `parts` contiguous ranges of near-equal size. */
export function splitPaths(paths: number, parts: number): [number, number][] {
  const k = Math.max(1, Math.min(parts, paths || 1));
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) out.push([Math.floor((i * paths) / k), Math.floor(((i + 1) * paths) / k)]);
  return out;
}
