/**
 * Liquidation-mechanism design lab (issue 9): the same estimated population replayed under
 * alternative liquidation mechanisms, with price impact on, and the outcomes side by side.
 *
 * Mechanisms the cascade has natively (passed through the scenario): per-bar liquidation caps,
 * circuit breakers, insurance-fund size, ADL vs socialised loss. Two are added here without
 * touching the cascade:
 * - partial liquidation in slices: each population position becomes `slices` static positions of
 *   `sliceFraction` of its size whose trigger prices are the successive liquidation prices of the
 *   remainder after the earlier slices (each slice's realised PnL stays in the margin, so the
 *   remainder's liquidation price moves away). The cooldown between slices is NOT modelled for the
 *   static book (a slice fires as soon as the price reaches it).
 * - Dutch-auction style gradual sales: the forced order is sold evenly over `auctionMinutes`
 *   instead of at once. With transient impact decaying at half-life τ and a permanent share φ,
 *   spreading an order over D leaves a peak impact of φ + (1−φ)·(1 − 2^(−x))/(x·ln 2) of the
 *   immediate one (x = D/τ), so the book is deepened by the inverse of that factor. Auction
 *   discounts paid to bidders are not modelled.
 *
 * Everything runs at the unit size of validation.ts and is scaled to market size: depth, caps and
 * funds are divided by the scale going in; notionals, bad debt, fund drawdown and ADL multiplied
 * coming out (exact for linear impact, which is scale-free in V/depth).
 */
import type { CandleColumns } from './candles';
import { runReplay, type ReplayResult, type ReplayScenario } from './index';
import type { ResilienceSpec } from './impact';
import { estimatePopulation } from './population';
import { isolatedLinearLiquidationPrice, type StaticBookInput } from './position-book';
import { fail, ok, type Result } from './result';
import { selectRules, type SymbolRules, type VenueRules } from './venue-rules';
import { barIndexAt, markOf, openInterestFor, unitPopulation, type EventCandles, type Kappa, type OpenInterestUsed, type PopulationParameters } from './validation';

/** One mechanism (plain data; stored with the results). Money in USD at market size. */
export interface MechanismSpec {
  readonly id: string;
  readonly label: string;
  /** Partial liquidation: slices of this fraction of the original size (e.g. 0.2 → 5 slices). */
  readonly sliceFraction?: number;
  /** Stated for the record; not modelled for the static book (see the module comment). */
  readonly cooldownSeconds?: number;
  /** Most notional liquidated per bar, as a share of open interest. */
  readonly perStepCapShareOfOI?: number;
  readonly circuitBreaker?: { readonly thresholdPct: number; readonly windowMinutes: number; readonly haltMinutes: number };
  /** Insurance fund at the start, USD. */
  readonly insuranceFundUsd: number;
  readonly shortfall: 'adl' | 'socialised';
  /** Gradual (Dutch-auction style) sale of each forced order over this many minutes. */
  readonly auctionMinutes?: number;
}

/** The default set of mechanisms compared (baseline first). */
export const DEFAULT_MECHANISMS: readonly MechanismSpec[] = [
  { id: 'baseline', label: 'Full liquidation, $100M fund, ADL', insuranceFundUsd: 100e6, shortfall: 'adl' },
  { id: 'partial-20', label: 'Partial: 20% slices (cooldown 30 s)', sliceFraction: 0.2, cooldownSeconds: 30, insuranceFundUsd: 100e6, shortfall: 'adl' },
  { id: 'cap-0.05', label: 'Per-minute cap 0.05% of OI', perStepCapShareOfOI: 0.0005, insuranceFundUsd: 100e6, shortfall: 'adl' },
  { id: 'cap-0.2', label: 'Per-minute cap 0.2% of OI', perStepCapShareOfOI: 0.002, insuranceFundUsd: 100e6, shortfall: 'adl' },
  { id: 'breaker-5-5-15', label: 'Halt at −5% over 5 min for 15 min', circuitBreaker: { thresholdPct: 5, windowMinutes: 5, haltMinutes: 15 }, insuranceFundUsd: 100e6, shortfall: 'adl' },
  { id: 'breaker-10-15-30', label: 'Halt at −10% over 15 min for 30 min', circuitBreaker: { thresholdPct: 10, windowMinutes: 15, haltMinutes: 30 }, insuranceFundUsd: 100e6, shortfall: 'adl' },
  { id: 'fund-0', label: 'No insurance fund, ADL', insuranceFundUsd: 0, shortfall: 'adl' },
  { id: 'fund-1b', label: '$1B insurance fund, ADL', insuranceFundUsd: 1e9, shortfall: 'adl' },
  { id: 'socialised', label: '$100M fund, socialised loss', insuranceFundUsd: 100e6, shortfall: 'socialised' },
  { id: 'auction-10', label: 'Dutch auction over 10 min', auctionMinutes: 10, insuranceFundUsd: 100e6, shortfall: 'adl' },
  { id: 'auction-30', label: 'Dutch auction over 30 min', auctionMinutes: 30, insuranceFundUsd: 100e6, shortfall: 'adl' },
];

