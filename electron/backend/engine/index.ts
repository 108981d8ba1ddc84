/**
 * Undertow cascade engine — public API. Pure, deterministic TypeScript: no Node, Electron, clock,
 * randomness or I/O. Same inputs and seed → bit-identical outputs. Callers read files and time.
 *
 * ## Functions
 * - `parseVenueRules(json) → Result<VenueRules>` — validate one parsed `resources/venues/*.json`.
 * - `selectRules(tables, venue, dateSeconds) → Result<VenueRules>` — table in force at a date.
 * - `validatePortfolio(json) → Result<Portfolio>` — DESIGN.md §4 shape, errors name the field.
 * - `computeMargins(portfolio, marks, rulesByVenue, marginCallRatio = 0.8) → Result<PositionMargin[]>`
 *   — per position: liquidation / bankruptcy / margin-call price, MMR, cum, maintenance margin,
 *   margin ratio and distance to liquidation at `marks` (symbol → price; missing → entry).
 * - `runReplay(input: ReplayInput) → Result<ReplayResult>` — replay candles through the cascade.
 * - `createReplay(input) → Result<ReplaySession>` — the same, one bar per `step()`; `result()` any time.
 * - `runShock(input: ShockInput) → Result<ReplayResult>` — a synthetic shock path (e.g. −15% over
 *   10 minutes from a start price), then the cascade it sets off.
 * - `estimatePopulation`, `calibrateSqrtImpact`, margin formulas (`liquidationPrice`, …) for tools.
 *
 * ## Inputs (plain data)
 * - candles: `{time, open, high, low, close, volume}[]` (time = bar open, UTC seconds) or columns
 *   of Float64Array (`CandleColumns`).
 * - portfolio: `{ name?, accounts: [{ id, venue, mode: 'cross'|'isolated', wallet, positions:
 *   [{ id, symbol, side, qty, entry, leverage? | margin?, openedAt?, debt? }] }] }`.
 * - scenario: `ReplayScenario` — `{ venue, symbol, impact: {model:'none'} | {model:'linear',
 *   depth1Pct, depthScale?} | {model:'sqrt', y, dailyVolatility, dailyVolumeNotional, depthScale?} |
 *   {model:'ladder', levels:[{offsetPct, notional}], depthScale?}, resilience?: {halfLifeSeconds,
 *   permanentShare}, population?: PopulationSpec, circuitBreaker?: {windowBars, threshold,
 *   haltBars}, perStepCap?: number, insuranceFund?: number, adl?: 'adl'|'socialised',
 *   marginCallRatio?: number, startIndex?: number, marks?: {symbol: price} }`.
 * - rules: one `VenueRules` or a list (the table in force at the first replayed bar is used).
 * - book (optional): columns of extra isolated positions `{side Int8Array(±1), qty, entry, margin
 *   Float64Array, bucket? Int32Array}` with `bookLabels` — e.g. a million positions for a bench.
 *
 * ## Result (`ReplayResult`)
 * JSON-serialisable except `steps`, whose fields are typed arrays (one entry per replayed bar;
 * `Array.from` them for JSON): time, exogenousClose, effectiveClose, effectiveLow/High, rounds,
 * liquidatedNotionalLong/Short, liquidatedCountLong/Short, insuranceFund, badDebt (cumulative),
 * adlVolume, halted, ledgerImbalance. `events`: `{time, kind: margin_call|liquidation|
 * partial_liquidation|adl|halt, positionId? | bucket?, side?, price, notional, pnl, count, detail?}`.
 * `summary`: totals. `positions`: outcome per portfolio position. No wall-clock timing inside.
 *
 * Conventions: the mark is the candle path (`markSource: 'candle-path'`) unless `scenario.mark`
 * asks for the closes or a damped wick (candles.ts MarkSpec; the result's `markSource` names it);
 * the effective price is the exogenous (mark) path times the impact carried so far, and
 * effectiveLow/High are its extremes; every modelled quantity is an estimate.
 */
