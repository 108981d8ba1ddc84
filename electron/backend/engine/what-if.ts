/**
 * The portfolio what-if lab (DESIGN.md §1 "Stress a portfolio", §5 "What-if"), on top of the
 * cascade: a shaped shock with a market population taken from a real dataset window (or an
 * explicit open-interest spec), the user's loss, cascade amplification, the liquidation
 * waterfall, and one cell of a sensitivity grid. Pure: no Node, clock or Math.random.
 *
 * Why a population is built here and not by `runShock`: `runShock` estimates a population from
 * the candles it replays, and a shock's own candles are synthetic (zero volume), so the estimate
 * would be empty (or its look-back would eat the shock). Here the population comes from the bars
 * BEFORE the shock — a dataset's window — rescaled to the shock's start price (entries × r,
 * linear quantities ÷ r so notionals and margins stay; inverse margins ÷ r), and enters the
 * replay as a static book. With no dataset, an explicit open interest opens at the start price.
 *
 * Loss convention (estimated, in the margin currency, positive = lost): a fully liquidated
 * isolated position loses its margin (the venue keeps what is left after the fill as its fee);
 * a liquidated cross position loses its account's wallet (counted once per account); the rest
 * is marked at the final effective close: −side·qty·(final − entry) (inverse: in coin,
 * −side·contracts·(1/entry − 1/final)); a partial liquidation loses its closed share of the stake;
 * a position closed by auto-deleveraging keeps its margin and realises the ADL event's PnL.
 */
import type { CandleColumns } from './candles';
import type { CascadeEvent, PositionOutcome } from './cascade';
import type { ImpactSpec } from './impact';
import { runReplay, type ReplayResult, type ReplayScenario } from './index';
import { estimatePopulation, POPULATION_DEFAULTS, type PopulationEstimate, type PopulationSpec } from './population';
import { bracketColumns, isolatedLiquidationPrice } from './position-book';
import { validatePortfolio, type Portfolio } from './portfolio';
import type { StaticBookInput } from './position-book';
import { fail, ok, type Result } from './result';
import { shapedShockCandles, type ShapedShockSpec } from './shock-path';
import { selectRules, type VenueRules } from './venue-rules';

/** Where the market population of a shock comes from. */
export interface ShockPopulationSource {
  readonly spec: PopulationSpec;
  /** Bars before the shock (a dataset's window); the last `spec.lookbackBars` of them are used. Absent: `spec.openInterest` opens at the start price. */
  readonly window?: CandleColumns;
}

/** A population ready to enter a replay as a static book. */
export interface ShockPopulation {
  readonly book: StaticBookInput;
  readonly labels: readonly string[];
  readonly parameters: PopulationEstimate['parameters'] & { readonly source: 'dataset' | 'open-interest'; readonly priceScale: number };
}

/** Rules of `venue` in force at `time`, with the symbol's contract model. */
function rulesFor(tables: readonly VenueRules[], venue: string, symbol: string, time: number): Result<{ rules: VenueRules; contract: 'linear' | 'inverse' }> {
  const chosen = selectRules(tables, venue, time);
  if (!chosen.ok) return chosen;
  const rules = chosen.value;
  if (rules.model === 'lending') return fail('unsupported', 'population estimates are modelled for perpetual venues only', 'scenario.venue');
  if (!rules.symbols[symbol]) return fail('unknown_symbol', `${rules.venue} (${rules.effective}) has no rules for ${symbol}`, 'scenario.symbol');
  return ok({ rules, contract: rules.model === 'inverse' ? 'inverse' : 'linear' });
}

/**
 * The market population for a shock starting at `startPrice`: estimated over the window's last
 * `lookbackBars` bars and rescaled so that the window's last close maps to `startPrice`.
 */
