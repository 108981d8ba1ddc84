/**
 * `runs.liquidationMap`: what the replay screen draws beside the candles that a stored run does
 * not keep — the estimated market liquidation map per bar, the portfolio's liquidation and
 * margin-call price lines, and the portfolio's equity and margin ratio per bar.
 *
 * The map is recomputed deterministically from the run's stored parameters with the engine's
 * exported functions: the same candles window, the same population spec and seed give the same
 * population the engine replayed.
 *
 * A replay run's map is the engine's own (ReplayInput.mapGrid → openMap): the run is replayed
 * again, deterministically, with the map's price grid, and the engine reports per bar the notional
 * of its population still open at the end of the bar — after liquidations, ADL, owners reacting
 * (population.reaction) and inflow turnover, with the cohorts inflow opened (population.inflow).
 * When the replay does not reproduce the stored run (a run stored by another engine version) and
 * for design-lab cells, the classic reconstruction is used: each estimated position's liquidation
 * price from the venue formula with tiers, leaving the map in the bar where the run's *effective*
 * path (stored per bar: effectiveLow / effectiveHigh) first reaches it (no reaction, no inflow).
 * Everything here is an ESTIMATE and is labelled so on screen.
 */
import { ApiError } from '../../../shared/errors';
import type { LiquidationMapResult, PositionLine, RunEvent, RunParams, RunSeries } from '../../../shared/runs';
import {
  computeMargins,
  estimatePopulation,
  liquidationPrice,
  maintenanceMargin,
  runReplay,
  selectRules,
  type CandleColumns,
  type MapGrid,
  type Portfolio,
  type ReplayScenario,
  type VenueRules,
} from '../engine';
import { cellBook, type MechanismSpec } from '../engine/mechanisms';
import type { StaticBookInput } from '../engine/position-book';
import type { SymbolRules } from '../engine/venue-rules';
import { eventWindow, type PopulationParameters } from '../engine/validation';
import { float64Columns, type DatasetStore } from '../store/datasets';
import type { RunStore } from '../store/runs';
import type { HandlerGroup } from './handler-types';
import { CATALOG, readEventCandles, sharedDataDir } from './validation-data';
import { shippedRules, withUserRules } from './venue-tables';

export interface LiquidationMapContext {
  datasets: DatasetStore;
  runs: RunStore;
  /** Shared data folder (a design-lab cell's map re-derives its population from the event file); default: found beside the repo. */
  dataDir?: () => string;
}

/** Positions sorted by liquidation price with prefix sums of notional (one side of the book). */
export interface SortedSide {
  /** Ascending liquidation prices. */
  readonly price: Float64Array;
  /** prefix[i] = Σ notional of positions 0…i−1. */
  readonly prefix: Float64Array;
}

export function sortSide(prices: ArrayLike<number>, notionals: ArrayLike<number>): SortedSide {
  const order = Array.from({ length: prices.length }, (_, i) => i).sort((a, b) => prices[a]! - prices[b]!);
  const price = Float64Array.from(order, (i) => prices[i]!);
  const prefix = new Float64Array(order.length + 1);
  for (let k = 0; k < order.length; k++) prefix[k + 1] = prefix[k]! + notionals[order[k]!]!;
  return { price, prefix };
}

/** Index of the first price ≥ x (lower bound). */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Σ notional of positions whose price lies in [a, b). */
function sumBetween(s: SortedSide, a: number, b: number): number {
  if (!(b > a)) return 0;
  return s.prefix[lowerBound(s.price, b)]! - s.prefix[lowerBound(s.price, a)]!;
}

/**
 * Bins the positions still open after each bar. Longs are open while their liquidation price is
 * strictly below the lowest effective low so far; shorts while theirs is strictly above the
 * highest effective high so far. Returns bars×bins amounts (row-major by bar) per side.
 * Cost: O(bars·bins·log n) after one sort per side.
 */