import { toCandleColumns, barSeconds as barSecondsOf, candleCount, markSourceLabel, markWickOf, PATH_POINTS, type Candle, type CandleColumns, type MarkSourceLabel, type MarkSpec } from './candles';
import { CascadeRun, type CascadeConfig, type CascadeEvent, type CircuitBreakerSpec, type PositionOutcome, type StepSeries } from './cascade';
import type { ImpactSpec, ResilienceSpec } from './impact';
import { buildStaticBook, type StaticBookInput } from './position-book';
import { estimatePopulation, type PopulationEstimate, type PopulationSpec } from './population';
import { inflowHazards } from './inflow';
import type { MapGrid, OpenMap } from './open-map';
import { portfolioToCascadePositions, validatePortfolio, type Portfolio, type SkippedPosition } from './portfolio';
import { fail, ok, type Result } from './result';
import { selectRules, type VenueRules } from './venue-rules';
import { ledgerImbalance, type Ledger } from './ledger';

/**
 * Bumped whenever the same inputs can give different outputs (0.2.0: events carry their cascade
 * round; book events grouped per round; 0.3.0: aged populations and owner reaction, which the
 * validation now fits; 0.4.0: in-window inflow (population.inflow, off unless asked: runs without it
 * are unchanged), which the validation's calibration grid now includes, so its fitted parameters
 * and figures can differ).
 */
export const ENGINE_VERSION = '0.4.0';

export type { Candle, CandleColumns, MarkSpec, MarkSourceLabel } from './candles';
export { markSourceLabel } from './candles';
export type { CascadeEvent, CircuitBreakerSpec, DynamicPosition, EventKind, PositionOutcome, StepSeries } from './cascade';
export type { ImpactSpec, ResilienceSpec } from './impact';
export type { MapGrid, OpenMap } from './open-map';
export { calibrateSqrtImpact, createImpactModel } from './impact';
export type { StaticBookInput } from './position-book';
export type { PopulationSpec, PopulationEstimate } from './population';
export { estimatePopulation, POPULATION_DEFAULTS } from './population';
export type { Portfolio, PortfolioAccount, PortfolioPosition, PositionMargin, SkippedPosition } from './portfolio';
export { computeMargins, validatePortfolio } from './portfolio';
export type { Result, EngineInputError } from './result';
export type { Bracket, LendingRules, LiquidationPolicy, SymbolRules, VenueRules } from './venue-rules';
export { parseVenueRules, selectRules, isoDateToSeconds } from './venue-rules';
export { liquidationPrice, bankruptcyPrice, marginCallPrice, marginRatio, maintenanceMargin, liquidationPriceFormula } from './linear-margin';
export { inverseLiquidationPrice, inverseBankruptcyPrice, inversePnl } from './inverse-margin';
export { healthFactor, liquidateLending, lendingLiquidationPrice } from './lending';
export { Prng, type PrngState } from './prng';
export type { Ledger } from './ledger';

/** What to simulate and how (plain data). */
export interface ReplayScenario {
  readonly venue: string;
  /** Symbol of the replayed candles in the venue's rules (BTCUSDT, BTC, XBTUSD, WETH…). */
  readonly symbol: string;
  readonly impact: ImpactSpec;
  /** Default: half-life 300 s, half of each move permanent. */
  readonly resilience?: ResilienceSpec;
  readonly population?: PopulationSpec;
  readonly circuitBreaker?: CircuitBreakerSpec;
  /** Most notional liquidated per bar (quote currency; contracts for inverse). */
  readonly perStepCap?: number;
  /** Insurance fund at the start, in the margin currency. Default 0. */
  readonly insuranceFund?: number;
  /** Default: the venue's rule (`shortfall` in its table). */
  readonly adl?: 'adl' | 'socialised';
  /** Margin ratio of a margin call. Default 0.8. */
  readonly marginCallRatio?: number;
  /** First replayed bar. Default: population.lookbackBars when a population is estimated, else 0. */
  readonly startIndex?: number;
  /** Marks of other symbols of cross accounts (symbol → price). */
  readonly marks?: Readonly<Record<string, number>>;
  /** Mark price model of the replayed symbol (candles.ts MarkSpec). Default: the candle path. */
  readonly mark?: MarkSpec;
}

/** Input of {@link runReplay}. */
export interface ReplayInput {
  readonly candles: readonly Candle[] | CandleColumns;
  /** Parsed portfolio (validated here). */
  readonly portfolio?: Portfolio | unknown;
  readonly book?: StaticBookInput;
  readonly bookLabels?: readonly string[];
  /** Owners of `book` react before liquidation as PopulationSpec.reaction (only without a population: it is a population passed in resolved). */
  readonly bookReaction?: { readonly lossShare: number; readonly minutes: number };
  readonly scenario: ReplayScenario;
  readonly rules: VenueRules | readonly VenueRules[];
  readonly seed: number;
  /**
   * Keep the open population map (open-map.ts) on this price grid: per bar, the static book's and
   * the inflow cohorts' open notional binned by liquidation price, from the run's own state.
   */
  readonly mapGrid?: MapGrid;
  /** Called every 64 bars and at the end with (bars done, bars total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Polled every 64 bars; returning true stops the run (the result says `cancelled`). */
  readonly shouldCancel?: () => boolean;
}

