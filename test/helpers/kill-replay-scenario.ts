/**
 * The replay the SIGKILL test stores over and over: Binance-like rules with linear impact and
 * an estimated market population, so each run holds thousands of events and a long series
 * (a transaction long enough for kills to land inside it).
 */
import type { ScenarioSpec } from '../../shared/scenario';

/** 2020-03-12 00:00 to 2020-03-13 00:00 UTC, the day of the crash: one day keeps each replay short. */
export const REPLAY_WINDOW = { from: 1_583_971_200, to: 1_584_057_600 };

export const REPLAY_SCENARIO: ScenarioSpec = {
  venue: 'binance-usdm',
  impact: { model: 'linear', depth1Pct: 50_000_000 },
  population: { lookbackBars: 1440, positionsPerBucket: 20 },
};