/** Resilience used by the lab (the engine's default). */
export const LAB_RESILIENCE: ResilienceSpec = { halfLifeSeconds: 300, permanentShare: 0.5 };

/** Peak impact of an order sold evenly over `seconds`, relative to selling it at once. */
export function gradualImpactFactor(seconds: number, resilience: ResilienceSpec): number {
  const phi = resilience.permanentShare;
  const h = resilience.halfLifeSeconds;
  if (!(seconds > 0) || !(h > 0)) return 1;
  const x = seconds / h;
  return phi + (1 - phi) * ((1 - Math.pow(2, -x)) / (x * Math.LN2));
}

/** Market depth of an event (USD per 1% move): from the catalog, at the first replayed bar. */
export function eventDepth(e: EventCandles): number {
  const d = e.event.depth;
  if (d.usdAt1Pct !== undefined) return d.usdAt1Pct;
  const start = barIndexAt(e.candles.time, Date.parse(e.event.from) / 1000);
  return ((d.btcAt2Pct ?? 0) / 2) * e.candles.open[start]!;
}

/**
 * Split isolated linear positions into slices whose triggers are the successive liquidation prices
 * of the remainder (see the module comment). Slices at or past bankruptcy are merged into the last.
 */
export function sliceBook(book: StaticBookInput, rules: SymbolRules, sliceFraction: number): StaticBookInput {
  const slices = Math.max(1, Math.round(1 / sliceFraction));
  const n = book.side.length;
  const floors = Float64Array.from(rules.brackets, (b) => b.floor);
  const caps = Float64Array.from(rules.brackets, (b) => b.cap);
  const mmrs = Float64Array.from(rules.brackets, (b) => b.mmr);
  const cums = Float64Array.from(rules.brackets, (b) => b.cum);
  const out = { side: new Int8Array(n * slices), qty: new Float64Array(n * slices), entry: new Float64Array(n * slices), margin: new Float64Array(n * slices), bucket: new Int32Array(n * slices) };
  let k = 0;
  for (let i = 0; i < n; i++) {
    const s = book.side[i]!;
    const q = book.qty[i]!;
    const e = book.entry[i]!;
    let m = book.margin[i]!;
    let left = q;
    for (let j = 0; j < slices && left > 1e-15 * q; j++) {
      const last = j === slices - 1;
      const sliceQty = last ? left : Math.min(left, q / slices);
      const lp = isolatedLinearLiquidationPrice(floors, caps, mmrs, cums, s, left, e, m);
      // Margin that gives this slice alone the same trigger (tier of the slice's notional).
      const tier = tierIndex(floors, caps, sliceQty * lp);
      const sliceMargin = lp * (sliceQty * mmrs[tier]! - s * sliceQty) - cums[tier]! + s * sliceQty * e;
      const pnl = s * sliceQty * (lp - e);
      const nextMargin = m + pnl;
      const mmRest = (left - sliceQty) * lp * mmrs[tierIndex(floors, caps, (left - sliceQty) * lp)]!;
      const bankruptAfter = !last && !(nextMargin > mmRest);
      const finalQty = bankruptAfter ? left : sliceQty;
      out.side[k] = s;
      out.qty[k] = finalQty;
      out.entry[k] = e;
      out.margin[k] = bankruptAfter ? m : Math.max(sliceMargin, 0);
      out.bucket[k] = book.bucket ? book.bucket[i]! : -1;
      k++;
      if (bankruptAfter) break;
      m = nextMargin;
      left -= sliceQty;
    }
  }
  return { side: out.side.slice(0, k), qty: out.qty.slice(0, k), entry: out.entry.slice(0, k), margin: out.margin.slice(0, k), bucket: out.bucket.slice(0, k) };
}