export function binOpenPositions(
  longs: SortedSide,
  shorts: SortedSide,
  effectiveLow: ArrayLike<number>,
  effectiveHigh: ArrayLike<number>,
  priceLow: number,
  priceHigh: number,
  bins: number,
): { long: Float64Array; short: Float64Array } {
  const bars = effectiveLow.length;
  const long = new Float64Array(bars * bins);
  const short = new Float64Array(bars * bins);
  const step = (priceHigh - priceLow) / bins;
  let minLow = Number.POSITIVE_INFINITY;
  let maxHigh = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < bars; k++) {
    minLow = Math.min(minLow, effectiveLow[k]!);
    maxHigh = Math.max(maxHigh, effectiveHigh[k]!);
    for (let b = 0; b < bins; b++) {
      const lo = priceLow + b * step;
      const hi = b === bins - 1 ? priceHigh : lo + step;
      // Longs alive: price < minLow. Shorts alive: price > maxHigh (i.e. ≥ the next float up).
      long[k * bins + b] = sumBetween(longs, lo, Math.min(hi, minLow));
      const shortFrom = Math.max(lo, nextUp(maxHigh));
      short[k * bins + b] = sumBetween(shorts, shortFrom, hi);
    }
  }
  return { long, short };
}

/** The smallest double above x (so that "> x" becomes "≥ nextUp(x)"). */
function nextUp(x: number): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return Number.MIN_VALUE;
  const buf = new Float64Array([x]);
  const bits = new BigInt64Array(buf.buffer);
  bits[0] = x > 0 ? bits[0]! + 1n : bits[0]! - 1n;
  return buf[0]!;
}

function rulesFor(params: RunParams): VenueRules[] {
  return withUserRules(shippedRules(), (params.rules ?? undefined) as Record<string, unknown>[] | undefined);
}

/** Liquidation and margin-call price of each own position at the first replayed bar's open. */
function positionLines(portfolio: Portfolio | null, tables: VenueRules[], symbol: string, mark: number, at: number, marginCallRatio: number): PositionLine[] {
  if (!portfolio) return [];
  const rulesByVenue: Record<string, VenueRules> = {};
  for (const account of portfolio.accounts) {
    const chosen = selectRules(tables, account.venue, at);
    if (chosen.ok) rulesByVenue[account.venue] = chosen.value;
  }
  const margins = computeMargins(portfolio, { [symbol]: mark }, rulesByVenue, marginCallRatio);
  if (!margins.ok) return [];
  const lines: PositionLine[] = [];
  for (const row of margins.value) {
    if (row.symbol !== symbol) continue;
    const account = portfolio.accounts.find((a) => a.id === row.accountId)!;
    const spec = account.positions.find((p) => p.id === row.positionId)!;
    const margin = spec.margin ?? (spec.leverage ? (spec.qty * spec.entry) / spec.leverage : 0);
    const finite = (x: number): number | null => (Number.isFinite(x) && x > 0 ? x : null);
    lines.push({
      id: row.positionId,
      accountId: row.accountId,
      mode: row.mode,
      side: row.side,
      qty: row.qty,
      entry: row.entry,
      margin,
      openedAt: spec.openedAt ?? null,
      liquidationPrice: finite(row.liquidationPrice),
      marginCallPrice: finite(row.marginCallPrice),
    });
  }
  return lines;
}

/**
 * Equity and margin ratio (Σ maintenance margin / equity) of the portfolio's positions in the
 * replayed symbol at each bar's effective close; a position counts until the bar of its
 * liquidation event. Cross accounts add their wallet once. Partial liquidations are not
 * subtracted (the run's events give their size; this pane is an estimate).
 */
function accountSeries(portfolio: Portfolio | null, lines: PositionLine[], rules: VenueRules | null, series: RunSeries, events: RunEvent[], symbol: string): LiquidationMapResult['account'] {
  if (!portfolio || lines.length === 0 || !rules || rules.model !== 'linear') return null;
  const brackets = rules.symbols[symbol]?.brackets;
  if (!brackets) return null;
  const liquidatedAt = new Map<string, number>();
  for (const e of events) if (e.kind === 'liquidation' && e.ref !== null && !liquidatedAt.has(e.ref)) liquidatedAt.set(e.ref, e.time);
  const crossWallet = portfolio.accounts.filter((a) => a.mode === 'cross' && a.positions.some((p) => p.symbol === symbol)).reduce((s, a) => s + a.wallet, 0);
  const bars = series.time.length;
  const equity: number[] = new Array(bars);
  const marginRatio: (number | null)[] = new Array(bars);
  for (let k = 0; k < bars; k++) {
    const t = series.time[k]!;
    const mark = series.effectiveClose[k]!;
    let eq = crossWallet;
    let mm = 0;
    let open = 0;
    for (const line of lines) {
      const dead = liquidatedAt.get(line.id);
      if (dead !== undefined && dead <= t) continue;
      if (line.openedAt !== null && line.openedAt > t) continue;
      const sign = line.side === 'long' ? 1 : -1;
      eq += sign * line.qty * (mark - line.entry) + (line.mode === 'isolated' ? line.margin : 0);
      mm += maintenanceMargin(brackets, line.qty as never, mark as never);
      open++;
    }
    equity[k] = eq;
    marginRatio[k] = open > 0 && eq > 0 ? mm / eq : open > 0 ? null : 0;
  }
  return { equity, marginRatio };
}

