/** Settings shared by the what-if panels: the impact model and the market population, as the API takes them. */
import type { ScenarioSpec } from '../../../../shared/scenario';

export interface LabSettings {
  venue: string;
  impact: 'none' | 'linear' | 'sqrt';
  /** Linear: notional that moves the price 1%. */
  depth1Pct: number;
  /** Square-root law: Y. */
  y: number;
  /** Multiplier of the depth (×0.5 after FTX-like thinning). */
  depthScale: number;
  /** Dataset for the start price, σ, the √-law calibration and the population (null: none). */
  datasetId: number | null;
  /** Population look-back in bars (0: no population). */
  lookbackBars: number;
  /** Explicit open interest when no dataset of the symbol is chosen (0: none). */
  openInterest: number;
  insuranceFund: number;
  seed: number;
}

export function defaultLabSettings(venue = 'binance-usdm'): LabSettings {
  return { venue, impact: 'linear', depth1Pct: 5_000_000, y: 0.7, depthScale: 1, datasetId: null, lookbackBars: 1440, openInterest: 0, insuranceFund: 0, seed: 1 };
}

export function scenarioOf(s: LabSettings, symbol?: string): ScenarioSpec {
  const depthScale = s.depthScale !== 1 ? { depthScale: s.depthScale } : {};
  const impact: ScenarioSpec['impact'] = s.impact === 'none' ? { model: 'none' } : s.impact === 'linear' ? { model: 'linear', depth1Pct: s.depth1Pct, ...depthScale } : { model: 'sqrt', y: s.y, ...depthScale };
  return { venue: s.venue, ...(symbol ? { symbol } : {}), impact, ...(s.insuranceFund > 0 ? { insuranceFund: s.insuranceFund } : {}) };
}

/** The population part of a what-if request. */
export function populationOf(s: LabSettings): { datasetId?: number; population?: { lookbackBars: number; openInterest?: number } } {
  const out: { datasetId?: number; population?: { lookbackBars: number; openInterest?: number } } = {};
  if (s.datasetId !== null) out.datasetId = s.datasetId;
  if (s.lookbackBars > 0 && (s.datasetId !== null || s.openInterest > 0)) out.population = { lookbackBars: Math.max(1, Math.floor(s.lookbackBars)), ...(s.openInterest > 0 ? { openInterest: s.openInterest } : {}) };
  return out;
}
