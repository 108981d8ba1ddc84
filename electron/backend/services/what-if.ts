/**
 * What-if handlers (issue 7): live portfolio metrics, shaped shocks with a population from a
 * dataset window, sensitivity grids and Monte Carlo — the engine work in worker threads (one
 * or two), with progress pushes and cancel by job id, results stored as runs.
 *
 * The shock's population gap is closed here: the population comes from the chosen dataset's
 * bars before the shock (or an explicit open interest), not from the shock's synthetic candles.
 */
import { performance } from 'node:perf_hooks';
import { ApiError } from '../../../shared/errors';
import type { ParsedParams } from '../../../shared/contract';
import type { PortfolioSpec } from '../../../shared/portfolio';
import type { MarginRow, RunInfo, RunKind, RunParams, RunSummary } from '../../../shared/runs';
import type { ScenarioSpec } from '../../../shared/scenario';
import type { AccountMetrics, AssetShockInfo, MetricsRow, MonteCarloWhatIf, ShockWhatIf, SweepWhatIf, WhatIfMetrics, WhatIfRunSummary } from '../../../shared/what-if';
import {
  calibrateJumpDiffusion,
  calibrateSqrtImpact,
  dailyVolatility,
  ENGINE_VERSION,
  logReturns,
  markSourceLabel,
  mergeMonteCarloChunks,
  selectRules,
  splitPaths,
  summariseMonteCarlo,
  type CandleColumns,
  type MonteCarloChunk,
  type PathModel,
  type ReplayResult,
  type ReplayScenario,
  type ShockPopulationSource,
  type SweepCell,
  type VenueRules,
  type WhatIfShockResult,
} from '../engine';
import { runInWorker } from '../jobs/job-runner';
import type { MonteCarloTaskInput, SweepTaskInput, WhatIfShockTaskInput } from '../jobs/engine-tasks';
import type { HandlerGroup } from './handler-types';
import { finiteOrNull, marginsAt, rulesWith, storedPortfolio, storeRun, toSummary, type RunContext } from './runs';

type WhatIfMethods = 'whatif.metrics' | 'whatif.shock' | 'whatif.sweep' | 'whatif.montecarlo' | 'jobs.cancel';

export interface WhatIfContext extends RunContext {
  /** The runs module's `jobs.cancel`, for jobs that are not ours. */
  cancelOther?: (params: { job: string }) => { cancelled: boolean } | Promise<{ cancelled: boolean }>;
}

/** Default look-back of a population taken from a dataset: one day of 1-minute bars. */
const DEFAULT_LOOKBACK = 1440;

type Timed<T> = T & { engineMs: number };

