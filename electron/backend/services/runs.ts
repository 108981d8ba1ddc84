/**
 * Engine handlers: margin reports (in-process: they are instant), replays and shocks (in a
 * worker thread, with progress pushes and cancel by job id), and stored runs. A run is
 * stored only when it completes; a cancelled or failed run leaves nothing behind.
 */
import { performance } from 'node:perf_hooks';
import { ApiError } from '../../../shared/errors';
import type { PushEvent } from '../../../shared/contract';
import type { PortfolioSpec } from '../../../shared/portfolio';
import type { MarginRow, RulesUsed, RunDetail, RunEvent, RunInfo, RunKind, RunParams, RunSeries, RunSummary } from '../../../shared/runs';
import type { ScenarioSpec } from '../../../shared/scenario';
import { calibrateSqrtImpact, computeMargins, ENGINE_VERSION, selectRules, type CandleColumns, type PositionMargin, type ReplayResult, type ReplayScenario, type VenueRules } from '../engine';
import { runInWorker } from '../jobs/job-runner';
import type { ReplayTaskInput, ShockTaskInput, TimedResult } from '../jobs/engine-tasks';
import { float64Columns, type DatasetStore } from '../store/datasets';
import type { PortfolioStore } from '../store/portfolios';
import type { NewRun, RunEventRecord, RunRow, RunStore } from '../store/runs';
import type { HandlerGroup } from './handler-types';
import { withUserRules } from './venue-tables';

type RunMethods =
  | 'rules.list'
  | 'margin.compute'
  | 'runs.replay'
  | 'runs.shock'
  | 'runs.list'
  | 'runs.get'
  | 'runs.delete'
  | 'jobs.cancel';

/** What the handlers that make runs work with (these and the what-ifs'): stores, clock, push channel, rule tables. */
export interface RunContext {
  datasets: DatasetStore;
  portfolios: PortfolioStore;
  runs: RunStore;
  now: () => number;
  push: (event: PushEvent) => void;
  /** Rule tables in force: the shipped ones plus any the user added. */
  rules: () => VenueRules[];
}

/** Far in the future: "the newest table" when no date applies. */
const LATEST = 32503680000;

/** The shipped tables, with a user's own tables replacing those of the same venue. */
export function rulesWith(ctx: RunContext, own: readonly Record<string, unknown>[] | undefined): VenueRules[] {
  return withUserRules(ctx.rules(), own);
}

/** A stored portfolio as a spec (not_found names `portfolioId`). */
export function storedPortfolio(ctx: RunContext, id: number): PortfolioSpec {
  const stored = ctx.portfolios.get(id);
  if (!stored) throw new ApiError('not_found', `no portfolio with id ${id}`, { field: 'portfolioId' });
  const { id: _id, updatedAt: _u, ...spec } = stored;
  return spec;
}

/** The portfolio's margin rows under each account's venue table in force at `at` (default: the newest). */
export function marginsAt(
  spec: PortfolioSpec,
  marks: Record<string, number>,
  tables: VenueRules[],
  at: number | undefined,
  marginCallRatio: number | undefined,
): { rows: PositionMargin[]; rulesByVenue: Record<string, VenueRules>; rules: RulesUsed[] } {
  const rulesByVenue: Record<string, VenueRules> = {};
  for (const [i, account] of spec.accounts.entries()) {
    if (rulesByVenue[account.venue]) continue;
    const chosen = selectRules(tables, account.venue, at ?? LATEST);
    if (!chosen.ok) throw new ApiError('invalid_input', chosen.error.message, { field: `accounts.${i}.venue` });
    rulesByVenue[account.venue] = chosen.value;
  }
  const result = computeMargins(spec, marks, rulesByVenue, marginCallRatio);
  if (!result.ok) throw new ApiError('invalid_input', result.error.message, result.error.field ? { field: result.error.field } : {});
  return { rows: result.value, rulesByVenue, rules: Object.values(rulesByVenue).map((r) => ({ venue: r.venue, effective: r.effective, source: r.source })) };
}

/** A finished run to store: what `RunStore.insert` takes, its dataset and portfolio read from its params, its events as the engine gives them. */
export type FinishedRun = Omit<NewRun, 'datasetId' | 'portfolioId' | 'params' | 'events'> & { kind: RunKind; params: RunParams; events: ReplayResult['events'] };