/** Totals of a run. */
export interface ReplaySummary {
  readonly bars: number;
  readonly liquidatedLong: { readonly count: number; readonly notional: number };
  readonly liquidatedShort: { readonly count: number; readonly notional: number };
  readonly portfolioLiquidated: readonly string[];
  readonly portfolioMarginCalled: readonly string[];
  readonly firstPrice: number;
  readonly finalExogenous: number;
  readonly finalEffective: number;
  readonly minExogenousLow: number;
  readonly minEffectiveLow: number;
  readonly maxExogenousHigh: number;
  readonly maxEffectiveHigh: number;
  readonly insuranceFundStart: number;
  readonly insuranceFundEnd: number;
  readonly insuranceFundMin: number;
  readonly badDebt: number;
  readonly adlVolume: number;
  readonly halts: number;
  readonly maxRounds: number;
  readonly ledger: Ledger;
  /** |traderDelta + marketDelta + fundDelta − badDebt| at the end. */
  readonly ledgerImbalance: number;
}

/** Result of a replay (see the module comment for which fields are typed arrays). */
export interface ReplayResult {
  readonly engineVersion: string;
  /** The mark model that ran (scenario.mark): 'candle-path', 'close' or 'damped(wick=k)'. */
  readonly markSource: MarkSourceLabel;
  readonly rules: { readonly venue: string; readonly effective: string; readonly source: string; readonly marginCurrency: string };
  readonly symbol: string;
  /** Index of the first replayed bar within the input candles. */
  readonly firstBar: number;
  readonly barSeconds: number;
  readonly seed: number;
  readonly steps: StepSeries;
  readonly events: readonly CascadeEvent[];
  readonly summary: ReplaySummary;
  readonly positions: readonly PositionOutcome[];
  readonly skipped: readonly SkippedPosition[];
  readonly population: PopulationEstimate['parameters'] | null;
  /** Notional of the population closed by its owners before liquidation (PopulationSpec.reaction). */
  readonly closedByOwnerNotional: number;
  /**
   * In-window inflow (PopulationSpec.inflow), null when off: quote notional opened (= the notional its
   * turnover closed, at the same closes), positions and cohorts opened, and the population's open base
   * quantity (BTC linear, contracts inverse) at the end — its start minus what was liquidated,
   * deleveraged or closed by reacting owners.
   */
  readonly inflow: { readonly openedNotional: number; readonly positions: number; readonly cohorts: number; readonly openQuantity: number } | null;
  readonly staticPositions: number;
  readonly cancelled: boolean;
  /** The open population map (only when ReplayInput.mapGrid was given; rows for the bars replayed). */
  readonly openMap?: OpenMap;
}

/** A replay advanced bar by bar. */
export interface ReplaySession {
  /** Replay the next bar; false when there is none. */
  step(): boolean;
  /** Bars replayed so far / in total. */
  readonly progress: { readonly done: number; readonly total: number };
  /** The result for the bars replayed so far (series truncated to them). */
  result(cancelled?: boolean): ReplayResult;
}

const DEFAULT_RESILIENCE: ResilienceSpec = { halfLifeSeconds: 300, permanentShare: 0.5 };

function concatBooks(a: StaticBookInput | undefined, aLabels: readonly string[], b: StaticBookInput | undefined, bLabels: readonly string[]): { book?: StaticBookInput; labels: string[] } {
  if (!a && !b) return { labels: [] };
  if (!a) return { book: b!, labels: [...bLabels] };
  if (!b) return { book: a, labels: [...aLabels] };
  const n = a.side.length + b.side.length;
  const cat = <T extends Int8Array | Float64Array | Int32Array>(x: T, y: T, make: (k: number) => T): T => {
    const r = make(n);
    r.set(x);
    r.set(y, x.length);
    return r;
  };
  const bucketB = b.bucket ? Int32Array.from(b.bucket, (v) => (v >= 0 ? v + aLabels.length : v)) : new Int32Array(b.side.length).fill(-1);
  return {
    book: {
      side: cat(a.side, b.side, (k) => new Int8Array(k)),
      qty: cat(a.qty, b.qty, (k) => new Float64Array(k)),
      entry: cat(a.entry, b.entry, (k) => new Float64Array(k)),
      margin: cat(a.margin, b.margin, (k) => new Float64Array(k)),
      bucket: cat(a.bucket ?? new Int32Array(a.side.length).fill(-1), bucketB, (k) => new Int32Array(k)),
    },
    labels: [...aLabels, ...bLabels],
  };
}