function tierIndex(floors: Float64Array, caps: Float64Array, notionalValue: number): number {
  for (let k = 0; k < floors.length; k++) if (notionalValue < caps[k]! || k === floors.length - 1) return k;
  return floors.length - 1;
}

/** Outcome of one (event, mechanism) cell, at market size. */
export interface MechanismOutcome {
  readonly eventId: string;
  readonly mechanismId: string;
  /**
   * Worst effective move / worst exogenous move over the event window: the largest |price/first − 1|
   * of the effective (with impact) and of the exogenous path the cell was replayed on, whichever
   * direction (a short squeeze that the cascade runs away with counts as much as a crash). In the
   * lab the exogenous path is the de-impacted one (`deimpactEvent`), so the baseline's effective
   * move is the real move and its amplification is real move / de-impacted move.
   */
  readonly amplification: number;
  readonly exogenousMove: number;
  readonly effectiveMove: number;
  readonly liquidatedNotional: number;
  readonly liquidatedLong: number;
  readonly liquidatedShort: number;
  readonly badDebt: number;
  readonly insuranceFundDrawdown: number;
  readonly adlVolume: number;
  readonly halts: number;
}

/** Everything one cell's replay needs, resolved (so a cell can be re-run and stored as a run). */
export interface CellPlan {
  readonly candles: CandleColumns;
  readonly scenario: ReplayScenario;
  readonly book: StaticBookInput;
  readonly bookLabels: readonly string[];
  /** The population's owner reaction (PopulationSpec.reaction), applied to `book`. */
  readonly bookReaction?: { readonly lossShare: number; readonly minutes: number };
  readonly scale: number;
  readonly openInterest: OpenInterestUsed;
  readonly depthUsd: number;
}

/**
 * Resolve one cell: the population at unit size, transformed per mechanism, and the scenario. The
 * population is always estimated from the observed candles; the replay runs on `exogenous` when
 * given (the de-impacted path, see `deimpactEvent`), else on the observed candles themselves.
 */
export function planCell(e: EventCandles, mech: MechanismSpec, p: PopulationParameters, kappa: Kappa, rules: readonly VenueRules[], seed: number, exogenous?: CandleColumns): Result<CellPlan> {
  const cell = cellBook(e, mech, p, rules, seed);
  if (!cell.ok) return cell;
  const { pop, book } = cell.value;
  const start = pop.lookbackBars;
  const oi = openInterestFor(e, kappa);
  const scale = (oi.usd * p.leveragedShare) / pop.openInterest;
  const depthUsd = eventDepth(e);
  const factor = mech.auctionMinutes ? gradualImpactFactor(mech.auctionMinutes * 60, LAB_RESILIENCE) : 1;
  const barMinutes = (e.candles.time[1]! - e.candles.time[0]!) / 60;
  const cb = mech.circuitBreaker;
  const scenario: ReplayScenario = {
    venue: e.event.venue,
    symbol: 'BTCUSDT',
    impact: { model: 'linear', depth1Pct: depthUsd / scale, depthScale: 1 / factor },
    resilience: LAB_RESILIENCE,
    startIndex: start,
    insuranceFund: mech.insuranceFundUsd / scale,
    adl: mech.shortfall,
    ...markOf(p),
    ...(mech.perStepCapShareOfOI !== undefined ? { perStepCap: (mech.perStepCapShareOfOI * oi.usd) / scale } : {}),
    ...(cb ? { circuitBreaker: { threshold: cb.thresholdPct / 100, windowBars: Math.max(1, Math.round(cb.windowMinutes / barMinutes)), haltBars: Math.max(1, Math.round(cb.haltMinutes / barMinutes)) } } : {}),
  };
  return ok({ candles: exogenous ?? e.candles, scenario, book, bookLabels: cell.value.bookLabels, ...(cell.value.pop.reaction ? { bookReaction: cell.value.pop.reaction } : {}), scale, openInterest: oi, depthUsd });
}

