/**
 * A scenario: how the engine should model a replay or a shock (DESIGN.md §3). Validated at
 * the API boundary; the engine validates again what only it can know (symbols in the venue's
 * rules). Every bound here is a guard against absurd input, not a modelling opinion.
 */
import { z } from 'zod';

const positive = z.number().finite().positive();
const depthScale = z.number().finite().positive().max(1000).optional();

export const impactSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('none') }).strict(),
  z.object({ model: z.literal('linear'), depth1Pct: positive.max(1e13), depthScale }).strict(),
  z
    .object({
      model: z.literal('sqrt'),
      y: positive.max(10),
      /** Omit to calibrate from the dataset (σ of log returns scaled to a day). */
      dailyVolatility: positive.max(10).optional(),
      /** Omit to calibrate from the dataset (average daily traded quote notional). */
      dailyVolumeNotional: positive.max(1e15).optional(),
      depthScale,
    })
    .strict(),
  z
    .object({
      model: z.literal('ladder'),
      levels: z.array(z.object({ offsetPct: positive.max(100), notional: positive.max(1e15) }).strict()).min(1).max(1000),
      depthScale,
    })
    .strict(),
]);

export const markSchema = z.discriminatedUnion(
  'source',
  [
    z.object({ source: z.literal('candle-path') }).strict(),
    z.object({ source: z.literal('close') }).strict(),
    z
      .object({
        source: z.literal('damped'),
        wick: z
          .number({ error: 'mark.wick must be a number in [0, 1] (share of a bar’s wick that reaches the mark)' })
          .finite({ error: 'mark.wick must be finite' })
          .min(0, { error: 'mark.wick must be ≥ 0 (0: the mark follows the closes)' })
          .max(1, { error: 'mark.wick must be ≤ 1 (1: the mark is the candle path)' }),
      })
      .strict(),
  ],
  { error: "mark.source must be 'candle-path', 'close' or 'damped'" },
);

export const populationSchema = z
  .object({
    lookbackBars: z
      .number({ error: 'lookbackBars must be a number of bars' })
      .int({ error: 'lookbackBars must be a whole number of bars' })
      .min(1, { error: 'lookbackBars must be ≥ 1 bar' })
      .max(1_000_000, { error: 'lookbackBars must be ≤ 1,000,000 bars' }),
    participation: z.number().finite().gt(0).max(1).optional(),
    openInterest: positive.max(1e13).optional(),
    longShare: z.number().finite().min(0).max(1).optional(),
    buckets: z
      .array(z.object({ leverage: z.number().finite().gt(1).max(1000), weight: z.number().finite().min(0).max(1e6) }).strict())
      .min(1)
      .max(50)
      .optional(),
    entry: z.enum(['close', 'random']).optional(),
    positionsPerBucket: z.number().int().min(1).max(1000).optional(),
    /** Mean age of open positions (days): entries spread by the look-back's volatility, survivors only. */
    meanAgeDays: z
      .number({ error: 'meanAgeDays must be a number of days' })
      .finite({ error: 'meanAgeDays must be finite' })
      .gt(0, { error: 'meanAgeDays must be > 0 days (the mean age of open positions)' })
      .max(3650, { error: 'meanAgeDays must be ≤ 3650 days (10 years)' })
      .optional(),
    /** Owners close a position at a rate of 1/minutes once it has lost lossShare of its margin. */
    reaction: z
      .object({
        lossShare: z
          .number({ error: 'reaction.lossShare must be a number (share of the margin lost, 0–1)' })
          .finite({ error: 'reaction.lossShare must be finite' })
          .gt(0, { error: 'reaction.lossShare must be > 0 (share of the margin lost before owners react)' })
          .lt(1, { error: 'reaction.lossShare must be < 1 (at 1 the margin is gone: liquidation comes first)' }),
        minutes: z
          .number({ error: 'reaction.minutes must be a number of minutes' })
          .finite({ error: 'reaction.minutes must be finite' })
          .gt(0, { error: 'reaction.minutes must be > 0 (owners close at a rate of 1/minutes)' })
          .max(1e6, { error: 'reaction.minutes must be ≤ 1,000,000' }),
      })
      .strict()
      .optional(),
    /**
     * In-window inflow: per bar, a volume-weighted share of the population is closed by its owners
     * and reopened at the bar's close (open interest changes only by liquidations). Off when absent.
     */
    inflow: z
      .object({
        meanHoldingDays: z
          .number({ error: 'inflow.meanHoldingDays must be a number of days' })
          .finite({ error: 'inflow.meanHoldingDays must be finite' })
          .gt(0, { error: 'inflow.meanHoldingDays must be > 0 days (how long a position is held at the look-back’s average volume)' })
          .max(3650, { error: 'inflow.meanHoldingDays must be ≤ 3650 days (10 years)' }),
      })
      .strict()
      .optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    venue: z.string().trim().min(1).max(40),
    /** Symbol in the venue's rules; default: the dataset's symbol. */
    symbol: z.string().trim().min(1).max(40).optional(),
    impact: impactSchema,
    resilience: z.object({ halfLifeSeconds: positive.max(1e9), permanentShare: z.number().finite().min(0).max(1) }).strict().optional(),
    population: populationSchema.optional(),
    circuitBreaker: z
      .object({ windowBars: z.number().int().min(1).max(100_000), threshold: z.number().finite().gt(0).lt(1), haltBars: z.number().int().min(1).max(100_000) })
      .strict()
      .optional(),
    perStepCap: positive.max(1e15).optional(),
    insuranceFund: z.number().finite().min(0).max(1e15).optional(),
    adl: z.enum(['adl', 'socialised']).optional(),
    marginCallRatio: z.number().finite().gt(0).max(1).optional(),
    startIndex: z.number().int().min(0).max(100_000_000).optional(),
    marks: z.record(z.string().min(1).max(40), positive.max(1e12)).optional(),
    /**
     * Mark price model (engine candles.ts MarkSpec): the candle path (default), the 1m closes only,
     * or a damped wick (share `wick` of each bar's wick reaches the mark; 1 = candle path, 0 = closes).
     */
    mark: markSchema.optional(),
  })
  .strict();

export type ScenarioSpec = z.infer<typeof scenarioSchema>;

export const seedSchema = z.number().int().min(0).max(0xffffffff);

export const shockSchema = z
  .object({
    /** Price before the shock; default: the dataset's or the marks' last close. */
    startPrice: positive.max(1e12),
    /** −0.15 for −15%. */
    move: z.number().finite().gt(-1).max(10),
    overSeconds: z.number().int().min(1).max(30 * 86400),
    barSeconds: z.number().int().min(1).max(86400).optional(),
    holdBars: z.number().int().min(0).max(100_000).optional(),
  })
  .strict();

export type ShockSpecInput = z.infer<typeof shockSchema>;

/** The default scenario for a first replay: Binance-like rules, no impact, no population. */
export function defaultScenario(symbol: string): ScenarioSpec {
  return { venue: 'binance-usdm', symbol, impact: { model: 'none' } };
}