export function liquidationMapHandlers(ctx: LiquidationMapContext): HandlerGroup<'runs.liquidationMap'> {
  return {
    'runs.liquidationMap': ({ id, bins = 60, priceLow, priceHigh }): LiquidationMapResult => {
      const row = ctx.runs.get(id);
      if (!row) throw new ApiError('not_found', `no run with id ${id}`, { field: 'id' });
      const params = row.params as RunParams;
      const series = ctx.runs.series(id) as RunSeries;
      const events = ctx.runs.events(id) as RunEvent[];
      const scenario = params.scenario as ReplayScenario;
      const portfolio = (params.portfolio ?? null) as Portfolio | null;
      const tables = rulesFor(params);
      const bars = series.time.length;
      const t0 = series.time[0] ?? 0;
      const chosen = selectRules(tables, scenario.venue, t0);
      const rules = chosen.ok ? chosen.value : null;
      const marginCallRatio = scenario.marginCallRatio ?? 0.8;

      const startIndex = (row.summary as { firstBar?: number }).firstBar ?? 0;
      const design = designCellOf(params.scenario);
      let candles: CandleColumns | null = null;
      if (params.datasetId !== null) {
        const raw = ctx.datasets.candles(params.datasetId, params.from ?? undefined, params.to ?? undefined);
        if (raw.time.length > 0) candles = float64Columns(raw);
      }
      const firstOpen = candles ? candles.open[startIndex]! : (series.exogenousOpen?.[0] ?? series.exogenousClose[0] ?? 0);
      const lines = positionLines(portfolio, tables, scenario.symbol, firstOpen, t0, marginCallRatio);
      const account = accountSeries(portfolio, lines, rules, series, events, scenario.symbol);

      const base = { runId: id, bars, time: series.time, positions: lines, account };
      let book: StaticBookInput;
      let symbolRules: SymbolRules | undefined;
      if (design) {
        // A design-lab cell: its population was estimated from the event file's look-back (not stored with the run).
        const cell = designCellBook(design, series, startIndex, row.seed, tables, ctx.dataDir ?? sharedDataDir);
        if ('reason' in cell) return { ...base, map: null, reason: cell.reason };
        ({ book, symbolRules, candles } = cell);
      } else {
        if (!scenario.population || !candles || !rules || rules.model !== 'linear') {
          const reason = !scenario.population ? 'the run has no estimated market population' : !candles ? 'the run has no stored candles (a shock)' : 'the map is modelled for linear perpetuals only';
          return { ...base, map: null, reason };
        }
        symbolRules = rules.symbols[scenario.symbol];
        if (!symbolRules) return { ...base, map: null, reason: `no rules for ${scenario.symbol}` };
        book = estimatePopulation(candles, startIndex, scenario.population, symbolRules, 'linear', row.seed).book;
      }
      const longP: number[] = [];
      const longN: number[] = [];
      const shortP: number[] = [];
      const shortN: number[] = [];
      for (let i = 0; i < book.side.length; i++) {
        const side = book.side[i]! > 0 ? 1 : -1;
        const lp = liquidationPrice(symbolRules!.brackets, { side, qty: book.qty[i]!, entry: book.entry[i]!, walletBalance: book.margin[i]! } as never).price;
        const notional = book.qty[i]! * book.entry[i]!;
        if (side > 0) {
          longP.push(lp);
          longN.push(notional);
        } else {
          shortP.push(lp);
          shortN.push(notional);
        }
      }
      let lowest = Number.POSITIVE_INFINITY;
      let highest = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < candles.time.length; i++) {
        lowest = Math.min(lowest, candles.low[i]!);
        highest = Math.max(highest, candles.high[i]!);
      }
      const lo = priceLow ?? lowest * 0.75;
      const hi = priceHigh ?? highest * 1.25;
      if (!(hi > lo)) throw new ApiError('invalid_input', 'priceHigh must be above priceLow', { field: 'priceHigh' });
      const fromEngine = design ? null : engineOpenMap(params, scenario, portfolio, tables, candles, row.seed, series, { priceLow: lo, priceHigh: hi, bins });
      const binned = fromEngine ?? binOpenPositions(sortSide(longP, longN), sortSide(shortP, shortN), series.effectiveLow, series.effectiveHigh, lo, hi, bins);
      const whole = (x: number): number => Math.max(0, Math.round(x)); // float residue of removed positions is ±1e-9 of a bin
      return {
        ...base,
        map: {
          bins,
          priceLow: lo,
          priceHigh: hi,
          long: Array.from(binned.long, whole),
          short: Array.from(binned.short, whole),
          positions: book.side.length,
          notional: [...longN, ...shortN].reduce((s, x) => s + x, 0),
        },
        reason: null,
      };
    },
  };
}

