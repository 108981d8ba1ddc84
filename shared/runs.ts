/**
 * What the engine's results look like on the wire. These mirror the engine's own types
 * (electron/backend/engine), which the renderer must not import; `null` stands for "never"
 * where the engine uses ±Infinity (JSON has no Infinity).
 */
import type { CandleColumns } from './domain';

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
  /** The mark model that ran (scenario.mark): 'candle-path' (default), 'close' or 'damped(wick=k)'. */
  markSource: 'candle-path' | 'close' | `damped(wick=${number})`;
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
  /**
   * In-window inflow of the population (scenario population.inflow; engine ReplayResult.inflow):
   * quote notional opened during the window (= the notional its turnover closed), positions and
   * cohorts opened, and the population's open base quantity at the end. Null: inflow off. Absent:
   * stored before runs kept it (the summary is JSON: no migration, old runs simply lack it).
   */
  inflow?: { openedNotional: number; positions: number; cohorts: number; openQuantity: number } | null;
  staticPositions: number;
  /** What-if runs (issue 7): the user's losses, the grid or the loss distribution. */
  whatIf?: import('./what-if').WhatIfRunSummary;
  /**
   * Present when the run carries its own candles in its series (a run without a dataset: a
   * design-lab cell), and what they are. Absent: the candles come from the run's dataset, if any.
   */
  ownCandles?: OwnCandlesInfo;
}

/** What a run's own candle columns are (see `RUN_CANDLE_COLUMNS`). */
export interface OwnCandlesInfo {
  /** The path the replay ran on (open/high/low/close: `exogenous*`), e.g. a de-impacted path. */
  exogenous: string;
  /** The observed path kept beside it (`observed*` columns), or null when not stored. */
  observed: string | null;
  /** Where the observed candles were read from (a file of the shared data folder). */
  source: string | null;
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

/**
 * Candle columns a run may carry beside its series (one value per replayed bar, like the rest):
 * the path the replay ran on (`exogenousOpen/High/Low` with the series' `exogenousClose`, and
 * `volume`) and the observed path (`observed*`). Design-lab cells store them, so the replay
 * screen draws their candles without a dataset; see `RunSummary.ownCandles`.
 */
export const RUN_CANDLE_COLUMNS = ['exogenousOpen', 'exogenousHigh', 'exogenousLow', 'volume', 'observedOpen', 'observedHigh', 'observedLow', 'observedClose'] as const;
export type RunCandleColumn = (typeof RUN_CANDLE_COLUMNS)[number];

/** Per-bar series of a run, one value per replayed bar (columns of equal length). */
export type RunSeries = Partial<Record<RunCandleColumn, number[]>> & Record<
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

/** A run's own candles (one per replayed bar): the path it replayed on, and the observed one when stored. */
export interface RunCandles {
  exogenous: CandleColumns;
  observed: CandleColumns | null;
  info: OwnCandlesInfo;
}

/**
 * The candles a run carries in its series (`RUN_CANDLE_COLUMNS`), or null when it has none (a
 * dataset run, a shock, or a design-lab cell stored before cells kept their candles).
 */
export function runCandles(detail: RunDetail): RunCandles | null {
  const s = detail.series;
  const info = detail.run.summary.ownCandles;
  const n = s.time.length;
  const full = (c: number[] | undefined): c is number[] => c !== undefined && c.length === n;
  if (!info || !full(s.exogenousOpen) || !full(s.exogenousHigh) || !full(s.exogenousLow) || !full(s.volume)) return null;
  const exogenous: CandleColumns = { time: s.time, open: s.exogenousOpen, high: s.exogenousHigh, low: s.exogenousLow, close: s.exogenousClose, volume: s.volume };
  const observed = full(s.observedOpen) && full(s.observedHigh) && full(s.observedLow) && full(s.observedClose)
    ? { time: s.time, open: s.observedOpen, high: s.observedHigh, low: s.observedLow, close: s.observedClose, volume: s.volume }
    : null;
  return { exogenous, observed, info };
}

/** A design-lab cell's stored replay (its scenario names the cell), with or without its own candles. */
export function isDesignCellRun(run: RunInfo): boolean {
  const scenario = run.params.scenario;
  return typeof scenario === 'object' && scenario !== null && 'designCell' in scenario;
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
  for (let i = 0; i < n; i++) out += `${[new Date(detail.series.time[i]! * 1000).toISOString(), ...keys.map((k) => detail.series[k]![i])].map(csvField).join(',')}\n`;
  return out;
}

/** The run as one JSON document: its info with full parameters, per-bar series and events. */
export function runJson(detail: RunDetail): string {
  return `${JSON.stringify({ format: 'undertow-run', version: 1, ...detail }, null, 1)}\n`;
}