/**
 * A cell's population book at unit size: estimated from the observed candles' look-back, sliced
 * for a partial-liquidation mechanism. Exactly what `planCell` replays (the replay screen's
 * liquidation map re-derives it from the event file with this).
 */
export function cellBook(
  e: EventCandles,
  mech: MechanismSpec,
  p: PopulationParameters,
  rules: readonly VenueRules[],
  seed: number,
): Result<{ readonly pop: ReturnType<typeof unitPopulation>; readonly book: StaticBookInput; readonly bookLabels: readonly string[]; readonly symbolRules: SymbolRules }> {
  const pop = unitPopulation(e, p);
  const start = pop.lookbackBars;
  if (start < 1 || start >= e.candles.time.length) return fail('invalid_input', `${e.event.id}: the candles do not cover the look-back and the window`, 'candles');
  const chosen = selectRules(rules, e.event.venue, e.candles.time[start]!);
  if (!chosen.ok) return chosen;
  const symbolRules = chosen.value.symbols.BTCUSDT;
  if (!symbolRules || chosen.value.model !== 'linear') return fail('unknown_symbol', `${e.event.venue} has no linear BTCUSDT rules`, 'venue');
  const estimate = estimatePopulation(e.candles, start, pop, symbolRules, 'linear', seed);
  const book = mech.sliceFraction !== undefined ? sliceBook(estimate.book, symbolRules, mech.sliceFraction) : estimate.book;
  return ok({ pop, book, bookLabels: estimate.bucketLabels, symbolRules });
}

/** Replay a planned cell (the raw result, at unit size). */
export function replayCell(plan: CellPlan, rules: readonly VenueRules[], seed: number): Result<ReplayResult> {
  return runReplay({ candles: plan.candles, book: plan.book, bookLabels: plan.bookLabels, ...(plan.bookReaction ? { bookReaction: plan.bookReaction } : {}), scenario: plan.scenario, rules, seed });
}

/** Market-size outcome of a cell's replay over the event's [from, to) window. */
export function cellOutcome(e: EventCandles, mech: MechanismSpec, plan: CellPlan, res: ReplayResult): MechanismOutcome {
  const from = Date.parse(e.event.from) / 1000;
  const to = Date.parse(e.event.to) / 1000;
  const s = res.steps;
  // The exogenous path the cell was replayed on (the de-impacted path in the lab).
  const x = plan.candles;
  let first = Number.NaN;
  let exoLow = Number.POSITIVE_INFINITY;
  let effLow = Number.POSITIVE_INFINITY;
  let exoHigh = Number.NEGATIVE_INFINITY;
  let effHigh = Number.NEGATIVE_INFINITY;
  let long = 0;
  let short = 0;
  let adl = 0;
  let halts = 0;
  let fundMin = plan.scenario.insuranceFund ?? 0;
  let badStart = Number.NaN;
  let badEnd = 0;
  for (let k = 0; k < s.time.length; k++) {
    const t = s.time[k]!;
    if (t < from || t >= to) continue;
    if (Number.isNaN(first)) {
      first = x.open[res.firstBar + k]!;
      badStart = k > 0 ? s.badDebt[k - 1]! : 0;
    }
    exoLow = Math.min(exoLow, x.low[res.firstBar + k]!);
    effLow = Math.min(effLow, s.effectiveLow[k]!);
    exoHigh = Math.max(exoHigh, x.high[res.firstBar + k]!);
    effHigh = Math.max(effHigh, s.effectiveHigh[k]!);
    long += s.liquidatedNotionalLong[k]!;
    short += s.liquidatedNotionalShort[k]!;
    adl += s.adlVolume[k]!;
    fundMin = Math.min(fundMin, s.insuranceFund[k]!);
    badEnd = s.badDebt[k]!;
  }
  for (const ev of res.events) if (ev.kind === 'halt' && ev.time >= from && ev.time < to) halts++;
  const worst = (low: number, high: number): number => {
    if (!(first > 0)) return 0;
    const down = low / first - 1;
    const up = high / first - 1;
    return Math.abs(up) > Math.abs(down) ? up : down;
  };
  const exogenousMove = worst(exoLow, exoHigh);
  const effectiveMove = worst(effLow, effHigh);
  const k = plan.scale;
  return {
    eventId: e.event.id,
    mechanismId: mech.id,
    amplification: exogenousMove !== 0 ? Math.abs(effectiveMove) / Math.abs(exogenousMove) : 1,
    exogenousMove,
    effectiveMove,
    liquidatedNotional: (long + short) * k,
    liquidatedLong: long * k,
    liquidatedShort: short * k,
    badDebt: (badEnd - (Number.isNaN(badStart) ? 0 : badStart)) * k,
    insuranceFundDrawdown: Math.max(0, (plan.scenario.insuranceFund ?? 0) - fundMin) * k,
    adlVolume: adl * k,
    halts,
  };
}