/**
 * The engine's open population map of a replay run: the run replayed again with the map's grid.
 * Null when the run is not a plain replay (a what-if run stores its spec, not its engine input) or
 * when the replay does not reproduce the stored effective path bit for bit (another engine version).
 */
export function engineOpenMap(
  params: RunParams,
  scenario: ReplayScenario,
  portfolio: Portfolio | null,
  tables: VenueRules[],
  candles: CandleColumns,
  seed: number,
  series: RunSeries,
  grid: MapGrid,
): { long: Float64Array; short: Float64Array } | null {
  if (params.shock !== null) return null;
  const r = runReplay({ candles, ...(portfolio ? { portfolio } : {}), scenario, rules: tables, seed, mapGrid: grid });
  if (!r.ok || !r.value.openMap) return null;
  const s = r.value.steps;
  const n = series.time.length;
  if (s.time.length !== n) return null;
  for (let k = 0; k < n; k++) if (s.effectiveLow[k] !== series.effectiveLow[k] || s.effectiveHigh[k] !== series.effectiveHigh[k] || s.time[k] !== series.time[k]) return null;
  return r.value.openMap;
}

/** What a design-lab cell's replay stores in its scenario (services/validation.ts, `design.openCell`). */
interface DesignCellParams {
  eventId: string;
  mechanism: MechanismSpec;
  parameters: PopulationParameters;
  file: string;
  /** Absent in cells stored before runs kept their candles. */
  window?: { venue: string; lookbackFrom: string; from: string; to: string };
}

function designCellOf(scenario: unknown): DesignCellParams | null {
  if (typeof scenario !== 'object' || scenario === null || !('designCell' in scenario)) return null;
  return (scenario as { designCell: DesignCellParams }).designCell;
}

/**
 * A design cell's population book, re-estimated exactly as the cell did (engine `cellBook`) from
 * the event file's observed look-back, read in place from the shared data folder. The file must
 * still hold the bars the run stored (times and observed closes); otherwise, or when the folder or
 * the file is missing, the reason the map cannot be drawn.
 */
function designCellBook(
  cell: DesignCellParams,
  series: RunSeries,
  startIndex: number,
  seed: number,
  tables: VenueRules[],
  dataDir: () => string,
): { book: StaticBookInput; symbolRules: SymbolRules; candles: CandleColumns } | { reason: string } {
  const spec = CATALOG.events.find((e) => e.id === cell.eventId);
  if (!spec || !cell.window || !series.observedClose) return { reason: 'a design-lab cell stored before runs kept their candles: open the cell again from the design matrix' };
  let all: CandleColumns;
  try {
    all = readEventCandles(dataDir(), cell.file);
  } catch {
    return { reason: `the map re-estimates the population from the look-back of ${cell.file}, which is not in the shared data folder` };
  }
  const e = eventWindow(all, { ...spec, ...cell.window, file: cell.file });
  const c = e.candles;
  const n = series.time.length;
  let same = c.time.length - startIndex === n;
  for (let k = 0; same && k < n; k++) same = c.time[startIndex + k] === series.time[k] && c.close[startIndex + k] === series.observedClose[k];
  if (!same) return { reason: `${cell.file} no longer holds the candles this run replayed` };
  const built = cellBook(e, cell.mechanism, cell.parameters, tables, seed);
  if (!built.ok) return { reason: built.error.message };
  if (built.value.pop.lookbackBars !== startIndex) return { reason: `${cell.file}: the look-back does not end at the run's first replayed bar` };
  return { book: built.value.book, symbolRules: built.value.symbolRules, candles: c };
}
