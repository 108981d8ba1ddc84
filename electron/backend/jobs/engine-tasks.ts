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