/** Bounds of the de-impacting fixed point (stored with the matrix). */
export const DEIMPACT_MAX_ITERATIONS = 40;
/** Convergence: every replayed bar's baseline effective close within this log distance of the observed close (0.01%). */
export const DEIMPACT_TOLERANCE = 1e-4;
/** Smallest damping tried before giving up. */
const DEIMPACT_MIN_DAMPING = 1 / 64;

/** How the exogenous path of an event was obtained (stored with the matrix, per event). */
export interface DeimpactInfo {
  readonly method: 'baseline-fixed-point';
  /** Replays of the baseline evaluated (each iteration is one). */
  readonly iterations: number;
  /** max over replayed bars of |ln(baseline effective close / observed close)| on the path used. */
  readonly residual: number;
  readonly tolerance: number;
  readonly converged: boolean;
  /** Damping α in force when the iteration stopped (1 = undamped). */
  readonly damping: number;
}

/**
 * De-impact an observed path: find the exogenous path X whose replay under the baseline mechanism
 * (impact on) has effective closes equal to the observed closes O, bar by bar from `start`.
 *
 * `effectiveCloses(X)` replays X and returns the effective close of every bar from `start`. Since
 * the effective price is X times the impact multiplier M carried so far, the fixed point is
 * X_close = O_close / M_close(X): the observed path with the baseline cascade's own impact taken
 * out. Iteration (per bar, in log space, applied to the whole candle — open, high, low and close
 * scaled by the same factor, so every candle stays consistent; bars before `start` untouched):
 *   X_{j+1} = X_best · (O / E_best)^α,
 * where X_best is the iterate with the smallest residual so far and E_best its effective closes.
 * α starts at 1 (the plain X·O/E step) and is halved whenever an iterate does not improve the
 * residual (liquidations trigger at thresholds, so M is piecewise and an undamped step can
 * overshoot). Stops when the residual is within `tolerance`, after `maxIterations` replays, or when
 * α falls below 1/64. Returns the best iterate found and says whether it converged; a path that did
 * not converge is returned flagged, never silently. Pure and deterministic.
 */