export function buildShockPopulation(
  source: ShockPopulationSource,
  tables: readonly VenueRules[],
  venue: string,
  symbol: string,
  startPrice: number,
  time: number,
  seed: number,
): Result<ShockPopulation> {
  const chosen = rulesFor(tables, venue, symbol, time);
  if (!chosen.ok) return chosen;
  const { rules, contract } = chosen.value;
  const spec = source.spec;
  if (!(Number.isInteger(spec.lookbackBars) && spec.lookbackBars >= 1)) return fail('invalid_scenario', 'population.lookbackBars must be an integer ≥ 1', 'population.lookbackBars');
  let window = source.window;
  let from: 'dataset' | 'open-interest' = 'dataset';
  if (!window || window.time.length === 0) {
    if (spec.openInterest === undefined) return fail('invalid_scenario', 'a shock population needs a dataset window or an explicit openInterest', 'population.openInterest');
    // One bar at the start price carrying the whole open interest (nothing already liquidated).
    window = { time: Float64Array.of(time - 60), open: Float64Array.of(startPrice), high: Float64Array.of(startPrice), low: Float64Array.of(startPrice), close: Float64Array.of(startPrice), volume: Float64Array.of(1) };
    from = 'open-interest';
  }
  const n = window.time.length;
  const symbolRules = rules.symbols[symbol]!;
  // An open interest in one bar is split so that a position stays near the first tier (≤ ~25k quote
  // notional), as a real open interest is held by many accounts; a dataset's bars are small already.
  const buckets = spec.buckets?.length ?? POPULATION_DEFAULTS.buckets.length;
  const perBucket = spec.positionsPerBucket ?? (from === 'open-interest' ? Math.min(1000, Math.max(1, Math.ceil((spec.openInterest ?? 0) / (2 * buckets * 25_000)))) : undefined);
  const estimate = estimatePopulation(window, n, { ...spec, ...(from === 'open-interest' ? { lookbackBars: 1 } : {}), ...(perBucket !== undefined ? { positionsPerBucket: perBucket } : {}) }, symbolRules, contract, seed);
  const r = startPrice / window.close[n - 1]!;
  const b = estimate.book;
  // Rescale to the start price, and drop positions already liquidatable there (born past their
  // tier's leverage): they would be liquidated at a flat price, which is not the shock's doing.
  const tiers = bracketColumns(symbolRules);
  const keep: number[] = [];
  for (let i = 0; i < b.side.length; i++) {
    const s = b.side[i]!;
    const q = contract === 'linear' ? b.qty[i]! / r : b.qty[i]!;
    const e = b.entry[i]! * r;
    const m = contract === 'linear' ? b.margin[i]! : b.margin[i]! / r;
    const lp = isolatedLiquidationPrice(tiers, contract, s, q, e, m);
    if ((s > 0 && lp >= startPrice) || (s < 0 && lp <= startPrice)) continue;
    keep.push(i);
  }
  const pick = <T extends Int8Array | Float64Array | Int32Array>(a: T, f: (v: number) => number = (v) => v): T => {
    const out = new (a.constructor as new (n: number) => T)(keep.length);
    keep.forEach((i, k) => (out[k] = f(a[i]!)));
    return out;
  };
  const book: StaticBookInput = {
    side: pick(b.side),
    qty: pick(b.qty, contract === 'linear' ? (q) => q / r : (q) => q),
    entry: pick(b.entry, (e) => e * r),
    margin: pick(b.margin, contract === 'linear' ? (m) => m : (m) => m / r),
    ...(b.bucket ? { bucket: pick(b.bucket) } : {}),
  };
  const dropped = b.side.length - keep.length;
  return ok({
    book,
    labels: estimate.bucketLabels,
    parameters: { ...estimate.parameters, positions: keep.length, droppedAlreadyLiquidated: estimate.parameters.droppedAlreadyLiquidated + dropped, source: from, priceScale: r },
  });
}

/** Loss of one simulated portfolio position. */
export interface PositionLoss {
  readonly id: string;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly liquidated: boolean;
  readonly survived: boolean;
  /** Margin or wallet at stake. */
  readonly stake: number;
  readonly loss: number;
  readonly liquidationPrice: number | null;
}

interface StakeInfo {
  readonly side: 1 | -1;
  readonly qty: number;
  readonly entry: number;
  readonly stake: number;
  readonly accountKey: string | null;
}

/** Stake per cascade position id (isolated: margin; cross: the account wallet, keyed by account). */
function stakes(portfolio: Portfolio, symbol: string, contract: 'linear' | 'inverse'): Map<string, StakeInfo> {
  const out = new Map<string, StakeInfo>();
  for (const acc of portfolio.accounts) {
    if (acc.mode === 'isolated') {
      for (const p of acc.positions) {
        const margin = p.margin ?? (contract === 'inverse' ? p.qty / (p.entry * (p.leverage ?? 1)) : (p.qty * p.entry) / (p.leverage ?? 1));
        out.set(p.id, { side: p.side === 'long' ? 1 : -1, qty: p.qty, entry: p.entry, stake: margin, accountKey: null });
      }
      continue;
    }
    const mine = acc.positions.filter((p) => p.symbol === symbol);
    if (mine.length === 0) continue;
    const q = mine.reduce((s, p) => s + p.qty, 0);
    const entry = mine.reduce((s, p) => s + p.qty * p.entry, 0) / q;
    const info: StakeInfo = { side: mine[0]!.side === 'long' ? 1 : -1, qty: q, entry, stake: acc.wallet, accountKey: acc.id };
    out.set(mine.length === 1 ? mine[0]!.id : `${acc.id}/${symbol}`, info);
  }
  return out;
}