export function whatIfHandlers(ctx: WhatIfContext): HandlerGroup<WhatIfMethods> {
  const jobs = new Map<string, AbortController>();

  const portfolioOf = (inline: PortfolioSpec | undefined, id: number | undefined): PortfolioSpec => inline ?? storedPortfolio(ctx, id!);

  /** A dataset's candles up to `to` (the last `bars` of them when given), as Float64 columns. */
  const datasetWindow = (datasetId: number, to?: number, bars?: number, from?: number) => {
    const dataset = ctx.datasets.get(datasetId);
    if (!dataset) throw new ApiError('not_found', `no dataset with id ${datasetId}`, { field: 'datasetId' });
    // Read only the bars needed: the last `bars` before `to` (or before the dataset's end).
    const start = from ?? (bars !== undefined ? (to ?? dataset.lastTime) - bars * dataset.barSeconds : undefined);
    const c = ctx.datasets.candles(datasetId, start, to);
    const n = c.time.length;
    const k = bars !== undefined ? Math.max(0, n - bars) : 0;
    const col = (a: number[]) => Float64Array.from(a.slice(k));
    const candles: CandleColumns = { time: col(c.time), open: col(c.open), high: col(c.high), low: col(c.low), close: col(c.close), volume: col(c.volume) };
    if (candles.time.length === 0) throw new ApiError('invalid_input', 'no candles in that window of the dataset', { field: 'to' });
    return { dataset, candles };
  };

  /** Runs tasks in workers (one per input); progress is summed over them; cancel stops them all. */
  async function execute<T>(task: string, inputs: unknown[], job: string | undefined, label: string, total?: number): Promise<T[]> {
    const controller = new AbortController();
    if (job !== undefined) {
      if (jobs.has(job)) throw new ApiError('conflict', `job "${job}" is already running`, { field: 'job' });
      jobs.set(job, controller);
    }
    const name = job ?? label;
    const done = inputs.map(() => 0);
    const totals = inputs.map(() => 0);
    try {
      return await Promise.all(
        inputs.map((input, i) =>
          runInWorker<T>(task, input, {
            signal: controller.signal,
            onProgress: (d, t, what) => {
              done[i] = d;
              totals[i] = t;
              ctx.push({ type: 'progress', job: name, done: done.reduce((s, x) => s + x, 0), total: total ?? totals.reduce((s, x) => s + x, 0), label: what });
            },
          }).catch((err: unknown) => {
            controller.abort();
            throw err;
          }),
        ),
      );
    } finally {
      if (job !== undefined) jobs.delete(job);
    }
  }

  function store(kind: RunKind, name: string, params: RunParams, summary: RunSummary, series: Record<string, ArrayLike<number>>, events: ReplayResult['events'], engineMs: number, startedAt: number, seed: number): RunInfo {
    return storeRun(ctx, { kind, name, params, engineVersion: ENGINE_VERSION, seed, summary, series, events }, engineMs, startedAt);
  }

  /** A shock's dataset window (when a dataset is picked) and its start: right after the window (its rule tables apply), else now. */
  const shockStart = (p: ParsedParams<'whatif.shock'> | ParsedParams<'whatif.sweep'>) => {
    const win = p.datasetId !== undefined ? datasetWindow(p.datasetId, p.to, p.population?.lookbackBars ?? DEFAULT_LOOKBACK) : undefined;
    const at = p.at ?? (win ? win.candles.time[win.candles.time.length - 1]! + win.dataset.barSeconds : ctx.now());
    return { win, at };
  };

  /** Symbol a shock applies to, and its start price. */
  const resolveStart = (portfolio: PortfolioSpec, symbol: string, given: number | undefined, window: CandleColumns | undefined, marks?: Record<string, number>): number => {
    if (given !== undefined) return given;
    if (window && window.close.length) return window.close[window.close.length - 1]!;
    if (marks?.[symbol]) return marks[symbol]!;
    const own = portfolio.accounts.flatMap((a) => a.positions).filter((p) => p.symbol === symbol);
    const q = own.reduce((s, p) => s + p.qty, 0);
    if (q > 0) return own.reduce((s, p) => s + p.qty * p.entry, 0) / q;
    throw new ApiError('invalid_input', `no start price for ${symbol}: give startPrice or a dataset of ${symbol}`, { field: 'startPrice' });
  };

  const populationSource = (spec: ParsedParams<'whatif.shock'>['population'], window: CandleColumns | undefined, symbolMatches: boolean): ShockPopulationSource | undefined => {
    if (!spec) {
      if (!window || !symbolMatches) return undefined;
      return { spec: { lookbackBars: Math.min(DEFAULT_LOOKBACK, window.time.length) }, window };
    }
    if (window && symbolMatches) return { spec, window };
    if (spec.openInterest !== undefined) return { spec };
    throw new ApiError('invalid_input', 'a population needs a dataset of the shocked symbol or an explicit openInterest', { field: 'population' });
  };

  const scenarioFor = (scenario: ScenarioSpec, symbol: string, window: CandleColumns | undefined, barSeconds: number): ReplayScenario => {
    let impact = scenario.impact;
    if (impact.model === 'sqrt' && (impact.dailyVolatility === undefined || impact.dailyVolumeNotional === undefined)) {
      if (!window || window.time.length < 2) throw new ApiError('invalid_input', 'the square-root impact needs a dataset to calibrate from, or dailyVolatility and dailyVolumeNotional', { field: 'scenario.impact' });
      const c = calibrateSqrtImpact(window, barSeconds, impact.y);
      impact = { ...impact, dailyVolatility: impact.dailyVolatility ?? c.dailyVolatility, dailyVolumeNotional: impact.dailyVolumeNotional ?? c.dailyVolumeNotional };
    }
    const { population: _p, ...rest } = scenario;
    return { ...rest, symbol, impact } as ReplayScenario;
  };

  return {
    'whatif.metrics': ({ portfolioId, portfolio: inline, marks: given, datasetId, at, marginCallRatio, rules }): WhatIfMetrics => {
      const spec = portfolioOf(inline, portfolioId);
      const tables = rulesWith(ctx, rules);
      const marks: Record<string, number> = { ...(given ?? {}) };
      let sigma: WhatIfMetrics['dailyVolatility'] = null;
      if (datasetId !== undefined) {
        const { dataset, candles } = datasetWindow(datasetId, at);
        // Rules in force at the dataset's last bar, unless a date is given.
        at ??= candles.time[candles.time.length - 1]!;
        marks[dataset.symbol] ??= candles.close[candles.close.length - 1]!;
        sigma = { symbol: dataset.symbol, value: dailyVolatility(candles.close, dataset.barSeconds), datasetId };
      }
      const { rows: margins, rulesByVenue, rules: rulesUsed } = marginsAt(spec, marks, tables, at, marginCallRatio);
      const rows: MetricsRow[] = margins.map((row) => {
        const acc = spec.accounts.find((a) => a.id === row.accountId)!;
        const pos = acc.positions.find((p) => p.id === row.positionId);
        const sideSign = row.side === 'long' ? 1 : -1;
        const inverse = rulesByVenue[acc.venue]!.model === 'inverse';
        const upnl = inverse ? sideSign * row.qty * (1 / row.entry - 1 / row.mark) : sideSign * row.qty * (row.mark - row.entry);
        const margin = acc.mode === 'isolated' && pos ? (pos.margin ?? (inverse ? row.qty / (row.entry * (pos.leverage ?? 1)) : (row.qty * row.entry) / (pos.leverage ?? 1))) : null;
        const d = row.distanceToLiquidation;
        const vol = sigma && sigma.symbol === row.symbol ? sigma.value : null;
        return {
          ...(finiteOrNull(row) as MarginRow),
          margin,
          unrealisedPnl: upnl,
          distanceSigma: vol ? distanceInSigma(row.side, d, vol) : null,
          tickSize: rulesByVenue[acc.venue]!.symbols[row.symbol]?.tickSize ?? null,
        };
      });
      const accounts: AccountMetrics[] = spec.accounts.map((a) => {
        const mine = rows.filter((r) => r.accountId === a.id);
        const notional = mine.reduce((s, r) => s + r.notional, 0);
        const upnl = mine.reduce((s, r) => s + r.unrealisedPnl, 0);
        const margin = a.mode === 'isolated' ? mine.reduce((s, r) => s + (r.margin ?? 0), 0) : a.wallet;
        const mm = mine.reduce((s, r) => s + r.maintenanceMargin, 0);
        const equity = margin + upnl;
        return { accountId: a.id, venue: a.venue, mode: a.mode, wallet: a.wallet, notional, margin, unrealisedPnl: upnl, equity, maintenanceMargin: mm, marginRatio: equity > 0 ? mm / equity : null };
      });
      return { rows, accounts, marks, rules: rulesUsed, dailyVolatility: sigma };
    },

    'whatif.shock': async (p) => {
      const startedAt = performance.now();
      const portfolio = portfolioOf(p.portfolio, p.portfolioId);
      const seed = p.seed ?? 0;
      const { win, at } = shockStart(p);
      const shocks: WhatIfShockTaskInput['shocks'] = p.shocks.map((s, i) => {
        const symbol = s.symbol ?? p.scenario.symbol ?? win?.dataset.symbol;
        if (!symbol) throw new ApiError('invalid_input', 'name the shocked symbol (or pick a dataset)', { field: `shocks.${i}.symbol` });
        const matches = win?.dataset.symbol === symbol;
        const window = matches ? win!.candles : undefined;
        const startPrice = resolveStart(portfolio, symbol, s.startPrice, window, p.scenario.marks);
        const population = populationSource(p.population, window, matches);
        return {
          portfolio,
          scenario: scenarioFor(p.scenario, symbol, window, win?.dataset.barSeconds ?? 60),
          shock: { startPrice, move: s.move, overSeconds: s.overSeconds, shape: s.shape, ...(s.barSeconds ? { barSeconds: s.barSeconds } : {}), ...(s.holdBars !== undefined ? { holdBars: s.holdBars } : {}), startTime: at },
          seed,
          ...(population ? { population } : {}),
        };
      });
      const [out] = await execute<Timed<{ outcomes: WhatIfShockResult[] }>>('whatIfShock', [{ shocks, rules: rulesWith(ctx, p.rules) } satisfies WhatIfShockTaskInput], p.job, 'shock');
      const outcomes = out!.outcomes;
      const assets: AssetShockInfo[] = outcomes.map((o, i) => assetInfo(o, shocks[i]!));
      const whatIf: ShockWhatIf = { kind: 'shock', totalLoss: assets.reduce((s, a) => s + a.loss, 0), assets };
      const first = outcomes[0]!.result;
      const summary = { ...toSummary(first), whatIf: finiteOrNull(whatIf) } as RunSummary;
      const params: RunParams = { datasetId: p.datasetId ?? null, portfolioId: p.portfolioId ?? null, portfolio, scenario: p.scenario, seed, from: null, to: p.to ?? null, shock: { shocks: shocks.map((s) => s.shock), population: p.population ?? null }, rules: p.rules ?? null };
      const label = p.shocks.map((s, i) => `${shocks[i]!.scenario.symbol} ${(s.move * 100).toFixed(1)}% ${s.shape} over ${s.overSeconds / 60} min`).join(', ');
      return store('shock', p.name ?? `What-if: ${label}`, params, summary, first.steps as unknown as Record<string, ArrayLike<number>>, outcomes.flatMap((o) => o.result.events), out!.engineMs, startedAt, seed);
    },

    'whatif.sweep': async (p) => {
      const startedAt = performance.now();
      const portfolio = portfolioOf(p.portfolio, p.portfolioId);
      const seed = p.seed ?? 0;
      const { win, at } = shockStart(p);
      const symbol = p.scenario.symbol ?? win?.dataset.symbol ?? portfolio.accounts.flatMap((a) => a.positions)[0]?.symbol;
      if (!symbol) throw new ApiError('invalid_input', 'name the shocked symbol (scenario.symbol) or pick a dataset', { field: 'scenario.symbol' });
      const matches = win?.dataset.symbol === symbol;
      const window = matches ? win!.candles : undefined;
      const startPrice = resolveStart(portfolio, symbol, p.startPrice, window, p.scenario.marks);
      const populationSrc = populationSource(p.population, window, matches);
      const depthScales = p.depthScales ?? [1];
      const workers = p.workers ?? 2;
      const cellCount = p.leverages.length * p.moves.length * depthScales.length;
      const sweep: SweepTaskInput['sweep'] = {
        portfolio,
        rules: rulesWith(ctx, p.rules),
        scenario: scenarioFor(p.scenario, symbol, window, win?.dataset.barSeconds ?? 60),
        shock: { startPrice, overSeconds: p.overSeconds, shape: p.shape, ...(p.holdBars !== undefined ? { holdBars: p.holdBars } : {}), startTime: at },
        leverages: p.leverages,
        moves: p.moves,
        depthScales,
        seed,
        ...(populationSrc ? { populationSource: populationSrc } : {}),
      };
      const ranges = splitPaths(cellCount, workers);
      const outs = await execute<Timed<{ cells: SweepCell[] }>>('sweep', ranges.map(([from, to]) => ({ sweep, from, to }) satisfies SweepTaskInput), p.job, 'sweep', cellCount);
      const cells = outs.flatMap((o) => o.cells);
      const whatIf: SweepWhatIf = { kind: 'sweep', symbol, leverages: p.leverages, moves: p.moves, depthScales, shape: p.shape, overSeconds: p.overSeconds, startPrice, workers: ranges.length, cells };
      const summary = { ...baseSummary(symbol, sweep.rules, sweep.scenario.venue, at, cellCount, 0, startPrice, sweep.scenario.mark), whatIf: finiteOrNull(whatIf) } as RunSummary;
      const params: RunParams = { datasetId: p.datasetId ?? null, portfolioId: p.portfolioId ?? null, portfolio, scenario: p.scenario, seed, from: null, to: p.to ?? null, shock: { leverages: p.leverages, moves: p.moves, depthScales, overSeconds: p.overSeconds, shape: p.shape, startPrice }, rules: p.rules ?? null };
      const series = {
        leverage: cells.map((c) => c.leverage),
        move: cells.map((c) => c.move),
        depthScale: cells.map((c) => c.depthScale),
        loss: cells.map((c) => c.loss),
        survivors: cells.map((c) => c.survivors),
        amplification: cells.map((c) => c.amplification),
      };
      const engineMs = Math.max(...outs.map((o) => o.engineMs));
      return store('sweep', p.name ?? `Sweep ${symbol}: ${p.leverages.length}×${p.moves.length}${depthScales.length > 1 ? `×${depthScales.length}` : ''}`, params, summary, series, [], engineMs, startedAt, seed);
    },

    'whatif.montecarlo': async (p) => {
      const startedAt = performance.now();
      const portfolio = portfolioOf(p.portfolio, p.portfolioId);
      const seed = p.seed ?? 0;
      const { dataset, candles } = datasetWindow(p.datasetId, p.to, undefined, p.from);
      if (candles.time.length < 3) throw new ApiError('invalid_input', 'calibrating the paths needs at least three candles', { field: 'datasetId' });
      const symbol = p.scenario.symbol ?? dataset.symbol;
      const startTime = p.at ?? candles.time[candles.time.length - 1]! + dataset.barSeconds;
      const startPrice = p.startPrice ?? candles.close[candles.close.length - 1]!;
      const model: PathModel = p.model === 'bootstrap' ? { kind: 'bootstrap', returns: logReturns(candles.close) } : calibrateJumpDiffusion(candles.close);
      const lookback = Math.min(p.population?.lookbackBars ?? DEFAULT_LOOKBACK, candles.time.length);
      const popWindow = sliceTail(candles, lookback);
      const populationSrc = populationSource(p.population ? { ...p.population, lookbackBars: lookback } : undefined, popWindow, symbol === dataset.symbol);
      const workers = p.workers ?? 2;
      const mc: MonteCarloTaskInput['mc'] = {
        portfolio,
        rules: rulesWith(ctx, p.rules),
        scenario: scenarioFor(p.scenario, symbol, candles, dataset.barSeconds),
        model,
        paths: p.paths,
        steps: p.steps,
        barSeconds: dataset.barSeconds,
        startPrice,
        startTime,
        seed,
        ...(populationSrc ? { populationSource: populationSrc } : {}),
      };
      const ranges = splitPaths(p.paths, workers);
      const outs = await execute<Timed<{ chunk: MonteCarloChunk }>>('montecarlo', ranges.map(([from, to]) => ({ mc, from, to }) satisfies MonteCarloTaskInput), p.job, 'montecarlo', p.paths);
      const merged = mergeMonteCarloChunks(outs.map((o) => o.chunk));
      const stats = summariseMonteCarlo(merged);
      const modelInfo = model.kind === 'bootstrap' ? { kind: 'bootstrap', returns: model.returns.length } : model;
      const whatIf: MonteCarloWhatIf = { kind: 'montecarlo', symbol, model: modelInfo, steps: p.steps, barSeconds: dataset.barSeconds, startPrice, workers: ranges.length, ...stats, population: populationSrc ? { lookbackBars: lookback } : null };
      const summary = { ...baseSummary(symbol, mc.rules, mc.scenario.venue, startTime, p.steps, dataset.barSeconds, startPrice, mc.scenario.mark), whatIf: finiteOrNull(whatIf) } as RunSummary;
      const params: RunParams = { datasetId: p.datasetId, portfolioId: p.portfolioId ?? null, portfolio, scenario: p.scenario, seed, from: p.from ?? null, to: p.to ?? null, shock: { model: p.model, paths: p.paths, steps: p.steps, startPrice, workers: ranges.length }, rules: p.rules ?? null };
      const engineMs = Math.max(...outs.map((o) => o.engineMs));
      return store('montecarlo', p.name ?? `Monte Carlo ${symbol}: ${p.paths} paths × ${p.steps} bars (${p.model})`, params, summary, { loss: merged.losses, finalPrice: merged.finalPrices, minEffective: merged.minEffective }, [], engineMs, startedAt, seed);
    },

    'jobs.cancel': async ({ job }) => {
      const controller = jobs.get(job);
      if (controller) {
        controller.abort();
        return { cancelled: true };
      }
      return ctx.cancelOther ? await ctx.cancelOther({ job }) : { cancelled: false };
    },
  };
}

