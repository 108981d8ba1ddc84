/**
 * The what-if lab on the wire (issue 7): shaped shocks with a market population taken from a
 * dataset window, sensitivity grids, Monte Carlo, live portfolio metrics. Schemas validate the
 * API payloads; the types mirror what the engine returns (null where the engine has ±Infinity).
 */
import { z } from 'zod';
import { exactlyOnePortfolio, id, jobId, portfolioChoice, symbol, unixSeconds, userRules } from './fields';
import { populationSchema, scenarioSchema, seedSchema } from './scenario';
import type { MarginRow, RulesUsed } from './runs';

const move = z.number({ error: 'move must be a number' }).finite().gt(-1, 'a move must be above −100%').max(10, 'a move above +1000% is not a shock');
const workers = z.union([z.literal(1), z.literal(2)], { error: 'workers must be 1 or 2' }).optional();

export const SHOCK_SHAPES = ['instant', 'linear', 'exponential', 'geometric'] as const;
export type ShockShapeName = (typeof SHOCK_SHAPES)[number];
export const shockShapeSchema = z.enum(SHOCK_SHAPES, { error: 'shape must be instant, linear, exponential or geometric' });

const price = z.number().finite().positive().max(1e12);

/** One asset's shock of a what-if. */
export const assetShockSchema = z
  .object({
    /** Default: the scenario's symbol, else the dataset's. */
    symbol: symbol.optional(),
    move,
    overSeconds: z.number().int().min(1, 'a shock lasts at least 1 s').max(30 * 86400),
    shape: shockShapeSchema.default('linear'),
    /** Default: the dataset's last close (same symbol), else the marks, else the positions' mean entry. */
    startPrice: price.optional(),
    barSeconds: z.number().int().min(1).max(86400).optional(),
    holdBars: z.number().int().min(0).max(100_000).optional(),
  })
  .strict();

/** What a stored what-if run works on: the portfolio, the user's rule tables, the scenario. */
const runSubject = {
  ...portfolioChoice,
  rules: userRules,
  scenario: scenarioSchema,
};

/** Market population: from the dataset's bars before the shock, or an explicit open interest. */
const populationSource = {
  datasetId: id.optional(),
  /** Window end (UTC seconds, exclusive of later bars); default: the dataset's end. */
  to: unixSeconds.optional(),
  population: populationSchema.optional(),
};

/**
 * How a stored what-if run is run: when it starts (UTC seconds; picks the rule tables in force),
 * its seed, its worker threads, its name, and the job id that progress carries and cancel takes.
 * A shock runs in one worker and takes no `workers`.
 */
const runOptions = z.object({
  at: unixSeconds.optional(),
  seed: seedSchema.optional(),
  workers,
  name: z.string().trim().min(1).max(120).optional(),
  job: jobId.optional(),
});

export const whatIfShockParams = z
  .object({
    ...runSubject,
    shocks: z.array(assetShockSchema).min(1, 'give at least one shock').max(10),
    ...populationSource,
    ...runOptions.omit({ workers: true }).shape,
  })
  .strict()
  .refine(exactlyOnePortfolio.check, exactlyOnePortfolio.message);

export const whatIfSweepParams = z
  .object({
    ...runSubject,
    leverages: z.array(z.number().finite().gt(1, 'leverage must be above 1×').max(1000)).min(1).max(40),
    moves: z.array(move).min(1).max(40),
    depthScales: z.array(z.number().finite().positive().max(1000)).min(1).max(10).optional(),
    overSeconds: z.number().int().min(1).max(30 * 86400),
    shape: shockShapeSchema.default('linear'),
    startPrice: price.optional(),
    holdBars: z.number().int().min(0).max(100_000).optional(),
    ...populationSource,
    ...runOptions.shape,
  })
  .strict()
  .refine(exactlyOnePortfolio.check, exactlyOnePortfolio.message);

export const whatIfMonteCarloParams = z
  .object({
    ...runSubject,
    /** The dataset whose returns calibrate the paths (and whose window gives the population). */
    datasetId: id,
    from: unixSeconds.optional(),
    to: unixSeconds.optional(),
    model: z.enum(['gbm-jump', 'bootstrap'], { error: 'model must be gbm-jump or bootstrap' }).default('gbm-jump'),
    paths: z.number().int().min(1).max(200_000),
    steps: z.number().int().min(1).max(100_000),
    population: populationSchema.optional(),
    startPrice: price.optional(),
    ...runOptions.shape,
  })
  .strict()
  .refine(exactlyOnePortfolio.check, exactlyOnePortfolio.message);