/** Prepare a replay; see {@link runReplay}. */
export function createReplay(input: ReplayInput): Result<ReplaySession> {
  const candles = toCandleColumns(input.candles);
  const n = candleCount(candles);
  if (n === 0) return fail('invalid_input', 'no candles to replay', 'candles');
  const sc = input.scenario;
  const start = sc.startIndex ?? (sc.population ? Math.min(sc.population.lookbackBars, n - 1) : 0);
  if (!(start >= 0 && start < n)) return fail('invalid_scenario', `startIndex must be within 0…${n - 1}`, 'scenario.startIndex');
  const tables = Array.isArray(input.rules) ? (input.rules as readonly VenueRules[]) : [input.rules as VenueRules];
  const chosen = selectRules(tables, sc.venue, candles.time[start]!);
  if (!chosen.ok) return chosen;
  const rules = chosen.value;
  const contract = rules.model;
  const symbolRules = rules.symbols[sc.symbol];
  let lendingAsset;
  if (contract === 'lending') {
    lendingAsset = rules.lending!.assets[sc.symbol];
    if (!lendingAsset) return fail('unknown_symbol', `${rules.venue} has no collateral asset ${sc.symbol}`, 'scenario.symbol');
  } else if (!symbolRules) return fail('unknown_symbol', `${rules.venue} (${rules.effective}) has no rules for ${sc.symbol}`, 'scenario.symbol');
  const bad = validateScenarioNumbers(sc, input);
  if (bad) return fail('invalid_scenario', bad.message, bad.field);

  let portfolio: Portfolio | undefined;
  if (input.portfolio !== undefined) {
    const v = validatePortfolio(input.portfolio);
    if (!v.ok) return v;
    portfolio = v.value;
  }
  const dyn = portfolio ? portfolioToCascadePositions(portfolio, rules, sc.symbol, sc.marks ?? {}) : ok({ positions: [], skipped: [] });
  if (!dyn.ok) return dyn;

  const bs = barSecondsOf(candles);
  let population: PopulationEstimate | undefined;
  if (sc.population) {
    if (contract === 'lending') return fail('unsupported', 'population estimates are modelled for perpetual venues only', 'scenario.population');
    population = estimatePopulation(candles, start, sc.population, symbolRules!, contract, input.seed);
  }
  const merged = concatBooks(population?.book, population?.bucketLabels ?? [], input.book, input.bookLabels ?? []);
  const book = merged.book && contract !== 'lending' ? buildStaticBook(merged.book, symbolRules!, contract) : undefined;
  const config: CascadeConfig = {
    contract,
    ...(symbolRules ? { symbolRules } : {}),
    ...(rules.liquidation ? { liquidationPolicy: rules.liquidation } : {}),
    ...(rules.lending ? { lendingRules: rules.lending } : {}),
    ...(lendingAsset ? { lendingAsset } : {}),
    impact: sc.impact,
    resilience: sc.resilience ?? DEFAULT_RESILIENCE,
    ...(sc.circuitBreaker ? { circuitBreaker: sc.circuitBreaker } : {}),
    ...(sc.perStepCap !== undefined ? { perStepCap: sc.perStepCap } : {}),
    insuranceFund: sc.insuranceFund ?? 0,
    shortfall: sc.adl ?? rules.shortfall,
    marginCallRatio: sc.marginCallRatio ?? 0.8,
    ...(sc.population?.reaction && population
      ? { reaction: { ...sc.population.reaction, rows: population.book.side.length } }
      : !population && input.bookReaction && input.book
        ? { reaction: { ...input.bookReaction, rows: input.book.side.length } }
        : {}),
    ...(sc.population?.inflow && population
      ? {
          inflow: {
            hazard: inflowHazards(candles, population.parameters.fromBar, start, sc.population.inflow.meanHoldingDays, bs),
            longShare: population.parameters.longShare,
            buckets: population.parameters.buckets,
            positionsPerBucket: Math.max(1, Math.floor(sc.population.positionsPerBucket ?? 1)),
            populationRows: population.book.side.length,
          },
        }
      : {}),
    ...(sc.mark && markWickOf(sc.mark) !== 1 ? { markWick: markWickOf(sc.mark) } : {}),
    ...(input.mapGrid ? { mapGrid: input.mapGrid } : {}),
  };
  const run = new CascadeRun(candles, book, dyn.value.positions, config, merged.labels, start, bs);
  const total = n - start;
  const staticPositions = merged.book ? merged.book.side.length : 0;

  const result = (cancelled = false): ReplayResult => {
    const done = run.bar - start;
    const steps = truncateSeries(run.series, done);
    const outcomes = run.positionOutcomes();
    return {
      engineVersion: ENGINE_VERSION,
      markSource: markSourceLabel(sc.mark),
      rules: { venue: rules.venue, effective: rules.effective, source: rules.source, marginCurrency: rules.marginCurrency },
      symbol: sc.symbol,
      firstBar: start,
      barSeconds: bs,
      seed: input.seed,
      steps,
      events: run.events.slice(),
      summary: summarise(steps, candles, start, done, run, config.insuranceFund, outcomes),
      positions: outcomes,
      skipped: dyn.value.skipped,
      population: population?.parameters ?? null,
      closedByOwnerNotional: run.closedByOwnerNotional,
      inflow: config.inflow ? { openedNotional: run.inflowOpenedNotional, positions: run.inflowPositions, cohorts: run.cohortCount, openQuantity: run.openBase } : null,
      staticPositions,
      cancelled,
      ...(run.openMap ? { openMap: truncateMap(run.openMap, done) } : {}),
    };
  };
  return ok({
    step() {
      if (run.done) return false;
      run.stepBar();
      return true;
    },
    get progress() {
      return { done: run.bar - start, total };
    },
    result,
  });
}