/** Losses of the portfolio's simulated positions at the end of a run (see the module comment). */
export function portfolioLosses(
  portfolio: Portfolio,
  outcomes: readonly PositionOutcome[],
  events: readonly CascadeEvent[],
  symbol: string,
  contract: 'linear' | 'inverse',
  finalPrice: number,
): { positions: PositionLoss[]; total: number } {
  const info = stakes(portfolio, symbol, contract);
  // Quantity closed by liquidation, and PnL realised by auto-deleveraging, per position.
  const liquidatedQty = new Map<string, number>();
  const adlPnl = new Map<string, number>();
  for (const e of events) {
    if (e.positionId === undefined) continue;
    if (e.kind === 'liquidation' || e.kind === 'partial_liquidation') {
      const q = contract === 'inverse' ? e.notional : e.price > 0 ? e.notional / e.price : 0;
      liquidatedQty.set(e.positionId, (liquidatedQty.get(e.positionId) ?? 0) + q);
    } else if (e.kind === 'adl') adlPnl.set(e.positionId, (adlPnl.get(e.positionId) ?? 0) + e.pnl);
  }
  const symbolOf = new Map<string, { symbol: string; side: 'long' | 'short' }>();
  for (const acc of portfolio.accounts) for (const p of acc.positions) symbolOf.set(p.id, { symbol: p.symbol, side: p.side });
  const wipedAccounts = new Set<string>();
  const positions: PositionLoss[] = [];
  let total = 0;
  for (const o of outcomes) {
    const s = info.get(o.id);
    if (!s) continue;
    const fullyClosed = o.liquidated && o.remainingQty <= 0;
    const upnl = contract === 'inverse' ? s.side * o.remainingQty * (1 / s.entry - 1 / finalPrice) : s.side * o.remainingQty * (finalPrice - s.entry);
    let loss: number;
    if (fullyClosed) {
      loss = s.accountKey !== null && wipedAccounts.has(s.accountKey) ? 0 : s.stake;
      if (s.accountKey !== null) wipedAccounts.add(s.accountKey);
    } else {
      // Liquidated slices lose their share of the stake; ADL closes at a price and realises its PnL.
      const liquidatedShare = s.qty > 0 ? Math.min(1, (liquidatedQty.get(o.id) ?? 0) / s.qty) : 0;
      loss = liquidatedShare * s.stake - (adlPnl.get(o.id) ?? 0) - upnl;
    }
    total += loss;
    const meta = symbolOf.get(o.id) ?? { symbol, side: s.side > 0 ? 'long' : 'short' };
    positions.push({
      id: o.id,
      symbol: meta.symbol,
      side: s.side > 0 ? 'long' : 'short',
      liquidated: o.liquidated,
      survived: !o.liquidated,
      stake: s.stake,
      loss,
      liquidationPrice: Number.isFinite(o.initialLiquidationPrice) && o.initialLiquidationPrice > 0 ? o.initialLiquidationPrice : null,
    });
  }
  return { positions, total };
}

/** Effective move in the shock's direction over the exogenous move (1 when the move is 0 or negligible). */
export function cascadeAmplification(result: ReplayResult, move: number): { exogenousMove: number; effectiveMove: number; amplification: number } {
  const s = result.summary;
  const start = s.firstPrice;
  const exogenousMove = move < 0 ? s.minExogenousLow / start - 1 : s.maxExogenousHigh / start - 1;
  const effectiveMove = move < 0 ? s.minEffectiveLow / start - 1 : s.maxEffectiveHigh / start - 1;
  // Below a millionth of a percent the ratio is rounding noise: call it no amplification.
  const amplification = Math.abs(move) < 1e-8 || Math.abs(exogenousMove) < 1e-8 ? 1 : effectiveMove / exogenousMove;
  return { exogenousMove, effectiveMove, amplification };
}

/**
 * One row of the liquidation waterfall: what each bucket lost in one cascade round of one bar.
 * `round` is the bar-level round index of the events (see CascadeEvent.round), 0-based; `rounds`
 * is the bar's number of rounds. Liquidations without a round (none today) form a row of their own
 * with `round` null, after the bar's numbered rounds.
 */