export const whatIfMetricsParams = z
  .object({
    ...portfolioChoice,
    marks: z.record(symbol, price).optional(),
    /** Marks default to this dataset's last close (its symbol), σ is its daily volatility. */
    datasetId: id.optional(),
    at: unixSeconds.optional(),
    marginCallRatio: z.number().finite().gt(0).max(1).optional(),
    rules: userRules,
  })
  .strict()
  .refine(exactlyOnePortfolio.check, exactlyOnePortfolio.message);

/** A margin row plus the figures of the workspace. */
export interface MetricsRow extends MarginRow {
  /** Isolated: its margin; cross: null (the account's wallet backs it). */
  margin: number | null;
  unrealisedPnl: number;
  /** Distance to liquidation in daily standard deviations (null: no σ or never). */
  distanceSigma: number | null;
  tickSize: number | null;
}

export interface AccountMetrics {
  accountId: string;
  venue: string;
  mode: 'cross' | 'isolated';
  wallet: number;
  notional: number;
  margin: number;
  unrealisedPnl: number;
  equity: number;
  maintenanceMargin: number;
  /** Maintenance margin / equity (≥ 1: liquidatable). */
  marginRatio: number | null;
}

export interface WhatIfMetrics {
  rows: MetricsRow[];
  accounts: AccountMetrics[];
  marks: Record<string, number>;
  rules: RulesUsed[];
  dailyVolatility: { symbol: string; value: number; datasetId: number } | null;
}

export interface PositionLossInfo {
  id: string;
  symbol: string;
  side: 'long' | 'short';
  liquidated: boolean;
  survived: boolean;
  stake: number;
  loss: number;
  liquidationPrice: number | null;
}

/** One waterfall row: one cascade round of one bar (rows in bar order, then round order). */
export interface WaterfallStepInfo {
  /** Open time of the bar (UTC seconds). */
  time: number;
  /** Round within the bar, 0-based (null: liquidations outside a numbered round). */
  round: number | null;
  /** The bar's number of cascade rounds. */
  rounds: number;
  notionalByBucket: Record<string, number>;
  count: number;
}

/** One asset of a what-if shock. */
export interface AssetShockInfo {
  symbol: string;
  shape: ShockShapeName;
  move: number;
  overSeconds: number;
  startPrice: number;
  exogenousMove: number;
  effectiveMove: number;
  amplification: number;
  loss: number;
  insuranceFundStart: number;
  insuranceFundEnd: number;
  badDebt: number;
  liquidatedNotional: number;
  positions: PositionLossInfo[];
  waterfall: WaterfallStepInfo[];
  population: unknown;
  /** The per-bar path (the first asset's is also the run's series). */
  path: { time: number[]; exogenousClose: number[]; effectiveClose: number[]; effectiveLow: number[] };
}

export interface ShockWhatIf {
  kind: 'shock';
  totalLoss: number;
  assets: AssetShockInfo[];
}

export interface SweepCellInfo {
  leverage: number;
  move: number;
  depthScale: number;
  loss: number;
  survivors: number;
  positions: number;
  amplification: number;
  badDebt: number;
}

export interface SweepWhatIf {
  kind: 'sweep';
  symbol: string;
  leverages: number[];
  moves: number[];
  depthScales: number[];
  shape: ShockShapeName;
  overSeconds: number;
  startPrice: number;
  workers: number;
  cells: SweepCellInfo[];
}

export interface MonteCarloWhatIf {
  kind: 'montecarlo';
  symbol: string;
  model: unknown;
  paths: number;
  steps: number;
  barSeconds: number;
  startPrice: number;
  workers: number;
  meanLoss: number;
  stdDevLoss: number;
  worstLoss: number;
  var95: number;
  es95: number;
  var99: number;
  es99: number;
  histogram: { edges: number[]; counts: number[] };
  liquidationProbability: { id: string; probability: number }[];
  population: unknown;
}

export type WhatIfRunSummary = ShockWhatIf | SweepWhatIf | MonteCarloWhatIf;
