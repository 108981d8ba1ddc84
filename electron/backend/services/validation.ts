/**
 * Validation and design-lab handlers (issue 9). The catalog and the real files are read here (in
 * place, from the shared data folder); the engine work runs in a worker thread with progress and
 * cancel by job id. Results are stored as runs (kind 'validation' / 'design', params and summary
 * JSON) keyed by the engine version and the catalog, so the same inputs return the stored result
 * and a re-run reproduces it bit for bit. One computation per key runs at a time; concurrent calls
 * share it.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ApiError } from '../../../shared/errors';
import type { PushEvent } from '../../../shared/contract';
import type { OwnCandlesInfo, RunCandleColumn, RunInfo, RunParams, RunSummary } from '../../../shared/runs';
import { ASSUMPTIONS, type DesignMatrixInfo, type LendingCheckInfo, type Liquidity, type RobustnessInfo, type StoredFitInfo, type ValidationReportInfo } from '../../../shared/validation';
import { ENGINE_VERSION, selectRules, type VenueRules } from '../engine';
import { CALIBRATION_GRID, eventWindow, openInterestRatios, type EventCandles } from '../engine/validation';
import { DEFAULT_MECHANISMS } from '../engine/mechanisms';
import { checkLending } from '../engine/lending-check';
import type { Robustness, ValidationReport } from '../engine/validation';
import { runInWorker } from '../jobs/job-runner';
import type { DesignCellTaskInput, DesignCellTaskOutput, DesignTaskInput, DesignTaskOutput, ValidateTaskInput } from '../jobs/validation-tasks';
import type { RunStore } from '../store/runs';
import type { HandlerGroup } from './handler-types';
import { finiteOrNull, toRunInfo, toSummary } from './runs';
import { CATALOG, JUPITER_FILE, readEventCandles, readLendingRecords, sharedDataDir } from './validation-data';

type ValidationMethods = 'validation.run' | 'validation.storedFit' | 'validation.assumptions' | 'validation.lending' | 'validation.cancel' | 'validation.robustness' | 'design.run' | 'design.openCell';

export interface ValidationContext {
  runs: RunStore;
  now: () => number;
  push: (event: PushEvent) => void;
  rules: () => VenueRules[];
  /** Shared data folder; default: found beside the repo (see validation-data.ts). */
  dataDir?: () => string;
}

const SEED = 1;
const CATALOG_HASH = crypto.createHash('sha256').update(JSON.stringify(CATALOG)).digest('hex').slice(0, 16);
const MECH_HASH = crypto.createHash('sha256').update(JSON.stringify(DEFAULT_MECHANISMS)).digest('hex').slice(0, 16);
/** The calibration grid is part of the key: a stored validation fitted on another grid is not reused. */
const GRID_HASH = crypto.createHash('sha256').update(JSON.stringify(CALIBRATION_GRID)).digest('hex').slice(0, 16);
const VALIDATION_KEY = `validation/${ENGINE_VERSION}/${CATALOG_HASH}/grid${GRID_HASH}/seed${SEED}`;
/** `deimpact1`: mechanisms replayed on the de-impacted path (issue 9 fix); results stored before it are not reused. Then `/<liquidity>`. */
const DESIGN_KEY = `design/${ENGINE_VERSION}/deimpact1/${CATALOG_HASH}/grid${GRID_HASH}/${MECH_HASH}/seed${SEED}`;
const designKey = (liquidity: Liquidity): string => `${DESIGN_KEY}/${liquidity}`;

