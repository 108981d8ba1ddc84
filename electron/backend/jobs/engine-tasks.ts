/**
 * The engine tasks that run in worker threads. Inputs and outputs are plain data (typed
 * arrays allowed); engine input errors become typed `invalid_input` errors naming the field.
 */
import { ApiError } from '../../../shared/errors';
import { runReplay, runShock, type CandleColumns, type ReplayResult, type ReplayScenario, type ShockSpec, type VenueRules } from '../engine';
import type { TaskContext } from './protocol';
import { VALIDATION_TASKS } from './validation-tasks';
import { performance } from 'node:perf_hooks';

export interface ReplayTaskInput {
  candles: CandleColumns;
  portfolio?: unknown;
  scenario: ReplayScenario;
  rules: VenueRules[];
  seed: number;
}

export interface ShockTaskInput extends Omit<ReplayTaskInput, 'candles'> {
  shock: ShockSpec;
}

function unwrap(result: ReturnType<typeof runReplay>): ReplayResult {
  if (!result.ok) {
    throw new ApiError('invalid_input', result.error.message, result.error.field ? { field: result.error.field } : {});
  }
  return result.value;
}

/** A result with the milliseconds spent in the engine (measured here: the engine has no clock). */
export interface TimedResult {
  result: ReplayResult;
  engineMs: number;
}

function timed(run: () => ReturnType<typeof runReplay>): TimedResult {
  const start = performance.now();
  const result = unwrap(run());
  return { result, engineMs: performance.now() - start };
}

export const ENGINE_TASKS = {
  replay(input: ReplayTaskInput, context: TaskContext): TimedResult {
    return timed(() => runReplay({ ...input, onProgress: (done, total) => context.progress(done, total, 'replaying bars') }));
  },
  shock(input: ShockTaskInput, context: TaskContext): TimedResult {
    return timed(() => runShock({ ...input, onProgress: (done, total) => context.progress(done, total, 'running the shock') }));
  },
  ...VALIDATION_TASKS,
};

// ── What-if lab (issue 7): shaped shocks with a dataset population, grid cells, Monte Carlo ranges ──
import {
  buildShockPopulation,
  runMonteCarloRange,
  runSweepCells,
  runWhatIfShock,
  type MonteCarloChunk,
  type MonteCarloInput,
  type ShockPopulationSource,
  type SweepCell,
  type SweepInput,
  type WhatIfShockInput,
  type WhatIfShockResult,
} from '../engine';

function unwrapAny<T>(result: { ok: true; value: T } | { ok: false; error: { message: string; field?: string } }): T {
  if (!result.ok) throw new ApiError('invalid_input', result.error.message, result.error.field ? { field: result.error.field } : {});
  return result.value;
}

/** The population of a grid or Monte Carlo, built in the worker from its source (same in every worker). */
function populationIn(source: ShockPopulationSource | undefined, rules: VenueRules[], scenario: ReplayScenario, startPrice: number, time: number, seed: number) {
  return source ? unwrapAny(buildShockPopulation(source, rules, scenario.venue, scenario.symbol, startPrice, time, seed)) : undefined;
}

export interface WhatIfShockTaskInput {
  /** One shock per asset, run one after the other. */
  shocks: (Omit<WhatIfShockInput, 'rules'> & { population?: ShockPopulationSource })[];
  rules: VenueRules[];
}

export interface SweepTaskInput {
  sweep: Omit<SweepInput, 'population' | 'rules'> & { rules: VenueRules[]; populationSource?: ShockPopulationSource };
  from: number;
  to: number;
}

export interface MonteCarloTaskInput {
  mc: Omit<MonteCarloInput, 'population' | 'rules'> & { rules: VenueRules[]; populationSource?: ShockPopulationSource };
  from: number;
  to: number;
}

export const WHAT_IF_TASKS = {
  whatIfShock(input: WhatIfShockTaskInput, context: TaskContext): { outcomes: WhatIfShockResult[]; engineMs: number } {
    const start = performance.now();
    const outcomes = input.shocks.map((shock, i) => {
      context.progress(i, input.shocks.length, `shocking ${shock.scenario.symbol}`);
      return unwrapAny(runWhatIfShock({ ...shock, rules: input.rules }));
    });
    context.progress(input.shocks.length, input.shocks.length, 'shocks done');
    return { outcomes, engineMs: performance.now() - start };
  },
  sweep(input: SweepTaskInput, context: TaskContext): { cells: SweepCell[]; engineMs: number } {
    const start = performance.now();
    const { populationSource, ...sweep } = input.sweep;
    const population = populationIn(populationSource, sweep.rules, sweep.scenario, sweep.shock.startPrice, sweep.shock.startTime ?? 0, sweep.seed);
    const total = input.to - input.from;
    const cells = unwrapAny(runSweepCells({ ...sweep, ...(population ? { population } : {}) }, input.from, input.to, (done) => context.progress(done, total, 'sweeping the grid')));
    return { cells, engineMs: performance.now() - start };
  },
  montecarlo(input: MonteCarloTaskInput, context: TaskContext): { chunk: MonteCarloChunk; engineMs: number } {
    const start = performance.now();
    const { populationSource, ...mc } = input.mc;
    const population = populationIn(populationSource, mc.rules, mc.scenario, mc.startPrice, mc.startTime, mc.seed);
    const total = input.to - input.from;
    const chunk = unwrapAny(runMonteCarloRange({ ...mc, ...(population ? { population } : {}) }, input.from, input.to, (done) => context.progress(done, total, 'simulating paths')));
    return { chunk, engineMs: performance.now() - start };
  },
};
Object.assign(ENGINE_TASKS, WHAT_IF_TASKS);
