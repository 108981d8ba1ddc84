/**
 * Model validation (issue 9): replay real crash paths through the estimated market population and
 * compare the estimated liquidations with the reported ones. Pure: the caller reads the candle
 * files and the event catalog (resources/validation/events.json) and passes them in.
 *
 * The model, per event:
 * - open interest N (market-wide BTC futures, USD): reported, or imputed as κ × the notional the
 *   replayed venue traded over the look-back (κ = geometric mean of that ratio where it is reported);
 * - a share `leveragedShare` of N sits in the leverage mix (the rest is hedged or low-leverage and
 *   is assumed never to be liquidated in the window); the mix is {@link BASE_BUCKETS} with every
 *   leverage times `leverageScale` (capped at the venue's largest);
 * - that notional opens over the look-back in proportion to volume (DESIGN.md §3.4), in positions
 *   of about {@link UNIT_POSITION} each (the venue's first bracket), and the real path is replayed
 *   with impact off (the real path already carries the cascade's own impact);
 * - estimated liquidations in [from, to) are compared with the observed BTC figure.
 * With impact off, liquidated notional is linear in the population's size, so the run is done at
 * unit size and scaled (exactly) to N·leveragedShare.
 */
import { sliceCandles, type CandleColumns, type MarkSpec } from './candles';
import { runReplay, type ReplayResult } from './index';
import { AGED_GRID, type PopulationSpec } from './population';
import { fail, ok, type Result } from './result';
import type { VenueRules } from './venue-rules';

/** Leverage mix before scaling (weights: share of the leveraged notional). */
export const BASE_BUCKETS: readonly { readonly leverage: number; readonly weight: number }[] = [
  { leverage: 5, weight: 0.3 },
  { leverage: 10, weight: 0.3 },
  { leverage: 25, weight: 0.2 },
  { leverage: 50, weight: 0.12 },
  { leverage: 100, weight: 0.08 },
];

/** Notional of one simulated position (quote). Small enough for the first bracket tier everywhere. */
export const UNIT_POSITION = 20_000;

/** Largest leverage after scaling (Binance BTCUSDT's first tier). */
export const MAX_LEVERAGE = 125;

/** One event of the catalog (plain data read from resources/validation/events.json). */
export interface ValidationEvent {
  readonly id: string;
  readonly title: string;
  readonly file: string;
  readonly market: string;
  readonly venue: string;
  readonly lookbackFrom: string;
  readonly from: string;
  readonly to: string;
  readonly openInterest: number | null;
  readonly openInterestBtc?: number;
  readonly openInterestSource: string | null;
  readonly depth: { readonly btcAt2Pct?: number; readonly usdAt1Pct?: number; readonly source: string };
  readonly observed: {
    readonly btcNotional: number;
    readonly btcRule: string;
    readonly totalNotional: number;
    readonly longShare: number | null;
    readonly source: string;
  };
  readonly timeProfile: { readonly shareWithin40Minutes: number; readonly peakMinute: string; readonly source: string } | null;
}

/** The shared population parameters that calibration fits. */
export interface PopulationParameters {
  /** Share of open interest held in the leverage mix (0…1]. */
  readonly leveragedShare: number;
  /** Multiplier of every bucket's leverage. */
  readonly leverageScale: number;
  /** Share of new notional that is long. */
  readonly longShare: number;
  /** Simulated positions per bar, side and bucket (at unit size the count follows from the size). */
  readonly positionsPerBucket: number;
  /**
   * Mean age of open positions in days (PopulationSpec.meanAgeDays), or null: every position opened
   * during the one-day look-back at its bar's close.
   */
  readonly meanAgeDays: number | null;
  /** Owners' reaction time in minutes once half the margin is lost (PopulationSpec.reaction), or null: none react. */
  readonly reactionMinutes: number | null;
  /**
   * In-window inflow (PopulationSpec.inflow): the population keeps turning over during the window at
   * its own mean holding time ({@link inflowHoldingDays}), new positions opening at each bar's close
   * in proportion to volume. False: no position opens during the window.
   */
  readonly inflow: boolean;
  /**
   * Mark model (candles.ts MarkSpec) as the share of each 1m wick that reaches the mark: 1 (or
   * absent) the candle path of the replayed venue, 0 the 1m closes only, between a damped wick.
   */
  readonly markWick?: number;
}