/** Range checks of a scenario's numbers; the first problem found, naming its field. */
function validateScenarioNumbers(sc: ReplayScenario, input: Pick<ReplayInput, 'bookReaction' | 'mapGrid'> = {}): { message: string; field: string } | undefined {
  const im = sc.impact;
  if (im.model === 'linear' && !(im.depth1Pct > 0)) return { message: 'impact.depth1Pct must be > 0', field: 'scenario.impact.depth1Pct' };
  if (im.model === 'sqrt' && !(im.dailyVolumeNotional > 0 && im.y >= 0 && im.dailyVolatility >= 0)) return { message: 'sqrt impact needs y ≥ 0, dailyVolatility ≥ 0 and dailyVolumeNotional > 0', field: 'scenario.impact' };
  if (im.model === 'ladder' && !(im.levels.length > 0 && im.levels.every((l) => l.offsetPct >= 0 && l.notional > 0))) return { message: 'ladder levels need offsetPct ≥ 0 and notional > 0', field: 'scenario.impact.levels' };
  if ('depthScale' in im && im.depthScale !== undefined && !(im.depthScale > 0)) return { message: 'impact.depthScale must be > 0', field: 'scenario.impact.depthScale' };
  const cb = sc.circuitBreaker;
  if (cb && !(Number.isInteger(cb.windowBars) && cb.windowBars >= 1 && cb.threshold > 0 && Number.isInteger(cb.haltBars) && cb.haltBars >= 0))
    return { message: 'circuitBreaker needs integer windowBars ≥ 1, threshold > 0 and integer haltBars ≥ 0', field: 'scenario.circuitBreaker' };
  if (sc.perStepCap !== undefined && !(sc.perStepCap > 0)) return { message: 'perStepCap must be > 0', field: 'scenario.perStepCap' };
  if (sc.insuranceFund !== undefined && !(sc.insuranceFund >= 0)) return { message: 'insuranceFund must be ≥ 0', field: 'scenario.insuranceFund' };
  const g = input.mapGrid;
  if (g && !(Number.isInteger(g.bins) && g.bins >= 1 && g.bins <= 10_000 && Number.isFinite(g.priceLow) && Number.isFinite(g.priceHigh) && g.priceHigh > g.priceLow))
    return { message: 'mapGrid needs integer bins in 1…10,000 and finite priceLow < priceHigh', field: 'mapGrid' };
  const br = input.bookReaction;
  if (br && !(br.lossShare > 0 && br.lossShare < 1 && br.minutes > 0)) return { message: 'bookReaction needs 0 < lossShare < 1 and minutes > 0', field: 'bookReaction' };
  if (sc.marginCallRatio !== undefined && !(sc.marginCallRatio > 0 && sc.marginCallRatio <= 1)) return { message: 'marginCallRatio must be in (0, 1]', field: 'scenario.marginCallRatio' };
  const mk = sc.mark;
  if (mk && !(mk.source === 'candle-path' || mk.source === 'close' || mk.source === 'damped'))
    return { message: "mark.source must be 'candle-path', 'close' or 'damped'", field: 'scenario.mark.source' };
  if (mk?.source === 'damped' && !(mk.wick >= 0 && mk.wick <= 1)) return { message: 'mark.wick must be in [0, 1] (share of a bar’s wick that reaches the mark)', field: 'scenario.mark.wick' };
  const r = sc.resilience;
  if (r && !(r.halfLifeSeconds >= 0 && r.permanentShare >= 0 && r.permanentShare <= 1)) return { message: 'resilience needs halfLifeSeconds ≥ 0 and permanentShare in [0, 1]', field: 'scenario.resilience' };
  const p = sc.population;
  if (p && !(Number.isInteger(p.lookbackBars) && p.lookbackBars >= 1)) return { message: 'population.lookbackBars must be an integer ≥ 1', field: 'scenario.population.lookbackBars' };
  if (p?.meanAgeDays !== undefined && !(p.meanAgeDays > 0 && p.meanAgeDays <= 3650)) return { message: 'population.meanAgeDays must be > 0 and ≤ 3650', field: 'scenario.population.meanAgeDays' };
  if (p?.inflow && !(p.inflow.meanHoldingDays > 0 && p.inflow.meanHoldingDays <= 3650))
    return { message: 'population.inflow.meanHoldingDays must be > 0 and ≤ 3650 (days a position is held at the look-back’s average volume)', field: 'scenario.population.inflow.meanHoldingDays' };
  if (p?.reaction && !(p.reaction.lossShare > 0 && p.reaction.lossShare < 1 && p.reaction.minutes > 0 && p.reaction.minutes <= 1e6))
    return { message: 'population.reaction needs 0 < lossShare < 1 and 0 < minutes ≤ 1,000,000', field: 'scenario.population.reaction' };
  return undefined;
}