export function validationHandlers(ctx: ValidationContext): HandlerGroup<ValidationMethods> {
  const pending = new Map<string, Promise<unknown>>();
  const dataDir = (): string => (ctx.dataDir ?? sharedDataDir)();
  let eventCache: EventCandles[] | undefined;

  const events = (): EventCandles[] => {
    if (!eventCache) {
      const dir = dataDir();
      eventCache = CATALOG.events.map((e) => eventWindow(readEventCandles(dir, e.file), e));
    }
    return eventCache;
  };

  /** Single flight per key: concurrent callers share one computation. */
  function once<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const running = pending.get(key);
    if (running) return running as Promise<T>;
    const p = compute().finally(() => pending.delete(key));
    pending.set(key, p);
    return p;
  }

  function stored<T>(kind: string, key: string): (T & { runId: number }) | undefined {
    const hit = ctx.runs.list().find((r) => r.kind === kind && (r.params as { key?: string }).key === key);
    return hit ? ({ ...(hit.summary as T), runId: hit.id }) : undefined;
  }

  function store(kind: 'validation' | 'design', name: string, key: string, summary: unknown, params: Record<string, unknown>): number {
    const id = ctx.runs.insert(
      { kind, name, datasetId: null, portfolioId: null, params: { key, ...params }, engineVersion: ENGINE_VERSION, seed: SEED, summary, series: {}, events: [] },
      ctx.now(),
    );
    ctx.push({ type: 'runs.changed' });
    return id;
  }

  const progress = (label: string) => (done: number, total: number, what: string): void => ctx.push({ type: 'progress', job: label, done, total, label: what });

  async function report(job: string | undefined): Promise<ValidationReportInfo> {
    const hit = stored<ValidationReportInfo>('validation', VALIDATION_KEY);
    if (hit) return hit;
    return once(VALIDATION_KEY, async () => {
      const evs = events();
      const input: ValidateTaskInput = { events: evs, inSample: CATALOG.calibration.inSample, rules: ctx.rules() };
      const result = await runJob<ValidationReport>('validate', input, job);
      const info = finiteOrNull({
        ...result,
        scaling: CATALOG.scaling,
        openInterestRule: CATALOG.openInterestRule,
        depthRule: CATALOG.depthRule,
        dataDir: dataDir(),
        engineVersion: ENGINE_VERSION,
      }) as unknown as Omit<ValidationReportInfo, 'runId'>;
      const runId = store('validation', 'Model validation: six crashes', VALIDATION_KEY, info, { catalog: CATALOG_HASH, inSample: CATALOG.calibration.inSample, seed: SEED });
      return { ...info, runId };
    });
  }

  const jobs = new Map<string, AbortController>();
  async function runJob<T>(task: string, input: unknown, job: string | undefined): Promise<T> {
    const controller = new AbortController();
    if (job !== undefined) {
      if (jobs.has(job)) throw new ApiError('conflict', `job "${job}" is already running`, { field: 'job' });
      jobs.set(job, controller);
    }
    try {
      return await runInWorker<T>(task, input, { signal: controller.signal, onProgress: progress(job ?? task) });
    } finally {
      if (job !== undefined) jobs.delete(job);
    }
  }

  async function design(job: string | undefined, liquidity: Liquidity): Promise<DesignMatrixInfo> {
    const key = designKey(liquidity);
    const hit = stored<DesignMatrixInfo>('design', key);
    if (hit) return hit;
    const r = await report(undefined);
    return once(key, async () => {
      const evs = events();
      const input: DesignTaskInput = {
        events: evs,
        mechanisms: [...DEFAULT_MECHANISMS],
        parameters: r.parameters,
        kappa: openInterestRatios(evs),
        rules: ctx.rules(),
        seed: SEED,
        calibrateDepthOn: liquidity === 'calibrated' ? CATALOG.calibration.inSample : null,
      };
      const matrix = await runJob<DesignTaskOutput>('design', input, job);
      const info = finiteOrNull({ ...matrix, liquidity, parameters: r.parameters, engineVersion: ENGINE_VERSION }) as unknown as Omit<DesignMatrixInfo, 'runId'>;
      // How each event's exogenous path was de-impacted (iterations, residual, converged) goes in the stored parameters too.
      const exogenousPaths = Object.fromEntries(matrix.events.map((ev) => [ev.id, ev.exogenousPath]));
      const name = `Design lab: mechanisms × six crashes (${liquidity === 'calibrated' ? `depth ×${matrix.depthMultiplier}, calibrated` : 'resting depth, stress'})`;
      const runId = store('design', name, key, info, { catalog: CATALOG_HASH, mechanisms: DEFAULT_MECHANISMS, parameters: r.parameters, liquidity, depthMultiplier: matrix.depthMultiplier, exogenousPaths, seed: SEED });
      return { ...info, runId };
    });
  }

  return {
    'validation.run': ({ job }) => report(job),
    // The latest stored validation report's fit (any engine version or catalog), without computing one.
    'validation.storedFit': (): StoredFitInfo | null => {
      const reports = ctx.runs.list().filter((r) => r.kind === 'validation' && !String((r.params as { key?: string }).key ?? '').endsWith('/robustness'));
      const latest = reports
        .map((r) => ({ r, s: r.summary as Partial<ValidationReportInfo> | null }))
        .filter(({ s }) => s?.parameters !== undefined)
        .sort((a, b) => b.r.id - a.r.id)[0];
      if (!latest) return null;
      return { runId: latest.r.id, engineVersion: latest.r.engineVersion, parameters: latest.s!.calibration?.parameters ?? latest.s!.parameters! };
    },
    'validation.robustness': async ({ job }): Promise<RobustnessInfo> => {
      const key = `${VALIDATION_KEY}/robustness`;
      const hit = stored<RobustnessInfo>('validation', key);
      if (hit) return hit;
      return once(key, async () => {
        const input: ValidateTaskInput = { events: events(), inSample: CATALOG.calibration.inSample, rules: ctx.rules() };
        const result = await runJob<Robustness>('robustness', input, job);
        const info = finiteOrNull({ ...result, engineVersion: ENGINE_VERSION }) as unknown as Omit<RobustnessInfo, 'runId'>;
        const runId = store('validation', 'Model validation: other calibration splits', key, info, { catalog: CATALOG_HASH, seed: SEED });
        return { ...info, runId };
      });
    },
    'validation.assumptions': () => ASSUMPTIONS.map((a) => ({ ...a })),
    'validation.lending': (): LendingCheckInfo => {
      const dir = dataDir();
      const records = readLendingRecords(dir);
      const btcEvent = CATALOG.events.find((e) => e.id === '2025-10-10')!;
      const btc = readEventCandles(dir, btcEvent.file);
      const aave = selectRules(ctx.rules(), 'aave-v3', 32503680000);
      if (!aave.ok || !aave.value.lending?.assets.WBTC) throw new ApiError('not_found', 'no aave-v3 lending table with WBTC', { field: 'rules' });
      const first = Math.min(...records.map((r) => r.time));
      const check = checkLending(records, btc, aave.value.lending.assets.WBTC, aave.value.lending, Math.floor(first / 3600) * 3600);
      const btcBonus = check.bonus.filter((b) => b.modelBonus !== null);
      const findings = [
        `${check.records} liquidations of ${check.positions} positions: median ${check.closes.medianPerPosition} instructions per position, most ${check.closes.maxPerPosition}; ${check.closes.positionsOver3} positions took more than ${check.closes.modelMaxOnMonotoneFall}. The Aave-like model closes a position in at most ${check.closes.modelMaxOnMonotoneFall} calls on a falling price: Jupiter Lend liquidates in many small steps, which the model does not reproduce.`,
        ...btcBonus.map((b) => `${b.collateral} collateral: median implied bonus ${(b.medianImpliedBonus * 100).toFixed(2)}% (${b.records} records, hourly prices) vs the model's ${((b.modelBonus ?? 0) * 100).toFixed(2)}% (Aave v3 WBTC profile).`),
        `Hourly profile from ${new Date(Math.floor(first / 3600) * 3600 * 1000).toISOString().slice(11, 16)} UTC: correlation of observed and modelled shares ${Number.isFinite(check.hourlyCorrelation) ? check.hourlyCorrelation.toFixed(2) : 'n/a'} (model: borrowers spread evenly in health factor 1–1.3 on the BTC path; most observed collateral is SOL-family, whose path is not stored).`,
      ];
      return finiteOrNull({ source: `${JUPITER_FILE} (read in place; see defi/PROVENANCE.md)`, ...check, findings }) as LendingCheckInfo;
    },
    'validation.cancel': ({ job }) => {
      const controller = jobs.get(job);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
    'design.run': ({ job, liquidity }) => design(job, liquidity ?? 'calibrated'),
    'design.openCell': async ({ eventId, mechanismId, liquidity = 'calibrated', job }): Promise<RunInfo> => {
      const startedAt = performance.now();
      const mechanism = DEFAULT_MECHANISMS.find((m) => m.id === mechanismId);
      if (!mechanism) throw new ApiError('not_found', `no mechanism "${mechanismId}"`, { field: 'mechanismId' });
      if (!CATALOG.events.some((e) => e.id === eventId)) throw new ApiError('not_found', `no event "${eventId}"`, { field: 'eventId' });
      const key = `${designKey(liquidity)}/cell/${eventId}/${mechanismId}`;
      // A cell stored before runs kept their candles (no `ownCandles`) is left as it is and replayed afresh.
      const existing = ctx.runs.list().find((r) => r.kind === 'replay' && (r.params as RunParams & { key?: string }).key === key && (r.summary as RunSummary | null)?.ownCandles);
      if (existing) return toRunInfo(existing);
      const r = await report(undefined);
      // The matrix's depth multiplier (computed and stored first when it is not yet).
      const { depthMultiplier } = await design(undefined, liquidity);
      return once(key, async () => {
        const evs = events();
        const event = evs.find((e) => e.event.id === eventId)!;
        const input: DesignCellTaskInput = { event, mechanism, parameters: r.parameters, kappa: openInterestRatios(evs), rules: ctx.rules(), seed: SEED, depthMultiplier };
        const out = await runJob<DesignCellTaskOutput>('designCell', input, job);
        const res = out.result;
        const series = cellSeries(event, out);
        const { id: _id, title: _title, file, venue, lookbackFrom, from, to } = event.event;
        const designCell = { eventId, mechanism, parameters: r.parameters, liquidity, depthMultiplier, file, window: { venue, lookbackFrom, from, to }, exogenousPath: out.exogenousPath };
        const params = { key, datasetId: null, portfolioId: null, portfolio: null, scenario: { ...out.scenario, designCell }, seed: SEED, from: null, to: null, shock: null, rules: null };
        const ownCandles: OwnCandlesInfo = {
          exogenous: `de-impacted path: the observed candles with the baseline cascade's own price impact taken out (${out.exogenousPath.converged ? 'converged' : 'NOT converged'} in ${out.exogenousPath.iterations} iterations, residual ${out.exogenousPath.residual.toExponential(1)}); the mechanism is replayed on it`,
          observed: `observed candles (${file})`,
          source: file,
        };
        const id = ctx.runs.insert(
          {
            kind: 'replay',
            name: `Design: ${eventId} × ${mechanism.label}, depth ×${depthMultiplier} (simulated at 1/${Math.round(out.scale)} of market size)`,
            datasetId: null,
            portfolioId: null,
            params,
            engineVersion: res.engineVersion,
            seed: res.seed,
            summary: { ...toSummary(res), designOutcome: finiteOrNull(out.outcome), ownCandles },
            series,
            events: res.events.map((e) => ({ time: e.time, kind: e.kind, ref: e.positionId ?? e.bucket ?? null, side: e.side ?? null, price: e.price, notional: e.notional, pnl: e.pnl, count: e.count, detail: e.detail ?? null, round: e.round ?? null })),
          },
          ctx.now(),
        );
        ctx.push({ type: 'runs.changed' });
        return { ...toRunInfo(ctx.runs.get(id)!), timing: { engineMs: out.engineMs, totalMs: performance.now() - startedAt } };
      });
    },
  };
}

