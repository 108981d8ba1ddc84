/**
 * Worker tasks of the validation and the design lab (issue 9). Inputs are plain data (the catalog
 * events and their candle columns, read by the service); engine errors become typed errors.
 */
import { performance } from 'node:perf_hooks';
import { ApiError } from '../../../shared/errors';
import type { Result, ReplayResult, ReplayScenario, VenueRules } from '../engine';
import { CALIBRATION_GRID, gridPoints, robustness, robustnessSteps, validate, type EventCandles, type Robustness, type Kappa, type PopulationParameters, type ValidationReport } from '../engine/validation';
import { baselineOf, calibrateDepth, cellOutcome, deimpactEvent, DEFAULT_MECHANISMS, DEPTH_MULTIPLIERS, planCell, replayCell, runDesignLab, withDepth, type DeimpactInfo, type DepthCalibration, type DesignMatrix, type MechanismOutcome, type MechanismSpec } from '../engine/mechanisms';
import type { TaskContext } from './protocol';

export interface ValidateTaskInput {
  events: EventCandles[];
  inSample: string[];
  rules: VenueRules[];
  fixed?: PopulationParameters;
}

export interface DesignTaskInput {
  events: EventCandles[];
  mechanisms: MechanismSpec[];
  parameters: PopulationParameters;
  kappa: Kappa;
  rules: VenueRules[];
  seed: number;
  /** Calibrate the depth multiplier on these events (calibrated liquidity), or null: resting depth (×1). */
  calibrateDepthOn: string[] | null;
}

export interface DesignCellTaskInput extends Omit<DesignTaskInput, 'events' | 'mechanisms' | 'calibrateDepthOn'> {
  event: EventCandles;
  mechanism: MechanismSpec;
  /** The matrix's depth multiplier, so the cell is the matrix's cell. */
  depthMultiplier: number;
}

/** The matrix with how its depth was chosen. */
export type DesignTaskOutput = DesignMatrix & { depthCalibration: DepthCalibration | null };

/** A cell's replay, and the de-impacted candles it ran on (the replayed bars only, from `result.firstBar`). */
export interface DesignCellTaskOutput {
  result: ReplayResult;
  outcome: MechanismOutcome;
  scale: number;
  scenario: ReplayScenario;
  exogenous: { open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array };
  exogenousPath: DeimpactInfo;
  engineMs: number;
}

function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new ApiError(r.error.code === 'cancelled' ? 'cancelled' : 'invalid_input', r.error.message, r.error.field ? { field: r.error.field } : {});
  return r.value;
}

export const VALIDATION_TASKS = {
  validate(input: ValidateTaskInput, context: TaskContext): ValidationReport {
    const g = CALIBRATION_GRID;
    const total = (input.fixed ? 0 : gridPoints(g) * input.inSample.length) + input.events.length;
    let done = 0;
    return unwrap(validate(input.events, input.inSample, input.rules, { ...(input.fixed ? { fixed: input.fixed } : {}), onStep: () => void context.progress(++done, total, 'replaying crash windows') }));
  },
  robustness(input: ValidateTaskInput, context: TaskContext): Robustness {
    const total = robustnessSteps(input.events.length, input.inSample.length);
    let done = 0;
    return unwrap(robustness(input.events, input.inSample, input.rules, () => void context.progress(++done, total, 'recalibrating on other splits')));
  },
  design(input: DesignTaskInput, context: TaskContext): DesignTaskOutput {
    let depthCalibration: DepthCalibration | null = null;
    if (input.calibrateDepthOn) {
      const fit = input.calibrateDepthOn.length;
      const total = fit * DEPTH_MULTIPLIERS.length;
      let done = 0;
      depthCalibration = unwrap(
        calibrateDepth(input.events, input.calibrateDepthOn, baselineOf(input.mechanisms), input.parameters, input.kappa, input.rules, input.seed, DEPTH_MULTIPLIERS, () => void context.progress(++done, total, 'calibrating depth (de-impacting in-sample paths)')),
      );
    }
    const k = depthCalibration?.multiplier ?? 1;
    const matrix = unwrap(runDesignLab(input.events, input.mechanisms, input.parameters, input.kappa, input.rules, input.seed, (done, total) => void context.progress(done, total, 'replaying mechanisms'), k));
    return { ...matrix, depthCalibration };
  },
  designCell(input: DesignCellTaskInput): DesignCellTaskOutput {
    const start = performance.now();
    // The same de-impacted path as the matrix (deterministic), so the cell agrees with its matrix cell.
    const event = withDepth(input.event, input.depthMultiplier);
    const x = unwrap(deimpactEvent(event, baselineOf(DEFAULT_MECHANISMS), input.parameters, input.kappa, input.rules, input.seed));
    const plan = unwrap(planCell(event, input.mechanism, input.parameters, input.kappa, input.rules, input.seed, x.candles));
    const result = unwrap(replayCell(plan, input.rules, input.seed));
    const from = result.firstBar;
    return {
      result,
      outcome: cellOutcome(event, input.mechanism, plan, result),
      scale: plan.scale,
      scenario: plan.scenario,
      exogenous: { open: x.candles.open.slice(from), high: x.candles.high.slice(from), low: x.candles.low.slice(from), close: x.candles.close.slice(from) },
      exogenousPath: x.info,
      engineMs: performance.now() - start,
    };
  },
};