function truncateMap(m: OpenMap, n: number): OpenMap {
  const cells = n * m.bins;
  return {
    ...m,
    long: m.long.subarray(0, cells),
    short: m.short.subarray(0, cells),
    liquidated: m.liquidated.subarray(0, n),
    adl: m.adl.subarray(0, n),
    closedByOwners: m.closedByOwners.subarray(0, n),
    turnover: m.turnover.subarray(0, n),
    opened: m.opened.subarray(0, n),
  };
}

function truncateSeries(s: StepSeries, n: number): StepSeries {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) out[k] = (v as Float64Array).subarray(0, n);
  return out as unknown as StepSeries;
}

function summarise(s: StepSeries, c: CandleColumns, start: number, done: number, run: CascadeRun, fundStart: number, outcomes: readonly PositionOutcome[]): ReplaySummary {
  let cl = 0, nl = 0, cs = 0, ns = 0, adl = 0, minExo = Infinity, minEff = Infinity, maxExo = -Infinity, maxEff = -Infinity, fundMin = fundStart, maxRounds = 0;
  for (let k = 0; k < done; k++) {
    cl += s.liquidatedCountLong[k]!;
    nl += s.liquidatedNotionalLong[k]!;
    cs += s.liquidatedCountShort[k]!;
    ns += s.liquidatedNotionalShort[k]!;
    adl += s.adlVolume[k]!;
    minExo = Math.min(minExo, c.low[start + k]!);
    maxExo = Math.max(maxExo, c.high[start + k]!);
    minEff = Math.min(minEff, s.effectiveLow[k]!);
    maxEff = Math.max(maxEff, s.effectiveHigh[k]!);
    fundMin = Math.min(fundMin, s.insuranceFund[k]!);
    maxRounds = Math.max(maxRounds, s.rounds[k]!);
  }
  const last = done - 1;
  return {
    bars: done,
    liquidatedLong: { count: cl, notional: nl },
    liquidatedShort: { count: cs, notional: ns },
    portfolioLiquidated: outcomes.filter((o) => o.liquidated).map((o) => o.id),
    portfolioMarginCalled: outcomes.filter((o) => o.marginCallTime !== undefined).map((o) => o.id),
    firstPrice: c.open[start]!,
    finalExogenous: last >= 0 ? s.exogenousClose[last]! : c.open[start]!,
    finalEffective: last >= 0 ? s.effectiveClose[last]! : c.open[start]!,
    minExogenousLow: minExo,
    minEffectiveLow: minEff,
    maxExogenousHigh: maxExo,
    maxEffectiveHigh: maxEff,
    insuranceFundStart: fundStart,
    insuranceFundEnd: run.insuranceFund,
    insuranceFundMin: fundMin,
    badDebt: run.ledger.badDebt,
    adlVolume: adl,
    halts: run.events.filter((e) => e.kind === 'halt').length,
    maxRounds,
    ledger: { ...run.ledger },
    ledgerImbalance: Math.abs(ledgerImbalance(run.ledger)),
  };
}