/** Stores a finished run, tells the windows the run list changed, and returns it with its timing. */
export function storeRun(ctx: RunContext, run: FinishedRun, engineMs: number, startedAt: number): RunInfo {
  const id = ctx.runs.insert(
    {
      ...run,
      datasetId: run.params.datasetId,
      portfolioId: run.params.portfolioId,
      events: run.events.map(
        (e): RunEventRecord => ({
          time: e.time,
          kind: e.kind,
          ref: e.positionId ?? e.bucket ?? null,
          side: e.side ?? null,
          price: e.price,
          notional: e.notional,
          pnl: e.pnl,
          count: e.count,
          detail: e.detail ?? null,
          round: e.round ?? null,
        }),
      ),
    },
    ctx.now(),
  );
  ctx.push({ type: 'runs.changed' });
  return { ...toRunInfo(ctx.runs.get(id)!), timing: { engineMs, totalMs: performance.now() - startedAt } };
}

export function runHandlers(ctx: RunContext): HandlerGroup<RunMethods> {
  const jobs = new Map<string, AbortController>();

  async function execute(kind: RunKind, task: 'replay' | 'shock', input: ReplayTaskInput | ShockTaskInput, job: string | undefined): Promise<TimedResult> {
    const controller = new AbortController();
    if (job !== undefined) {
      if (jobs.has(job)) throw new ApiError('conflict', `job "${job}" is already running`, { field: 'job' });
      jobs.set(job, controller);
    }
    const label = job ?? kind;
    try {
      return await runInWorker<TimedResult>(task, input, {
        signal: controller.signal,
        onProgress: (done, total, what) => ctx.push({ type: 'progress', job: label, done, total, label: what }),
      });
    } finally {
      if (job !== undefined) jobs.delete(job);
    }
  }

  function store(kind: RunKind, name: string, params: RunParams, { result, engineMs }: TimedResult, startedAt: number): RunInfo {
    const series = result.steps as unknown as Record<string, ArrayLike<number>>;
    return storeRun(ctx, { kind, name, params, engineVersion: result.engineVersion, seed: result.seed, summary: toSummary(result), series, events: result.events }, engineMs, startedAt);
  }

  return {
    'rules.list': () =>
      ctx.rules().map((r) => ({ venue: r.venue, effective: r.effective, source: r.source, model: r.model, marginCurrency: r.marginCurrency, symbols: Object.keys(r.symbols ?? {}) })),

    'margin.compute': ({ portfolioId, portfolio, marks, at, marginCallRatio, rules }) => {
      const spec = portfolio ?? storedPortfolio(ctx, portfolioId!);
      const margins = marginsAt(spec, marks ?? {}, rulesWith(ctx, rules), at, marginCallRatio);
      return { rows: margins.rows.map((row) => finiteOrNull(row) as MarginRow), rules: margins.rules };
    },

    'runs.replay': async ({ datasetId, portfolioId, portfolio: inline, rules, scenario, seed = 0, name, job, from, to }) => {
      const startedAt = performance.now();
      const dataset = ctx.datasets.get(datasetId);
      if (!dataset) throw new ApiError('not_found', `no dataset with id ${datasetId}`, { field: 'datasetId' });
      const columns = ctx.datasets.candles(datasetId, from, to);
      if (columns.time.length === 0) throw new ApiError('invalid_input', 'no candles in that time window', { field: 'from' });
      const candles: CandleColumns = float64Columns(columns);
      const portfolio = inline ?? (portfolioId !== undefined ? storedPortfolio(ctx, portfolioId) : undefined);
      const resolved = resolveScenario(scenario, dataset.symbol, candles, dataset.barSeconds);
      const tables = rulesWith(ctx, rules);
      const result = await execute('replay', 'replay', { candles, ...(portfolio ? { portfolio } : {}), scenario: resolved, rules: tables, seed }, job);
      const params: RunParams = { datasetId, portfolioId: portfolioId ?? null, portfolio: portfolio ?? null, scenario: resolved, seed, from: from ?? null, to: to ?? null, shock: null, rules: rules ?? null };
      return store('replay', name ?? `${dataset.symbol} replay`, params, result, startedAt);
    },

    'runs.shock': async ({ portfolioId, portfolio: inline, rules, scenario, shock: shockSpec, at, seed = 0, name, job }) => {
      const shock = { ...shockSpec, startTime: at ?? ctx.now() };
      const startedAt = performance.now();
      const portfolio = inline ?? storedPortfolio(ctx, portfolioId!);
      if (!scenario.symbol) throw new ApiError('bad_request', 'a shock needs scenario.symbol', { field: 'scenario.symbol' });
      if (scenario.impact.model === 'sqrt' && (scenario.impact.dailyVolatility === undefined || scenario.impact.dailyVolumeNotional === undefined)) {
        throw new ApiError('invalid_input', 'a shock has no dataset to calibrate from: give impact.dailyVolatility and impact.dailyVolumeNotional', { field: 'scenario.impact' });
      }
      const resolved = scenario as ReplayScenario;
      const result = await execute('shock', 'shock', { portfolio, scenario: resolved, rules: rulesWith(ctx, rules), seed, shock }, job);
      const params: RunParams = { datasetId: null, portfolioId: portfolioId ?? null, portfolio, scenario: resolved, seed, from: null, to: null, shock, rules: rules ?? null };
      const pct = (shock.move * 100).toFixed(1);
      return store('shock', name ?? `${scenario.symbol} ${pct}% over ${shock.overSeconds / 60} min`, params, result, startedAt);
    },

    // Validation and design reports (kinds 'validation', 'design') are read through validation.* and design.*.
    'runs.list': () => ctx.runs.list().filter((r) => r.kind !== 'validation' && r.kind !== 'design').map(toRunInfo),

    'runs.get': ({ id }): RunDetail => {
      const row = ctx.runs.get(id);
      if (!row) throw new ApiError('not_found', `no run with id ${id}`, { field: 'id' });
      return { run: toRunInfo(row), series: ctx.runs.series(id) as RunSeries, events: ctx.runs.events(id) as RunEvent[] };
    },

    'runs.delete': ({ id }) => {
      const deleted = ctx.runs.delete(id);
      if (deleted) ctx.push({ type: 'runs.changed' });
      return { deleted };
    },

    'jobs.cancel': ({ job }) => {
      const controller = jobs.get(job);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
  };
}

/** Fills what the dataset can tell: the symbol, and a square-root impact calibrated on the candles. */
function resolveScenario(scenario: ScenarioSpec, datasetSymbol: string, candles: CandleColumns, barSeconds: number): ReplayScenario {
  const symbol = scenario.symbol ?? datasetSymbol;
  let impact = scenario.impact;
  if (impact.model === 'sqrt' && (impact.dailyVolatility === undefined || impact.dailyVolumeNotional === undefined)) {
    if (candles.time.length < 2) throw new ApiError('invalid_input', 'calibrating the square-root impact needs at least two candles', { field: 'scenario.impact' });
    const calibrated = calibrateSqrtImpact(candles, barSeconds, impact.y);
    impact = {
      ...impact,
      dailyVolatility: impact.dailyVolatility ?? calibrated.dailyVolatility,
      dailyVolumeNotional: impact.dailyVolumeNotional ?? calibrated.dailyVolumeNotional,
    };
  }
  return { ...scenario, symbol, impact } as ReplayScenario;
}

export function toSummary(result: ReplayResult): RunSummary {
  const s = result.summary;
  return finiteOrNull({
    ...s,
    ledger: undefined,
    symbol: result.symbol,
    barSeconds: result.barSeconds,
    firstBar: result.firstBar,
    markSource: result.markSource,
    rules: result.rules,
    positions: result.positions.map((p) => ({
      id: p.id,
      liquidated: p.liquidated,
      firstLiquidationTime: p.firstLiquidationTime ?? null,
      marginCallTime: p.marginCallTime ?? null,
      initialLiquidationPrice: p.initialLiquidationPrice,
      remainingQty: p.remainingQty,
    })),
    skipped: [...result.skipped],
    population: result.population,
    inflow: result.inflow,
    staticPositions: result.staticPositions,
  }) as unknown as RunSummary;
}

export function toRunInfo(row: RunRow): RunInfo {
  return {
    id: row.id,
    kind: row.kind as RunKind,
    name: row.name,
    datasetId: row.datasetId,
    portfolioId: row.portfolioId,
    engineVersion: row.engineVersion,
    seed: row.seed,
    createdAt: row.createdAt,
    eventCount: row.eventCount,
    params: row.params as RunParams,
    summary: row.summary as RunSummary,
  };
}

/** Replaces ±Infinity and NaN (which JSON cannot carry) with null, deeply, in plain data. */
export function finiteOrNull<T>(value: T): T {
  if (typeof value === 'number') return (Number.isFinite(value) ? value : null) as T;
  if (Array.isArray(value)) return value.map(finiteOrNull) as T;
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = finiteOrNull(v);
    return out as T;
  }
  return value;
}

export { ENGINE_VERSION };
