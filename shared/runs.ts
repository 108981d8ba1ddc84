/**
 * What the engine's results look like on the wire. These mirror the engine's own types
 * (electron/backend/engine), which the renderer must not import; `null` stands for "never"
 * where the engine uses ±Infinity (JSON has no Infinity).
 */

/** Margin figures of one position at a mark (all estimates from the venue's published formula). */
export interface MarginRow {
  accountId: string;
  positionId: string;
  symbol: string;
  side: 'long' | 'short';
  mode: 'cross' | 'isolated' | 'lending';
  qty: number;
  entry: number;
  mark: number;
  notional: number;
  mmr: number;
  cum: number;
  maintenanceMargin: number;
  liquidationPrice: number | null;
  bankruptcyPrice: number | null;
  marginCallPrice: number | null;
  marginRatio: number | null;
  distanceToLiquidation: number | null;
  healthFactor?: number | null;
}

export interface RulesUsed {
  venue: string;
  effective: string;
  source: string;
}

export interface MarginReport {
  rows: MarginRow[];
  rules: RulesUsed[];
}

export type RunKind = 'replay' | 'shock';

export interface PositionOutcomeInfo {
  id: string;
  liquidated: boolean;
  firstLiquidationTime: number | null;
  marginCallTime: number | null;
  initialLiquidationPrice: number | null;
  remainingQty: number;
}

/** A stored run as listed: what it was and its totals. */
export interface RunInfo {
  id: number;
  kind: RunKind;
  name: string;
  datasetId: number | null;
  portfolioId: number | null;
  engineVersion: string;
  seed: number;
  createdAt: number;
  eventCount: number;
  /** The resolved inputs: dataset window, portfolio snapshot, scenario, rules used. */
  params: RunParams;
  summary: RunSummary;
  /** Only on the reply of the call that computed the run (never stored: not reproducible). */
  timing?: { engineMs: number; totalMs: number };
}

export interface RunParams {
  datasetId: number | null;
  portfolioId: number | null;
  portfolio: unknown;
  scenario: unknown;
  seed: number;
  from: number | null;
  to: number | null;
  shock: unknown;
  /** The user's own rule tables, when given. */
  rules: unknown[] | null;
}

export interface RunSummary {
  bars: number;
  symbol: string;
  barSeconds: number;
  firstBar: number;
  markSource: 'candle-path';
  rules: RulesUsed & { marginCurrency: string };
  liquidatedLong: { count: number; notional: number };
  liquidatedShort: { count: number; notional: number };
  portfolioLiquidated: string[];
  portfolioMarginCalled: string[];
  firstPrice: number;
  finalExogenous: number;
  finalEffective: number;
  minExogenousLow: number;
  minEffectiveLow: number;
  maxExogenousHigh: number;
  maxEffectiveHigh: number;
  insuranceFundStart: number;
  insuranceFundEnd: number;
  insuranceFundMin: number;
  badDebt: number;
  adlVolume: number;
  halts: number;
  maxRounds: number;
  ledgerImbalance: number;
  positions: PositionOutcomeInfo[];
  skipped: { positionId: string; reason: string }[];
  population: unknown;
  staticPositions: number;
}

export interface RunEvent {
  time: number;
  kind: 'margin_call' | 'liquidation' | 'partial_liquidation' | 'adl' | 'halt';
  ref: string | null;
  side: 'long' | 'short' | null;
  price: number;
  notional: number;
  pnl: number;
  count: number;
  detail: string | null;
}

/** Per-bar series of a run, one value per replayed bar (columns of equal length). */
export type RunSeries = Record<
  | 'time'
  | 'exogenousClose'
  | 'effectiveClose'
  | 'effectiveLow'
  | 'effectiveHigh'
  | 'rounds'
  | 'liquidatedNotionalLong'
  | 'liquidatedNotionalShort'
  | 'liquidatedCountLong'
  | 'liquidatedCountShort'
  | 'insuranceFund'
  | 'badDebt'
  | 'adlVolume'
  | 'halted'
  | 'ledgerImbalance',
  number[]
>;

export interface RunDetail {
  run: RunInfo;
  series: RunSeries;
  events: RunEvent[];
}