/**
 * Distance to liquidation in daily standard deviations of log returns: the log move from the mark
 * to the liquidation price over σ — long: −ln(1 − d)/σ (d = (mark − LP)/mark), short: ln(1 + d)/σ
 * (d = (LP − mark)/mark). Null when the position cannot be liquidated (or already is past it).
 */
export function distanceInSigma(side: 'long' | 'short', distance: number, sigma: number): number | null {
  if (!Number.isFinite(distance) || !(sigma > 0)) return null;
  const logMove = side === 'long' ? (distance < 1 ? -Math.log(1 - distance) : Number.POSITIVE_INFINITY) : distance > -1 ? Math.log(1 + distance) : Number.NEGATIVE_INFINITY;
  return Number.isFinite(logMove) ? logMove / sigma : null;
}

function sliceTail(c: CandleColumns, n: number): CandleColumns {
  const k = c.time.length - n;
  return { time: c.time.slice(k), open: c.open.slice(k), high: c.high.slice(k), low: c.low.slice(k), close: c.close.slice(k), volume: c.volume.slice(k) } as CandleColumns;
}

function assetInfo(o: WhatIfShockResult, input: WhatIfShockTaskInput['shocks'][number]): AssetShockInfo {
  const s = o.result.summary;
  const st = o.result.steps;
  return {
    symbol: o.result.symbol,
    shape: input.shock.shape,
    move: input.shock.move,
    overSeconds: input.shock.overSeconds,
    startPrice: input.shock.startPrice,
    exogenousMove: o.exogenousMove,
    effectiveMove: o.effectiveMove,
    amplification: o.amplification,
    loss: o.losses.total,
    insuranceFundStart: s.insuranceFundStart,
    insuranceFundEnd: s.insuranceFundEnd,
    badDebt: s.badDebt,
    liquidatedNotional: s.liquidatedLong.notional + s.liquidatedShort.notional,
    positions: o.losses.positions.map((p) => ({ ...p })),
    waterfall: o.waterfall.map((w) => ({ ...w, notionalByBucket: { ...w.notionalByBucket } })),
    population: o.population,
    path: { time: Array.from(st.time), exogenousClose: Array.from(st.exogenousClose), effectiveClose: Array.from(st.effectiveClose), effectiveLow: Array.from(st.effectiveLow) },
  };
}