export interface WaterfallStep {
  readonly time: number;
  readonly round: number | null;
  readonly rounds: number;
  /** Bucket label ("long 25x", or "portfolio" for the user's positions) → liquidated notional. */
  readonly notionalByBucket: Readonly<Record<string, number>>;
  readonly count: number;
}

/** Liquidations grouped by bar and cascade round (in order), and by bucket within each row. */
export function liquidationWaterfall(result: ReplayResult): WaterfallStep[] {
  const byBar = new Map<number, Map<number, { notional: Record<string, number>; count: number }>>();
  const isLiq = (e: CascadeEvent): boolean => e.kind === 'liquidation' || e.kind === 'partial_liquidation';
  for (const e of result.events) {
    if (!isLiq(e)) continue;
    const key = e.bucket ?? 'portfolio';
    const barTime = result.steps.time.length ? barOf(result, e.time) : e.time;
    const rounds = byBar.get(barTime) ?? new Map<number, { notional: Record<string, number>; count: number }>();
    byBar.set(barTime, rounds);
    const r = e.round ?? -1;
    const row = rounds.get(r) ?? { notional: {}, count: 0 };
    row.notional[key] = (row.notional[key] ?? 0) + e.notional;
    row.count += e.count;
    rounds.set(r, row);
  }
  const out: WaterfallStep[] = [];
  const times = result.steps.time;
  for (let k = 0; k < times.length; k++) {
    const rounds = byBar.get(times[k]!);
    if (!rounds) continue;
    const order = [...rounds.keys()].sort((a, b) => (a < 0 ? 1 : b < 0 ? -1 : a - b));
    for (const r of order) {
      const row = rounds.get(r)!;
      out.push({ time: times[k]!, round: r < 0 ? null : r, rounds: result.steps.rounds[k]!, notionalByBucket: row.notional, count: row.count });
    }
  }
  return out;
}

/** Open time of the bar holding `time`. */
function barOf(result: ReplayResult, time: number): number {
  const t = result.steps.time;
  let lo = 0;
  let hi = t.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t[mid]! <= time) lo = mid;
    else hi = mid - 1;
  }
  return t[lo]!;
}

/** Input of {@link runWhatIfShock}. The scenario's own `population` is ignored: give `population`. */
export interface WhatIfShockInput {
  readonly portfolio: unknown;
  readonly rules: readonly VenueRules[];
  readonly scenario: ReplayScenario;
  readonly shock: ShapedShockSpec;
  readonly seed: number;
  /** A population source (built here), or one already built (e.g. once for a whole grid). */
  readonly population?: ShockPopulationSource | ShockPopulation;
}

/** Result of a what-if shock: the engine's run plus the user's view of it. */
export interface WhatIfShockResult {
  readonly result: ReplayResult;
  readonly contract: 'linear' | 'inverse';
  readonly losses: { positions: PositionLoss[]; total: number };
  readonly exogenousMove: number;
  readonly effectiveMove: number;
  readonly amplification: number;
  readonly waterfall: WaterfallStep[];
  readonly population: ShockPopulation['parameters'] | null;
}

const isBuilt = (p: ShockPopulationSource | ShockPopulation): p is ShockPopulation => 'book' in p;

/** Run candles (a shock path or a simulated path) through the cascade with a population book. */
export function runOnCandles(
  candles: CandleColumns,
  portfolio: Portfolio,
  rules: readonly VenueRules[],
  scenario: ReplayScenario,
  seed: number,
  population: ShockPopulation | undefined,
): Result<ReplayResult> {
  const { population: _ignored, ...rest } = scenario;
  return runReplay({
    candles,
    portfolio,
    ...(population ? { book: population.book, bookLabels: population.labels } : {}),
    scenario: { ...rest, startIndex: 0 },
    rules,
    seed,
  });
}