/**
 * Replay candles through the cascade: validate, choose the rule table in force at the first
 * replayed bar, estimate the population if asked, build and sort the book once, then walk every
 * bar. Progress and cancellation are polled every 64 bars.
 */
export function runReplay(input: ReplayInput): Result<ReplayResult> {
  const session = createReplay(input);
  if (!session.ok) return session;
  const s = session.value;
  const total = s.progress.total;
  let k = 0;
  while (s.step()) {
    k++;
    if ((k & 63) === 0) {
      input.onProgress?.(k, total);
      if (input.shouldCancel?.()) return ok(s.result(true));
    }
  }
  input.onProgress?.(total, total);
  return ok(s.result(false));
}

/** A synthetic shock (DESIGN.md §1 "Stress a portfolio"). */
export interface ShockSpec {
  /** Price before the shock. */
  readonly startPrice: number;
  /** Move over the shock, as a fraction (−0.15 = −15%). */
  readonly move: number;
  /** Duration of the move in seconds (e.g. 600 for 10 minutes). */
  readonly overSeconds: number;
  /** Bar length of the synthetic path (default 60 s). */
  readonly barSeconds?: number;
  /** Flat bars after the move, so the cascade can play out (default 10). */
  readonly holdBars?: number;
  /** Time of the first bar (default 0). */
  readonly startTime?: number;
}

/** Input of {@link runShock}: a replay input without candles, plus the shock. */
export type ShockInput = Omit<ReplayInput, 'candles'> & { readonly shock: ShockSpec };

/** Build the shock path: geometric steps from startPrice to startPrice·(1+move), then flat bars. */
export function shockCandles(shock: ShockSpec): CandleColumns {
  const bar = shock.barSeconds ?? 60;
  const steps = Math.max(1, Math.round(shock.overSeconds / bar));
  const hold = shock.holdBars ?? 10;
  const n = steps + hold;
  const t0 = shock.startTime ?? 0;
  const c = { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  const g = Math.pow(1 + shock.move, 1 / steps);
  let p = shock.startPrice;
  for (let i = 0; i < n; i++) {
    const next = i < steps ? p * g : p;
    c.time[i] = t0 + i * bar;
    c.open[i] = p;
    c.close[i] = next;
    c.high[i] = Math.max(p, next);
    c.low[i] = Math.min(p, next);
    c.volume[i] = 0;
    p = next;
  }
  return c;
}

/** Apply a synthetic shock and run the cascade it sets off. */
export function runShock(input: ShockInput): Result<ReplayResult> {
  if (!(input.shock.startPrice > 0) || !(input.shock.move > -1)) return fail('invalid_scenario', 'shock needs startPrice > 0 and move > −100%', 'shock');
  const { shock, ...rest } = input;
  const scenario = { ...rest.scenario, startIndex: 0 };
  return runReplay({ ...rest, scenario, candles: shockCandles(shock) });
}

/** Points each bar is walked through (exposed for UIs that draw the intrabar path). */
export const INTRABAR_POINTS = PATH_POINTS;

// What-if lab (shaped shocks, shock populations, sensitivity grid, Monte Carlo, risk measures).
export * from './shock-path';
export * from './what-if';
export * from './paths';
export * from './risk-measures';
export * from './monte-carlo';
