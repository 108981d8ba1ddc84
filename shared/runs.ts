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

export type RunKind = 'replay' | 'shock' | 'sweep' | 'montecarlo' | 'validation' | 'design';

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
  /** What-if runs (issue 7): the user's losses, the grid or the loss distribution. */
  whatIf?: import('./what-if').WhatIfRunSummary;
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
  /** Cascade round within the bar, 0-based (null: not inside a round — margin call, halt — or a run stored before rounds were recorded). */
  round?: number | null;
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

/** One own position's price lines on the replay chart (from the venue formula at the first bar). */
export interface PositionLine {
  id: string;
  accountId: string;
  mode: 'cross' | 'isolated' | 'lending';
  side: 'long' | 'short';
  qty: number;
  entry: number;
  /** Isolated margin (margin, or qty·entry/leverage); 0 for cross. */
  margin: number;
  openedAt: number | null;
  liquidationPrice: number | null;
  marginCallPrice: number | null;
}

/**
 * `runs.liquidationMap`: the run's estimated market liquidation map per replayed bar (positions
 * still open after that bar, binned by liquidation price), own position lines, and the
 * portfolio's estimated equity and margin ratio per bar. All ESTIMATES.
 */
export interface LiquidationMapResult {
  runId: number;
  bars: number;
  time: number[];
  /** Null when the run has no population (or is not a linear perpetual); `reason` says why. */
  map: {
    bins: number;
    priceLow: number;
    priceHigh: number;
    /** bars×bins notional, row-major by bar: long liquidations (below the price), short (above). */
    long: number[];
    short: number[];
    positions: number;
    notional: number;
  } | null;
  reason: string | null;
  positions: PositionLine[];
  account: { equity: number[]; marginRatio: (number | null)[] } | null;
}

/** One CSV field: quoted when it holds a comma, quote or line break. */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The run's events as CSV (one row per event; time in UTC seconds and ISO). */
export function runEventsCsv(detail: RunDetail): string {
  const head = ['time', 'utc', 'kind', 'ref', 'side', 'price', 'notional', 'pnl', 'count', 'detail'];
  const rows = detail.events.map((e) => [e.time, new Date(e.time * 1000).toISOString(), e.kind, e.ref, e.side, e.price, e.notional, e.pnl, e.count, e.detail].map(csvField).join(','));
  return `${head.join(',')}\n${rows.map((r) => `${r}\n`).join('')}`;
}

/** The run's per-bar series as CSV (one row per replayed bar). */
export function runSeriesCsv(detail: RunDetail): string {
  const keys = Object.keys(detail.series) as (keyof RunSeries)[];
  const n = detail.series.time.length;
  let out = `${['utc', ...keys].join(',')}\n`;
  for (let i = 0; i < n; i++) out += `${[new Date(detail.series.time[i]! * 1000).toISOString(), ...keys.map((k) => detail.series[k][i])].map(csvField).join(',')}\n`;
  return out;
}

/** The run as one JSON document: its info with full parameters, per-bar series and events. */
export function runJson(detail: RunDetail): string {
  return `${JSON.stringify({ format: 'undertow-run', version: 1, ...detail }, null, 1)}\n`;
}