/** The scenario's mark for a wick share (absent for the candle path, so default runs are unchanged). */
export function markOf(p: Pick<PopulationParameters, 'markWick'>): { readonly mark?: MarkSpec } {
  const k = p.markWick ?? 1;
  if (k === 1) return {};
  return { mark: k === 0 ? { source: 'close' } : { source: 'damped', wick: k } };
}

/** Share of the margin lost at which owners start to close (fixed, not fitted). */
export const REACTION_LOSS_SHARE = 0.5;

export const DEFAULT_PARAMETERS: PopulationParameters = { leveragedShare: 0.1, leverageScale: 1, longShare: 0.5, positionsPerBucket: 1, meanAgeDays: 30, reactionMinutes: 30, inflow: false };

/**
 * Mean holding time of the inflow turnover, tied to the population's own shape (no new fitted
 * parameter): an aged population is the steady state of positions held for an exponential time of
 * mean `meanAgeDays`, so its turnover goes on at that rate; a look-back population is what opened over
 * the look-back, so it turns over once per look-back length (in days).
 */
export function inflowHoldingDays(p: Pick<PopulationParameters, 'meanAgeDays'>, lookbackBars: number, barSeconds: number): number {
  return p.meanAgeDays ?? (lookbackBars * barSeconds) / 86_400;
}

/** Candles of one event, already cut to [lookbackFrom, to). */
export interface EventCandles {
  readonly event: ValidationEvent;
  readonly candles: CandleColumns;
}

/** Open interest used for an event, and where it came from. */
export interface OpenInterestUsed {
  readonly usd: number;
  readonly imputed: boolean;
  readonly note: string;
}

const isoSeconds = (iso: string): number => Date.parse(iso) / 1000;