export function deimpactPath(
  observed: CandleColumns,
  start: number,
  effectiveCloses: (x: CandleColumns) => Result<ArrayLike<number>>,
  options: { readonly maxIterations?: number; readonly tolerance?: number } = {},
): Result<{ readonly candles: CandleColumns; readonly info: DeimpactInfo }> {
  const maxIterations = options.maxIterations ?? DEIMPACT_MAX_ITERATIONS;
  const tolerance = options.tolerance ?? DEIMPACT_TOLERANCE;
  const n = observed.time.length;
  const m = n - start;
  let x: CandleColumns = observed;
  let best: { x: CandleColumns; logErr: Float64Array; residual: number } | undefined;
  let alpha = 1;
  let iterations = 0;
  while (iterations < maxIterations) {
    const eff = effectiveCloses(x);
    if (!eff.ok) return eff;
    iterations++;
    const logErr = new Float64Array(m);
    let residual = 0;
    for (let k = 0; k < m; k++) {
      const e = eff.value[k];
      const d = e !== undefined && e > 0 ? Math.log(observed.close[start + k]! / e) : Number.NaN;
      logErr[k] = d;
      residual = Number.isFinite(d) ? Math.max(residual, Math.abs(d)) : Number.POSITIVE_INFINITY;
    }
    if (!best || residual < best.residual) best = { x, logErr, residual };
    else alpha /= 2;
    if (best.residual <= tolerance || !Number.isFinite(best.residual) || alpha < DEIMPACT_MIN_DAMPING) break;
    const from = best.x;
    const next = { time: from.time, open: Float64Array.from(from.open), high: Float64Array.from(from.high), low: Float64Array.from(from.low), close: Float64Array.from(from.close), volume: from.volume };
    for (let k = 0; k < m; k++) {
      const f = Math.exp(alpha * best.logErr[k]!);
      const i = start + k;
      next.open[i]! *= f;
      next.high[i]! *= f;
      next.low[i]! *= f;
      next.close[i]! *= f;
    }
    x = next;
  }
  const b = best!;
  return ok({ candles: b.x, info: { method: 'baseline-fixed-point', iterations, residual: b.residual, tolerance, converged: b.residual <= tolerance, damping: alpha } });
}

/** De-impact an event's observed path against the baseline mechanism (see `deimpactPath`). */
export function deimpactEvent(
  e: EventCandles,
  baseline: MechanismSpec,
  p: PopulationParameters,
  kappa: Kappa,
  rules: readonly VenueRules[],
  seed: number,
  options: { readonly maxIterations?: number; readonly tolerance?: number } = {},
): Result<{ readonly candles: CandleColumns; readonly info: DeimpactInfo }> {
  const probe = planCell(e, baseline, p, kappa, rules, seed);
  if (!probe.ok) return probe;
  const start = probe.value.scenario.startIndex ?? 0;
  return deimpactPath(
    e.candles,
    start,
    (x) => {
      const r = replayCell({ ...probe.value, candles: x }, rules, seed);
      if (!r.ok) return r;
      const closes = new Float64Array(x.time.length - start);
      // Bars from `start`; the replay's steps begin at its first bar.
      for (let k = 0; k < closes.length; k++) closes[k] = r.value.steps.effectiveClose[start - r.value.firstBar + k] ?? Number.NaN;
      return ok(closes);
    },
    options,
  );
}

/** The baseline a list of mechanisms is de-impacted against: the one with id 'baseline', else the first. */
export function baselineOf(mechanisms: readonly MechanismSpec[]): MechanismSpec {
  return mechanisms.find((m) => m.id === 'baseline') ?? mechanisms[0] ?? DEFAULT_MECHANISMS[0]!;
}

/** The design matrix: one outcome per (event, mechanism). */
export interface DesignMatrix {
  readonly mechanisms: readonly MechanismSpec[];
  readonly events: readonly { readonly id: string; readonly title: string; readonly openInterest: OpenInterestUsed; readonly depthUsd: number; readonly scale: number; readonly exogenousPath: DeimpactInfo }[];
  readonly cells: readonly MechanismOutcome[];
  /** Every event's reported resting depth was multiplied by this (see {@link calibrateDepth}). */
  readonly depthMultiplier: number;
}

/** Multipliers of the reported resting depth tried by {@link calibrateDepth}. */
export const DEPTH_MULTIPLIERS = [1, 2, 3, 5, 10, 20, 30, 50, 100] as const;

/** An event with its depth multiplied by `k` (the catalog figure stays the source). */
export function withDepth(e: EventCandles, k: number): EventCandles {
  if (k === 1) return e;
  return { event: { ...e.event, depth: { usdAt1Pct: eventDepth(e) * k, source: `${k} × ${e.event.depth.source}` } }, candles: e.candles };
}