/** The run-summary fields a grid or Monte Carlo has no single replay for (so run lists read them alike). */
function baseSummary(symbol: string, tables: VenueRules[], venue: string, at: number, bars: number, barSeconds: number, price: number, mark: ReplayScenario['mark']): Omit<RunSummary, 'whatIf'> {
  const chosen = selectRules(tables, venue, at);
  const r = chosen.ok ? chosen.value : undefined;
  return {
    bars,
    symbol,
    barSeconds,
    firstBar: 0,
    markSource: markSourceLabel(mark),
    rules: { venue, effective: r?.effective ?? '', source: r?.source ?? '', marginCurrency: r?.marginCurrency ?? '' },
    liquidatedLong: { count: 0, notional: 0 },
    liquidatedShort: { count: 0, notional: 0 },
    portfolioLiquidated: [],
    portfolioMarginCalled: [],
    firstPrice: price,
    finalExogenous: price,
    finalEffective: price,
    minExogenousLow: price,
    minEffectiveLow: price,
    maxExogenousHigh: price,
    maxEffectiveHigh: price,
    insuranceFundStart: 0,
    insuranceFundEnd: 0,
    insuranceFundMin: 0,
    badDebt: 0,
    adlVolume: 0,
    halts: 0,
    maxRounds: 0,
    ledgerImbalance: 0,
    positions: [],
    skipped: [],
    population: null,
    staticPositions: 0,
  };
}

export type { WhatIfRunSummary };