/**
 * A design cell's stored series: the replay's steps plus its own candles, bar for bar from the
 * replay's first bar — the de-impacted path it ran on (`exogenous*`, whose close is the steps'
 * `exogenousClose`) and the observed one (`observed*`), so the run opens as a full replay with no
 * dataset and no shared data folder.
 */
function cellSeries(event: EventCandles, out: DesignCellTaskOutput): Record<string, ArrayLike<number>> {
  const res = out.result;
  const from = res.firstBar;
  const o = event.candles;
  const n = res.steps.time.length;
  const x = out.exogenous;
  if (o.time.length - from !== n || x.open.length !== n) throw new ApiError('internal', `design cell ${event.event.id}: ${n} replayed bars but ${o.time.length - from} candles from bar ${from}`);
  for (let k = 0; k < n; k++) {
    if (res.steps.time[k] !== o.time[from + k] || res.steps.exogenousClose[k] !== x.close[k]) throw new ApiError('internal', `design cell ${event.event.id}: replayed bar ${k} is not candle ${from + k}`);
  }
  const cut = (c: Float64Array): Float64Array => c.subarray(from);
  const columns: Record<RunCandleColumn, ArrayLike<number>> = {
    exogenousOpen: x.open,
    exogenousHigh: x.high,
    exogenousLow: x.low,
    volume: cut(o.volume),
    observedOpen: cut(o.open),
    observedHigh: cut(o.high),
    observedLow: cut(o.low),
    observedClose: cut(o.close),
  };
  return { ...(res.steps as unknown as Record<string, ArrayLike<number>>), ...columns };
}