/** How the lab's depth was chosen: per multiplier, which in-sample events' paths de-impact. */
export interface DepthCalibration {
  readonly inSample: readonly string[];
  readonly grid: readonly { readonly multiplier: number; readonly residuals: Readonly<Record<string, number>>; readonly converged: readonly string[] }[];
  /** The smallest multiplier at which every in-sample event converges; the largest tried when none does. */
  readonly multiplier: number;
  readonly met: boolean;
}

/**
 * Joint calibration of depth with the (already fitted) population: the smallest multiplier k of
 * the reported resting depth at which the baseline can reproduce every in-sample event's observed
 * closes, i.e. at which the de-impacting fixed point converges. At k = 1 the model's cascade is
 * too violent for the real paths (the fixed point pins); out-of-sample events play no part.
 */
export function calibrateDepth(
  events: readonly EventCandles[],
  inSample: readonly string[],
  baseline: MechanismSpec,
  p: PopulationParameters,
  kappa: Kappa,
  rules: readonly VenueRules[],
  seed: number,
  multipliers: readonly number[] = DEPTH_MULTIPLIERS,
  onStep?: () => boolean | void,
): Result<DepthCalibration> {
  const fit = events.filter((e) => inSample.includes(e.event.id));
  if (fit.length === 0) return fail('invalid_input', 'no in-sample events to calibrate depth on', 'inSample');
  const grid: DepthCalibration['grid'][number][] = [];
  for (const k of multipliers) {
    const residuals: Record<string, number> = {};
    const converged: string[] = [];
    for (const e of fit) {
      const x = deimpactEvent(withDepth(e, k), baseline, p, kappa, rules, seed);
      if (!x.ok) return x;
      if (onStep?.() === true) return fail('cancelled', 'depth calibration cancelled');
      residuals[e.event.id] = x.value.info.residual;
      if (x.value.info.converged) converged.push(e.event.id);
    }
    grid.push({ multiplier: k, residuals, converged });
    if (converged.length === fit.length) return ok({ inSample: fit.map((e) => e.event.id), grid, multiplier: k, met: true });
  }
  return ok({ inSample: fit.map((e) => e.event.id), grid, multiplier: multipliers[multipliers.length - 1] ?? 1, met: false });
}

/**
 * Run every event under every mechanism, with every event's depth multiplied by `depthMultiplier`.
 * `onStep` after each cell; returning true cancels.
 */
export function runDesignLab(
  events: readonly EventCandles[],
  mechanisms: readonly MechanismSpec[],
  p: PopulationParameters,
  kappa: Kappa,
  rules: readonly VenueRules[],
  seed: number,
  onStep?: (done: number, total: number) => boolean | void,
  depthMultiplier = 1,
): Result<DesignMatrix> {
  const cells: MechanismOutcome[] = [];
  const evs: DesignMatrix['events'][number][] = [];
  const total = events.length * mechanisms.length;
  const baseline = baselineOf(mechanisms);
  for (const e0 of events) {
    const e = withDepth(e0, depthMultiplier);
    let meta: DesignMatrix['events'][number] | undefined;
    // The observed path already holds the real cascade's impact: replay every mechanism on the
    // de-impacted path instead, so the baseline reproduces the real crash and the rest are counterfactuals.
    const x = deimpactEvent(e, baseline, p, kappa, rules, seed);
    if (!x.ok) return x;
    for (const m of mechanisms) {
      const plan = planCell(e, m, p, kappa, rules, seed, x.value.candles);
      if (!plan.ok) return plan;
      meta ??= { id: e.event.id, title: e.event.title, openInterest: plan.value.openInterest, depthUsd: plan.value.depthUsd, scale: plan.value.scale, exogenousPath: x.value.info };
      const r = replayCell(plan.value, rules, seed);
      if (!r.ok) return r;
      cells.push(cellOutcome(e, m, plan.value, r.value));
      if (onStep?.(cells.length, total) === true) return fail('cancelled', 'design lab cancelled');
    }
    if (meta) evs.push(meta);
  }
  return ok({ mechanisms, events: evs, cells, depthMultiplier });
}