/** A shaped shock with a population from a dataset window, and what it does to the portfolio. */
export function runWhatIfShock(input: WhatIfShockInput): Result<WhatIfShockResult> {
  const { shock, scenario } = input;
  if (!(shock.startPrice > 0) || !(shock.move > -1)) return fail('invalid_scenario', 'shock needs startPrice > 0 and move > −100%', 'shock');
  if (!(shock.overSeconds > 0)) return fail('invalid_scenario', 'shock.overSeconds must be > 0', 'shock.overSeconds');
  const v = validatePortfolio(input.portfolio);
  if (!v.ok) return v;
  const time = shock.startTime ?? 0;
  const chosen = rulesFor(input.rules, scenario.venue, scenario.symbol, time);
  if (!chosen.ok) return chosen;
  let population: ShockPopulation | undefined;
  if (input.population) {
    if (isBuilt(input.population)) population = input.population;
    else {
      const built = buildShockPopulation(input.population, input.rules, scenario.venue, scenario.symbol, shock.startPrice, time, input.seed);
      if (!built.ok) return built;
      population = built.value;
    }
  }
  const run = runOnCandles(shapedShockCandles(shock), v.value, input.rules, scenario, input.seed, population);
  if (!run.ok) return run;
  const result = run.value;
  const contract = chosen.value.contract;
  const amp = cascadeAmplification(result, shock.move);
  return ok({
    result,
    contract,
    losses: portfolioLosses(v.value, result.positions, result.events, scenario.symbol, contract, result.summary.finalEffective),
    ...amp,
    waterfall: liquidationWaterfall(result),
    population: population?.parameters ?? null,
  });
}

/** The portfolio with every position at `leverage` (isolated: margin = notional/leverage; cross: wallet = Σ notional/leverage). */
export function withLeverage(portfolio: Portfolio, leverage: number): Portfolio {
  return {
    ...portfolio,
    accounts: portfolio.accounts.map((acc) => {
      if (acc.mode === 'cross') {
        const gross = acc.positions.reduce((s, p) => s + p.qty * p.entry, 0);
        return { ...acc, wallet: gross / leverage };
      }
      return { ...acc, positions: acc.positions.map(({ margin: _m, ...p }) => ({ ...p, leverage })) };
    }),
  };
}

/** The impact spec with its depth multiplied by `depthScale`. */
export function withDepthScale(impact: ImpactSpec, depthScale: number): ImpactSpec {
  if (impact.model === 'none') return impact;
  return { ...impact, depthScale: (impact.depthScale ?? 1) * depthScale };
}

/** One cell of a sensitivity grid. */
export interface SweepCell {
  readonly leverage: number;
  readonly move: number;
  readonly depthScale: number;
  readonly loss: number;
  readonly survivors: number;
  readonly positions: number;
  readonly amplification: number;
  readonly badDebt: number;
}

/** Input of {@link runSweepCells}: a grid over leverage × move × depth multiplier. */
export interface SweepInput {
  readonly portfolio: unknown;
  readonly rules: readonly VenueRules[];
  readonly scenario: ReplayScenario;
  readonly shock: Omit<ShapedShockSpec, 'move'>;
  readonly leverages: readonly number[];
  readonly moves: readonly number[];
  readonly depthScales: readonly number[];
  readonly seed: number;
  readonly population?: ShockPopulation;
}

/** Cell `index` of the grid, in the order depthScale-major, then leverage, then move. */
export function sweepCellAt(input: SweepInput, index: number): { leverage: number; move: number; depthScale: number } {
  const nm = input.moves.length;
  const nl = input.leverages.length;
  const move = input.moves[index % nm]!;
  const leverage = input.leverages[Math.floor(index / nm) % nl]!;
  const depthScale = input.depthScales[Math.floor(index / (nm * nl))]!;
  return { leverage, move, depthScale };
}

export const sweepCellCount = (input: SweepInput): number => input.leverages.length * input.moves.length * input.depthScales.length;

/** Cells [from, to) of the grid; each is independent, so any split over workers gives the same cells. */
export function runSweepCells(input: SweepInput, from: number, to: number, onCell?: (done: number) => boolean | void): Result<SweepCell[]> {
  const v = validatePortfolio(input.portfolio);
  if (!v.ok) return v;
  const cells: SweepCell[] = [];
  for (let i = from; i < to; i++) {
    const { leverage, move, depthScale } = sweepCellAt(input, i);
    const r = runWhatIfShock({
      portfolio: withLeverage(v.value, leverage),
      rules: input.rules,
      scenario: { ...input.scenario, impact: withDepthScale(input.scenario.impact, depthScale) },
      shock: { ...input.shock, move },
      seed: input.seed,
      ...(input.population ? { population: input.population } : {}),
    });
    if (!r.ok) return r;
    const w = r.value;
    cells.push({
      leverage,
      move,
      depthScale,
      loss: w.losses.total,
      survivors: w.losses.positions.filter((p) => p.survived).length,
      positions: w.losses.positions.length,
      amplification: w.amplification,
      badDebt: w.result.summary.badDebt,
    });
    if (onCell?.(i - from + 1) === true) break;
  }
  return ok(cells);
}