/** Index of the first bar at or after `t` (binary search). */
export function barIndexAt(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Quote notional traded on the replayed venue over the look-back. */
export function lookbackTraded(e: EventCandles): number {
  const c = e.candles;
  const start = barIndexAt(c.time, isoSeconds(e.event.from));
  let sum = 0;
  for (let i = 0; i < start; i++) sum += c.volume[i]! * c.close[i]!;
  return sum;
}

/** Reported open interest in USD (BTC figures times the first replayed bar's open), or null. */
export function reportedOpenInterest(e: EventCandles): number | null {
  if (e.event.openInterest !== null) return e.event.openInterest;
  if (e.event.openInterestBtc !== undefined) {
    const start = barIndexAt(e.candles.time, isoSeconds(e.event.from));
    return e.event.openInterestBtc * e.candles.open[start]!;
  }
  return null;
}

/**
 * κ: geometric mean of reported OI / traded look-back notional over the events of the same market
 * type (spot or perp candles: their volumes differ several-fold) that report OI; 1 when none does.
 */
export function openInterestRatio(events: readonly EventCandles[], market: string): number {
  let logSum = 0;
  let n = 0;
  for (const e of events) {
    if (e.event.market !== market) continue;
    const oi = reportedOpenInterest(e);
    const traded = lookbackTraded(e);
    if (oi !== null && traded > 0) {
      logSum += Math.log(oi / traded);
      n++;
    }
  }
  return n > 0 ? Math.exp(logSum / n) : 1;
}

/** κ per market type of the catalog. */
export type Kappa = Readonly<Record<string, number>>;

export function openInterestRatios(events: readonly EventCandles[]): Kappa {
  const out: Record<string, number> = {};
  for (const e of events) out[e.event.market] ??= openInterestRatio(events, e.event.market);
  return out;
}

/** Open interest for one event: reported, else κ(market) × traded look-back notional. */
export function openInterestFor(e: EventCandles, kappas: Kappa): OpenInterestUsed {
  const kappa = kappas[e.event.market] ?? 1;
  const reported = reportedOpenInterest(e);
  if (reported !== null) return { usd: reported, imputed: false, note: e.event.openInterestSource ?? 'reported' };
  const traded = lookbackTraded(e);
  return { usd: kappa * traded, imputed: true, note: `imputed: κ(${e.event.market}) ${kappa.toFixed(2)} × $${(traded / 1e9).toFixed(2)}B traded on the replayed venue over the look-back` };
}

/** The population spec of an event at unit size (positions of about UNIT_POSITION). */
export function unitPopulation(e: EventCandles, p: PopulationParameters): PopulationSpec & { readonly openInterest: number } {
  const c = e.candles;
  const lookbackBars = barIndexAt(c.time, isoSeconds(e.event.from));
  const buckets = BASE_BUCKETS.map((b) => ({ leverage: Math.min(MAX_LEVERAGE, Math.max(1.01, b.leverage * p.leverageScale)), weight: b.weight }));
  const per = Math.max(1, Math.floor(p.positionsPerBucket));
  const barSeconds = c.time.length >= 2 ? c.time[1]! - c.time[0]! : 60;
  const reaction = {
    ...(p.reactionMinutes !== null ? { reaction: { lossShare: REACTION_LOSS_SHARE, minutes: p.reactionMinutes } } : {}),
    ...(p.inflow ? { inflow: { meanHoldingDays: inflowHoldingDays(p, lookbackBars, barSeconds) } } : {}),
  };
  if (p.meanAgeDays !== null) {
    // Unit size: the largest node (z = 0, heaviest bucket) is about UNIT_POSITION, i.e. in the first
    // bracket tier like every simulated position: a node's weight is at most about 5× the mean one
    // (normal density at 0 over its mean on the grid ≈ 3.3, heaviest bucket 0.3 over the mean 0.2).
    const nodes = AGED_GRID.ages * (Math.round((2 * AGED_GRID.zMax) / AGED_GRID.zStep) + 1) * 2 * buckets.length;
    return { lookbackBars, openInterest: (nodes * UNIT_POSITION) / 5, longShare: p.longShare, buckets, meanAgeDays: p.meanAgeDays, ...reaction };
  }
  // Unit size: each (bar, side, bucket, slot) position is about UNIT_POSITION on average.
  const openInterest = lookbackBars * 2 * buckets.length * per * UNIT_POSITION;
  return { lookbackBars, openInterest, longShare: p.longShare, buckets, entry: 'close', positionsPerBucket: per, ...reaction };
}

/** What the model estimates for one event. */
export interface EventEstimate {
  readonly id: string;
  readonly openInterest: OpenInterestUsed;
  /** Factor from the unit-size run to the market: OI · leveragedShare / unit OI. */
  readonly scale: number;
  readonly estimated: { readonly total: number; readonly long: number; readonly short: number; readonly longShare: number | null };
  /** Per bar of [from, to): time, close, estimated long and short liquidations (scaled). */
  readonly series: { readonly time: number[]; readonly close: number[]; readonly low: number[]; readonly long: number[]; readonly short: number[] };
  readonly profile: TimeProfile;
  readonly priceMove: { readonly first: number; readonly low: number; readonly drawdown: number };
  readonly populationPositions: number;
}

/** Where in time the liquidations fall. */
export interface TimeProfile {
  /** Largest share of the window's liquidations within any 40 consecutive minutes. */
  readonly shareWithin40Minutes: number;
  /** Start of that 40-minute stretch (UTC seconds). */
  readonly best40From: number | null;
  /** The bar with the most liquidations (UTC seconds). */
  readonly peakMinute: number | null;
  readonly peakNotional: number;
}

/** Time profile of per-bar liquidations (bars of `barSeconds`). */
export function timeProfile(time: readonly number[], perBar: readonly number[], barSeconds: number): TimeProfile {
  const total = perBar.reduce((s, v) => s + v, 0);
  const k = Math.max(1, Math.round(2400 / barSeconds));
  let best = 0;
  let bestFrom: number | null = null;
  let run = 0;
  let peak = 0;
  let peakAt: number | null = null;
  for (let i = 0; i < perBar.length; i++) {
    run += perBar[i]!;
    if (i >= k) run -= perBar[i - k]!;
    if (run > best) {
      best = run;
      bestFrom = time[Math.max(0, i - k + 1)]!;
    }
    if (perBar[i]! > peak) {
      peak = perBar[i]!;
      peakAt = time[i]!;
    }
  }
  return { shareWithin40Minutes: total > 0 ? best / total : 0, best40From: bestFrom, peakMinute: peakAt, peakNotional: peak };
}

/** Replay one event at unit size; the raw engine result (for storing as a run) and its window. */
export function replayEvent(e: EventCandles, p: PopulationParameters, rules: readonly VenueRules[], seed: number, extra?: Partial<import('./index').ReplayScenario>): Result<ReplayResult> {
  const population = unitPopulation(e, p);
  if (population.lookbackBars < 1 || population.lookbackBars >= e.candles.time.length) return fail('invalid_input', `${e.event.id}: the candles do not cover the look-back and the window`, 'candles');
  return runReplay({
    candles: e.candles,
    scenario: { venue: e.event.venue, symbol: 'BTCUSDT', impact: { model: 'none' }, population, ...markOf(p), ...extra },
    rules,
    seed,
  });
}

/** Estimate one event's liquidations with the given parameters. */
export function estimateEvent(e: EventCandles, p: PopulationParameters, kappa: Kappa, rules: readonly VenueRules[], seed = 1): Result<EventEstimate> {
  const r = replayEvent(e, p, rules, seed);
  if (!r.ok) return r;
  const res = r.value;
  const oi = openInterestFor(e, kappa);
  const unit = unitPopulation(e, p).openInterest;
  const scale = (oi.usd * p.leveragedShare) / unit;
  return ok(summariseWindow(e, res, scale, oi));
}

/** Cut a replay's series to the event's [from, to) window and scale it. */
export function summariseWindow(e: EventCandles, res: ReplayResult, scale: number, oi: OpenInterestUsed): EventEstimate {
  const from = isoSeconds(e.event.from);
  const to = isoSeconds(e.event.to);
  const s = res.steps;
  const out = { time: [] as number[], close: [] as number[], low: [] as number[], long: [] as number[], short: [] as number[] };
  let long = 0;
  let short = 0;
  let low = Number.POSITIVE_INFINITY;
  let first = Number.NaN;
  for (let k = 0; k < s.time.length; k++) {
    const t = s.time[k]!;
    if (t < from || t >= to) continue;
    const l = s.liquidatedNotionalLong[k]! * scale;
    const sh = s.liquidatedNotionalShort[k]! * scale;
    if (Number.isNaN(first)) first = e.candles.open[res.firstBar + k]!;
    const barLow = e.candles.low[res.firstBar + k]!;
    if (barLow < low) low = barLow;
    out.time.push(t);
    out.close.push(s.exogenousClose[k]!);
    out.low.push(barLow);
    out.long.push(l);
    out.short.push(sh);
    long += l;
    short += sh;
  }
  const total = long + short;
  const perBar = out.long.map((v, i) => v + out.short[i]!);
  return {
    id: e.event.id,
    openInterest: oi,
    scale,
    estimated: { total, long, short, longShare: total > 0 ? long / total : null },
    series: out,
    profile: timeProfile(out.time, perBar, res.barSeconds),
    priceMove: { first, low, drawdown: first > 0 ? low / first - 1 : 0 },
    populationPositions: res.population?.positions ?? 0,
  };
}

/** Estimated vs observed for one event. */
export interface EventComparison {
  readonly id: string;
  readonly title: string;
  readonly sample: 'in' | 'out';
  readonly observed: ValidationEvent['observed'];
  readonly observedProfile: ValidationEvent['timeProfile'];
  readonly estimate: EventEstimate;
  /** estimated / observed BTC notional. */
  readonly ratio: number;
  readonly within2x: boolean;
  /** Estimated long share − observed long share (null when not reported). */
  readonly longShareGap: number | null;
}

export function compareEvent(e: ValidationEvent, est: EventEstimate, inSample: boolean): EventComparison {
  const ratio = est.estimated.total / e.observed.btcNotional;
  return {
    id: e.id,
    title: e.title,
    sample: inSample ? 'in' : 'out',
    observed: e.observed,
    observedProfile: e.timeProfile,
    estimate: est,
    ratio,
    within2x: ratio >= 0.5 && ratio <= 2,
    longShareGap: e.observed.longShare !== null && est.estimated.longShare !== null ? est.estimated.longShare - e.observed.longShare : null,
  };
}

/** Calibration grid and result. */
export interface Calibration {
  readonly inSample: readonly string[];
  readonly outOfSample: readonly string[];
  /** Points tried (leverage scale × mean age × reaction × inflow × mark); for each the best leveraged share (closed form) and its log error. */
  readonly grid: readonly GridPoint[];
  readonly parameters: PopulationParameters;
}

/** One point of the calibration grid. */
export interface GridPoint {
  readonly leverageScale: number;
  readonly meanAgeDays: number | null;
  readonly reactionMinutes: number | null;
  readonly inflow: boolean;
  readonly markWick: number;
  readonly leveragedShare: number;
  readonly rmsLogError: number;
}

/** The calibration grid: what is fitted, and the values tried. */
export interface CalibrationGrid {
  readonly leverageScale: readonly number[];
  readonly meanAgeDays: readonly (number | null)[];
  readonly reactionMinutes: readonly (number | null)[];
  readonly inflow: readonly boolean[];
  /**
   * Mark models tried, as wick shares (PopulationParameters.markWick). Two values to keep the grid's
   * cost at twice the old one: the two ends of what the venue's documented mark can do with a wick
   * of the replayed venue (1: all of it reaches the mark; 0: none, the mark follows the 1m closes).
   * Where in between a given crash sat is not in our data, so no middle value is fitted. Absent: [1].
   */
  readonly markWick?: readonly number[];
}

export const CALIBRATION_GRID: CalibrationGrid = {
  leverageScale: [0.5, 1, 2],
  meanAgeDays: [null, 7, 30, 90],
  reactionMinutes: [null, 15, 60, 240],
  inflow: [false, true],
  markWick: [1, 0],
};

/** Points of a calibration grid. */
export function gridPoints(grid: CalibrationGrid): number {
  return grid.leverageScale.length * grid.meanAgeDays.length * grid.reactionMinutes.length * grid.inflow.length * (grid.markWick ?? [1]).length;
}

/**
 * Fit the shared parameters on the in-sample events: for each point of the grid (leverage scale ×
 * mean age × reaction time × inflow × mark model), the leveraged share that makes the geometric-mean ratio 1 (closed
 * form: with impact off, liquidations are linear in it), then the point with the smallest RMS log
 * error. Share capped at 1. Out-of-sample events play no part.
 */
export function calibrate(
  events: readonly EventCandles[],
  inSample: readonly string[],
  base: PopulationParameters,
  kappa: Kappa,
  rules: readonly VenueRules[],
  gridSpec: CalibrationGrid = CALIBRATION_GRID,
  onStep?: () => boolean | void,
): Result<Calibration> {
  const fit = events.filter((e) => inSample.includes(e.event.id));
  if (fit.length === 0) return fail('invalid_input', 'no in-sample events to calibrate on', 'inSample');
  const grid: GridPoint[] = [];
  for (const leverageScale of gridSpec.leverageScale)
    for (const meanAgeDays of gridSpec.meanAgeDays)
      for (const reactionMinutes of gridSpec.reactionMinutes)
        for (const inflow of gridSpec.inflow)
          for (const markWick of gridSpec.markWick ?? [1]) {
          const unitParams = { ...base, leverageScale, meanAgeDays, reactionMinutes, inflow, markWick, leveragedShare: 1 };
          const logs: number[] = [];
          for (const e of fit) {
            const est = estimateEvent(e, unitParams, kappa, rules);
            if (!est.ok) return est;
            if (onStep?.() === true) return fail('cancelled', 'calibration cancelled');
            const t = est.value.estimated.total;
            logs.push(t > 0 ? Math.log(e.event.observed.btcNotional / t) : Number.POSITIVE_INFINITY);
          }
          const finite = logs.every(Number.isFinite);
          const mean = finite ? logs.reduce((s, v) => s + v, 0) / logs.length : Number.POSITIVE_INFINITY;
          const share = Math.min(1, Math.exp(mean));
          const logShare = Math.log(share);
          const rms = finite ? Math.sqrt(logs.reduce((s, v) => s + (v - logShare) ** 2, 0) / logs.length) : Number.POSITIVE_INFINITY;
          grid.push({ leverageScale, meanAgeDays, reactionMinutes, inflow, markWick, leveragedShare: share, rmsLogError: rms });
          }
  const best = grid.reduce((a, b) => (b.rmsLogError < a.rmsLogError ? b : a));
  return ok({
    inSample: fit.map((e) => e.event.id),
    outOfSample: events.filter((e) => !inSample.includes(e.event.id)).map((e) => e.event.id),
    grid,
    parameters: { ...base, leverageScale: best.leverageScale, meanAgeDays: best.meanAgeDays, reactionMinutes: best.reactionMinutes, inflow: best.inflow, markWick: best.markWick, leveragedShare: best.leveragedShare },
  });
}

/** The whole report. */
export interface ValidationReport {
  readonly parameters: PopulationParameters;
  readonly calibration: Calibration | null;
  readonly kappa: Kappa;
  readonly events: readonly EventComparison[];
  readonly score: { readonly within2x: number; readonly within2xOutOfSample: number; readonly events: number; readonly target: string; readonly met: boolean };
}

/**
 * Validate: calibrate (unless `fixed` parameters are given), estimate every event, compare.
 * `onStep` is called after every replay; returning true cancels.
 */
export function validate(
  events: readonly EventCandles[],
  inSample: readonly string[],
  rules: readonly VenueRules[],
  options: { fixed?: PopulationParameters; base?: PopulationParameters; onStep?: () => boolean | void } = {},
): Result<ValidationReport> {
  const kappa = openInterestRatios(events);
  let calibration: Calibration | null = null;
  let parameters = options.fixed;
  if (!parameters) {
    const c = calibrate(events, inSample, options.base ?? DEFAULT_PARAMETERS, kappa, rules, CALIBRATION_GRID, options.onStep);
    if (!c.ok) return c;
    calibration = c.value;
    parameters = c.value.parameters;
  }
  const out: EventComparison[] = [];
  for (const e of events) {
    const est = estimateEvent(e, parameters, kappa, rules);
    if (!est.ok) return est;
    if (options.onStep?.() === true) return fail('cancelled', 'validation cancelled');
    out.push(compareEvent(e.event, est.value, inSample.includes(e.event.id)));
  }
  const within = out.filter((c) => c.within2x).length;
  const withinOut = out.filter((c) => c.within2x && c.sample === 'out').length;
  return ok({
    parameters,
    calibration,
    kappa,
    events: out,
    score: { within2x: within, within2xOutOfSample: withinOut, events: out.length, target: 'within 2× for ≥ 4 of 6, ≥ 2 of them out of sample', met: within >= 4 && withinOut >= 2 },
  });
}

/** Cut candles to [lookbackFrom, to) of an event (views, no copy). */
export function eventWindow(all: CandleColumns, event: ValidationEvent): EventCandles {
  const a = barIndexAt(all.time, isoSeconds(event.lookbackFrom));
  const b = barIndexAt(all.time, isoSeconds(event.to));
  return { event, candles: sliceCandles(all, a, b) };
}

/** One alternative calibration: which events it was fitted on, what it found, and the ratios it gives. */
export interface SplitResult {
  readonly inSample: readonly string[];
  readonly parameters: PopulationParameters;
  readonly ratios: readonly { readonly id: string; readonly sample: 'in' | 'out'; readonly ratio: number; readonly within2x: boolean }[];
  readonly within2x: number;
  readonly within2xOutOfSample: number;
}

/**
 * How much the result depends on which events are fitted: the reverse chronological split (fit
 * on the events the catalog keeps out of sample) and leave-one-out (each event predicted by a
 * calibration on the five others). Every split recalibrates the whole grid.
 */
export interface Robustness {
  readonly reverse: SplitResult;
  readonly leaveOneOut: readonly SplitResult[];
  /** Held-out events within 2× under leave-one-out. */
  readonly leaveOneOutWithin2x: number;
  readonly events: number;
}

export function robustness(events: readonly EventCandles[], inSample: readonly string[], rules: readonly VenueRules[], onStep?: () => boolean | void): Result<Robustness> {
  const split = (fit: readonly string[]): Result<SplitResult> => {
    const r = validate(events, fit, rules, onStep ? { onStep } : {});
    if (!r.ok) return r;
    const ratios = r.value.events.map((e) => ({ id: e.id, sample: e.sample, ratio: e.ratio, within2x: e.within2x }));
    return ok({ inSample: [...fit], parameters: r.value.parameters, ratios, within2x: r.value.score.within2x, within2xOutOfSample: r.value.score.within2xOutOfSample });
  };
  const ids = events.map((e) => e.event.id);
  const reverse = split(ids.filter((id) => !inSample.includes(id)));
  if (!reverse.ok) return reverse;
  const loo: SplitResult[] = [];
  for (const held of ids) {
    const s = split(ids.filter((id) => id !== held));
    if (!s.ok) return s;
    loo.push(s.value);
  }
  const within = loo.filter((s) => s.ratios.some((x) => x.sample === 'out' && x.within2x)).length;
  return ok({ reverse: reverse.value, leaveOneOut: loo, leaveOneOutWithin2x: within, events: ids.length });
}

/** Replays `robustness` makes (for progress): per split, the grid on its fitted events plus every event. */
export function robustnessSteps(events: number, inSample: number, grid: CalibrationGrid = CALIBRATION_GRID): number {
  const points = gridPoints(grid);
  return points * (events - inSample) + events + events * (points * (events - 1) + events);
}
