/**
 * The cascade (DESIGN.md §3.3): candles walked along their intrabar path; at each point, rounds of
 * liquidation → fill from the impact model → insurance fund / ADL / bad debt → new effective price,
 * until nothing new crosses. A circuit breaker and a per-bar liquidation cap throttle the loop.
 *
 * Two kinds of positions take part:
 * - the static book (typed arrays, sorted once; isolated positions liquidated whole; events
 *   aggregated per bar, round, bucket and side) — the estimated market population or a large book;
 * - dynamic positions (the user's portfolio: isolated, cross accounts netted per symbol, lending
 *   borrowers), checked against cached trigger prices at each point and re-evaluated only when they
 *   change (a slice, a partial lending liquidation); they get one event each.
 *
 * Fill convention: a position triggers at t = its liquidation price if the price passed through it,
 * or the segment's worse end on a gap; the round's net forced notional is executed through the
 * impact model from the current effective price p, and each position fills at t·averageFill. With
 * impact 'none' every fill is exactly t, which is what a plain threshold scan gives.
 */
import type { CandleColumns } from './candles';
import { PATH_POINTS, PATH_TIMES, intrabarPath, markPath } from './candles';
import { createImpactModel, ImpactState, type ImpactModel, type ImpactSpec, type ResilienceSpec } from './impact';
import { emptyLedger, ledgerImbalance, type Ledger } from './ledger';
import type { StaticBook, BookSide } from './position-book';
import type { LendingAssetRules, LendingRules, LiquidationPolicy, SymbolRules } from './venue-rules';
import { liquidationPrice, marginCallPrice, bankruptcyPrice, maintenanceMargin } from './linear-margin';
import { inverseBankruptcyPrice, inverseLiquidationPrice } from './inverse-margin';
import { hyperliquidLiquidationKind } from './hyperliquid-margin';
import { healthFactor, lendingLiquidationPrice, liquidateLending } from './lending';
import { argsortFloat64 } from './radix-sort';
import { CohortBuilder, CohortHeap, survivalPrefix, type Cohort, type InflowConfig } from './inflow';
import { bracketColumns } from './position-book';
import { OpenMapTracker, type MapGrid, type OpenMap } from './open-map';
import { notional, price, qty, type SideSign } from './units';

/** What kind of thing happened. */
export type EventKind = 'margin_call' | 'liquidation' | 'partial_liquidation' | 'adl' | 'halt';

/** One event of a run (plain data). */
export interface CascadeEvent {
  /** UTC seconds of the path point (aggregated book events: the bar's open time). */
  readonly time: number;
  readonly kind: EventKind;
  /** Portfolio position id (dynamic positions). */
  readonly positionId?: string;
  /** Book bucket label (aggregated events of the estimated population / static book). */
  readonly bucket?: string;
  readonly side?: 'long' | 'short';
  /** Fill price (average over the aggregate), or the effective price for margin calls and halts. */
  readonly price: number;
  /** Quote notional closed (qty·fill; contracts for inverse). */
  readonly notional: number;
  /** Realised PnL of the closed part at the fill, in the margin currency. */
  readonly pnl: number;
  /** Number of positions aggregated (1 for a dynamic position). */
  readonly count: number;
  /** `backstop` when a vault took the position over at the mark, `gap` when filled past its price. */
  readonly detail?: string;
  /**
   * Cascade round within the bar (a bar-level counter, 0-based, over all the bar's path points):
   * the round's index is the bar's `series.rounds` before that round is counted, so a bar's rounds
   * are 0 … rounds − 1 in the order they ran. Liquidations, ADL and backstops carry it; margin calls
   * and halts happen between rounds and have none. A backstop found while scanning for a round that
   * then closes nothing else keeps that (uncounted) index.
   */
  readonly round?: number;
}

/** A portfolio position as the cascade sees it (cross accounts already netted, see portfolio.ts). */
export interface DynamicPosition {
  readonly id: string;
  readonly kind: 'position' | 'lending';
  readonly side: SideSign;
  /** Base quantity, contracts (inverse) or collateral units (lending). */
  readonly qty: number;
  readonly entry: number;
  /** Isolated margin; cross: wallet + unrealised PnL of the account's other positions at their marks. */
  readonly collateral: number;
  /** Cross: maintenance margin of the account's other positions (TMM1). 0 when isolated. */
  readonly otherMaintenance: number;
  /** Lending: debt in quote currency. */
  readonly debt?: number;
  /** UTC seconds; the position takes part from the first path point at or after this time. */
  readonly openedAt: number;
}

/** Circuit breaker: halt for `haltBars` when the effective price moved more than `threshold` over `windowBars`. */
export interface CircuitBreakerSpec {
  readonly windowBars: number;
  readonly threshold: number;
  readonly haltBars: number;
}

/** Everything the cascade needs, resolved (rules chosen, portfolio netted). */
export interface CascadeConfig {
  readonly contract: 'linear' | 'inverse' | 'lending';
  /** Rules of the replayed instrument (not needed for lending). */
  readonly symbolRules?: SymbolRules;
  readonly liquidationPolicy?: LiquidationPolicy;
  readonly lendingRules?: LendingRules;
  readonly lendingAsset?: LendingAssetRules;
  readonly impact: ImpactSpec;
  readonly resilience: ResilienceSpec;
  readonly circuitBreaker?: CircuitBreakerSpec;
  /** Most notional that may be liquidated per bar; the rest waits for the next bar. */
  readonly perStepCap?: number;
  readonly insuranceFund: number;
  readonly shortfall: 'adl' | 'socialised';
  readonly marginCallRatio: number;
  /**
   * Owners of the first `rows` static-book rows (the estimated population) react before
   * liquidation; see PopulationSpec.reaction. Absent: every position is held until liquidated.
   */
  readonly reaction?: { readonly lossShare: number; readonly minutes: number; readonly rows: number };
  /** In-window inflow of the population (see inflow.ts). Absent: no position opens during the replay. */
  readonly inflow?: InflowConfig;
  /**
   * Share of each bar's wick that reaches the mark (candles.ts MarkSpec): absent or 1, the candle
   * path (the default); 0, the closes only. The mark path replaces the candle path as the exogenous
   * path: impact multiplies it the same way, every trigger is checked on it and, as with the candle
   * path, a position fills at its trigger on it times the round's average impact fill (no separate
   * traded-price path is modelled: 1m candles do not say where trades printed when the mark crossed).
   */
  readonly markWick?: number;
  /** Keep the open population map on this grid (open-map.ts). Absent: no map, no cost. */
  readonly mapGrid?: MapGrid;
}

/** Per-bar series (typed arrays, one entry per replayed bar). */
export interface StepSeries {
  readonly time: Float64Array;
  readonly exogenousClose: Float64Array;
  readonly effectiveClose: Float64Array;
  readonly effectiveLow: Float64Array;
  readonly effectiveHigh: Float64Array;
  readonly rounds: Int32Array;
  readonly liquidatedNotionalLong: Float64Array;
  readonly liquidatedNotionalShort: Float64Array;
  readonly liquidatedCountLong: Int32Array;
  readonly liquidatedCountShort: Int32Array;
  /** Insurance fund at the end of the bar. */
  readonly insuranceFund: Float64Array;
  /** Cumulative bad debt at the end of the bar. */
  readonly badDebt: Float64Array;
  /** Notional closed by auto-deleveraging in the bar. */
  readonly adlVolume: Float64Array;
  /** 1 when the circuit breaker halted liquidations during the bar. */
  readonly halted: Uint8Array;
  /** Ledger imbalance at the end of the bar (should be ~0). */
  readonly ledgerImbalance: Float64Array;
}

function newSeries(n: number): StepSeries {
  return {
    time: new Float64Array(n),
    exogenousClose: new Float64Array(n),
    effectiveClose: new Float64Array(n),
    effectiveLow: new Float64Array(n),
    effectiveHigh: new Float64Array(n),
    rounds: new Int32Array(n),
    liquidatedNotionalLong: new Float64Array(n),
    liquidatedNotionalShort: new Float64Array(n),
    liquidatedCountLong: new Int32Array(n),
    liquidatedCountShort: new Int32Array(n),
    insuranceFund: new Float64Array(n),
    badDebt: new Float64Array(n),
    adlVolume: new Float64Array(n),
    halted: new Uint8Array(n),
    ledgerImbalance: new Float64Array(n),
  };
}

interface DynamicState {
  readonly spec: DynamicPosition;
  side: SideSign;
  qty: number;
  collateral: number;
  debt: number;
  liquidation: number;
  marginCall: number;
  closed: boolean;
  marginCalled: boolean;
  cooldownUntil: number;
}

/** Outcome of one dynamic position (plain data). */
export interface PositionOutcome {
  readonly id: string;
  readonly liquidated: boolean;
  /** Time of the first liquidation (or slice), if any. */
  readonly firstLiquidationTime?: number;
  readonly marginCallTime?: number;
  /** Liquidation price when the replay started (0 / Infinity: never). */
  readonly initialLiquidationPrice: number;
  readonly remainingQty: number;
}

const AGG_LIQUIDATION = 0;
const AGG_ADL = 1;

/** A round's pending liquidation of a static-book position. */
const enum Src {
  Long = 0,
  Short = 1,
  Dynamic = 2,
}

/** Stateful cascade over a set of candles; advance bar by bar with {@link CascadeRun.stepBar}. */
export class CascadeRun {
  readonly series: StepSeries;
  readonly events: CascadeEvent[] = [];
  readonly ledger: Ledger = emptyLedger();
  insuranceFund: number;
  /** Index (within the candles) of the next bar to replay. */
  bar: number;

  private readonly impact: ImpactModel;
  private readonly impactState: ImpactState;
  private readonly dyn: DynamicState[];
  private readonly path = new Float64Array(PATH_POINTS);
  private readonly barSec: number;
  private lastTime: number;
  private lastEffective = Number.NaN;
  private haltUntilBar = -1;
  private badDebtTotal = 0;
  private readonly outcomes = new Map<string, { first?: number; mc?: number; initial: number }>();
  // Round buffers (reused): source, index, trigger price.
  private bufSrc = new Uint8Array(1024);
  private bufIdx = new Int32Array(1024);
  private bufTrig = new Float64Array(1024);
  private bufKind = new Uint8Array(1024); // dynamic: 0 full, 1 slice
  // Static-book positions: their record (qty, entry, margin, bucket) copied during the walk, so the
  // settlement reads these buffers sequentially instead of the records at random.
  private bufRec = new Float64Array(4 * 1024);
  // Per-round aggregation of static-book events: 5 numbers per (kind, bucket, side) slot, flushed
  // at the end of each round into `barAgg`, which is appended to the events at the end of the bar.
  private readonly aggSlots: Float64Array;
  private aggTouched: number[] = [];
  private barAgg: CascadeEvent[] = [];
  /** Index (within the bar) of the round being run; see {@link CascadeEvent.round}. */
  private curRound = 0;
  private barNotional = 0;
  private readonly feeRate: number;
  private readonly markWick: number;
  // Running lowest low / highest high of the effective path per replayed bar (for owner reaction).
  private readonly runLow: Float64Array | undefined;
  private readonly runHigh: Float64Array | undefined;
  /** Notional closed by owners before liquidation (see CascadeConfig.reaction), at the trigger price. */
  closedByOwnerNotional = 0;
  // In-window inflow (CascadeConfig.inflow): survival prefix P, the cohorts and a heap of their heads per side.
  private readonly survival: Float64Array | undefined;
  private readonly cohorts: Cohort[] = [];
  private readonly longHeads = new CohortHeap(1);
  private readonly shortHeads = new CohortHeap(-1);
  private readonly cohortBuilder: CohortBuilder | undefined;
  /** Open base quantity of the population (BTC linear, contracts inverse), at current sizes; inflow only. */
  openBase = 0;
  /** Quote notional opened by inflow (= notional its turnover closed, at the same closes). */
  inflowOpenedNotional = 0;
  /** Positions opened by inflow. */
  inflowPositions = 0;
  /** Cohorts opened by inflow (one per bar with inflow). */
  get cohortCount(): number {
    return this.cohorts.length;
  }
  // Shortfall left by static positions settled at once (impact off) in the current round, per side.
  private immediateLong = 0;
  private immediateShort = 0;
  private settledNow = 0;
  private bufBook = new Int32Array(1024); // static: 0 the main book, c + 1 cohort c
  /** The open population map (CascadeConfig.mapGrid), kept from this run's own state. */
  private readonly openMapTracker: OpenMapTracker | undefined;
  /** The open population map so far (all bars allocated), or undefined when no grid was asked. */
  get openMap(): OpenMap | undefined {
    return this.openMapTracker?.map;
  }

  constructor(
    private readonly candles: CandleColumns,
    private readonly book: StaticBook | undefined,
    dynamic: readonly DynamicPosition[],
    private readonly config: CascadeConfig,
    private readonly bucketLabels: readonly string[],
    private readonly firstBar: number,
    barSeconds: number,
  ) {
    const n = candles.time.length - firstBar;
    this.series = newSeries(Math.max(n, 0));
    this.impact = createImpactModel(config.impact);
    this.impactState = new ImpactState(config.resilience);
    this.insuranceFund = config.insuranceFund;
    this.bar = firstBar;
    this.barSec = barSeconds;
    this.lastTime = candles.time[firstBar] ?? 0;
    this.feeRate = config.symbolRules?.liquidationFeeRate ?? 0;
    this.markWick = config.markWick ?? 1;
    this.aggSlots = new Float64Array(2 * (bucketLabels.length + 1) * 2 * 5);
    if (config.reaction && config.reaction.rows > 0) {
      this.runLow = new Float64Array(Math.max(n, 0)).fill(Number.POSITIVE_INFINITY);
      this.runHigh = new Float64Array(Math.max(n, 0)).fill(Number.NEGATIVE_INFINITY);
    }
    if (config.inflow && book) {
      this.survival = survivalPrefix(config.inflow.hazard);
      this.cohortBuilder = new CohortBuilder(config.inflow, bracketColumns(config.symbolRules!), config.contract === 'inverse' ? 'inverse' : 'linear');
      for (const B of [book.long, book.short]) for (let i = 0; i < B.count; i++) if (B.sourceRow[i]! < config.inflow.populationRows) this.openBase += B.record[4 * i]!;
    }
    if (config.mapGrid && config.contract !== 'lending') {
      this.openMapTracker = new OpenMapTracker(
        config.mapGrid,
        book,
        {
          contract: config.contract,
          ...(this.runLow && config.reaction ? { reaction: config.reaction } : {}),
          ...(this.survival ? { survival: this.survival, populationRows: config.inflow!.populationRows } : {}),
          barSeconds,
        },
        Math.max(n, 0),
      );
    }
    this.dyn = dynamic.map((spec) => {
      const s: DynamicState = {
        spec,
        side: spec.side,
        qty: spec.qty,
        collateral: spec.collateral,
        debt: spec.debt ?? 0,
        liquidation: 0,
        marginCall: 0,
        closed: false,
        marginCalled: false,
        cooldownUntil: Number.NEGATIVE_INFINITY,
      };
      this.reprice(s);
      this.outcomes.set(spec.id, { initial: s.liquidation });
      return s;
    });
  }

  /** True when every bar has been replayed. */
  get done(): boolean {
    return this.bar >= this.candles.time.length;
  }

  /** Outcome per dynamic position so far. */
  positionOutcomes(): PositionOutcome[] {
    return this.dyn.map((d) => {
      const o = this.outcomes.get(d.spec.id)!;
      return {
        id: d.spec.id,
        liquidated: o.first !== undefined,
        ...(o.first !== undefined ? { firstLiquidationTime: o.first } : {}),
        ...(o.mc !== undefined ? { marginCallTime: o.mc } : {}),
        initialLiquidationPrice: o.initial,
        remainingQty: d.closed ? 0 : d.qty,
      };
    });
  }

  /** Recompute a dynamic position's cached trigger prices (after it changed). */
  private reprice(d: DynamicState): void {
    const c = this.config;
    if (d.spec.kind === 'lending') {
      const asset = c.lendingAsset!;
      d.liquidation = lendingLiquidationPrice({ collateralAmount: d.qty, debt: d.debt }, asset);
      d.marginCall = d.liquidation / c.marginCallRatio; // HF = 1/ratio, e.g. HF 1.25 at 0.8
      return;
    }
    const rules = c.symbolRules!;
    if (c.contract === 'inverse') {
      d.liquidation = inverseLiquidationPrice(rules.brackets, d.side, d.qty, d.spec.entry, d.collateral).price;
      // Margin call: the price at which MM/equity = ratio, solved like the liquidation price with mmr/ratio.
      const scaled = rules.brackets.map((b) => ({ ...b, mmr: b.mmr / c.marginCallRatio }));
      d.marginCall = inverseLiquidationPrice(scaled, d.side, d.qty, d.spec.entry, d.collateral).price;
      return;
    }
    const input = { side: d.side, qty: qty(d.qty), entry: price(d.spec.entry), walletBalance: notional(d.collateral), otherMaintenance: notional(d.spec.otherMaintenance) };
    d.liquidation = liquidationPrice(rules.brackets, input).price;
    d.marginCall = marginCallPrice(rules.brackets, input, c.marginCallRatio).price;
    if (d.side < 0 && d.liquidation === 0) d.liquidation = Number.POSITIVE_INFINITY;
  }

  private crossed(side: number, trigger: number, p: number): boolean {
    return side > 0 ? p <= trigger : p >= trigger;
  }

  private pushRound(src: Src, idx: number, trig: number, kind: number): number {
    const n = this.roundLen;
    if (n === this.bufSrc.length) {
      const grow = <T extends Uint8Array | Int32Array | Float64Array>(a: T, make: (k: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.bufSrc = grow(this.bufSrc, (k) => new Uint8Array(k));
      this.bufIdx = grow(this.bufIdx, (k) => new Int32Array(k));
      this.bufTrig = grow(this.bufTrig, (k) => new Float64Array(k));
      this.bufKind = grow(this.bufKind, (k) => new Uint8Array(k));
      this.bufBook = grow(this.bufBook, (k) => new Int32Array(k));
      this.bufRec = grow(this.bufRec, (k) => new Float64Array(k));
    }
    this.bufSrc[n] = src;
    this.bufIdx[n] = idx;
    this.bufTrig[n] = trig;
    this.bufKind[n] = kind;
    this.roundLen = n + 1;
    return n;
  }
  private roundLen = 0;

  /** Forced notional (quote) of closing `q` at price `t`. */
  private forcedNotional(q: number, t: number): number {
    return this.config.contract === 'inverse' ? q : q * t;
  }

  private pnlAt(side: number, q: number, entry: number, fill: number): number {
    return this.config.contract === 'inverse' ? side * q * (1 / entry - 1 / fill) : side * q * (fill - entry);
  }

  /** Shortfall left uncovered by the fund by the last {@link settleClose} call (avoids an allocation per call). */
  private lastRest = 0;

  /** Settle a full close of a position with margin `m` at `fill`; returns its PnL, leaves the uncovered shortfall in `lastRest`. */
  private settleClose(side: number, q: number, entry: number, m: number, fill: number): number {
    const inverse = this.config.contract === 'inverse';
    const pnl = inverse ? side * q * (1 / entry - 1 / fill) : side * q * (fill - entry);
    const equity = m + pnl;
    const feeBase = inverse ? q / fill : q * fill;
    const fee = Math.min(this.feeRate * feeBase, Math.max(equity, 0));
    const returned = Math.max(equity - fee, 0);
    const shortfall = Math.max(-equity, 0);
    const l = this.ledger;
    l.traderDelta += returned - m;
    l.marketDelta -= pnl;
    l.fees += fee;
    l.fundDelta += fee;
    this.insuranceFund += fee;
    const pay = Math.min(shortfall, this.insuranceFund);
    this.insuranceFund -= pay;
    l.fundPaid += pay;
    l.fundDelta -= pay;
    this.lastRest = shortfall - pay;
    return pnl;
  }

  /**
   * Accumulate a static-book event into the current round's aggregate of (kind, bucket, side). Numeric
   * slots, no allocation: slot = (kind·(buckets+1) + bucket+1)·2 + (short ? 1 : 0).
   */
  private aggregate(kind: number, bucket: number, side: 1 | -1, notionalValue: number, q: number, pnl: number, fill: number): void {
    const slot = (kind * (this.bucketLabels.length + 1) + bucket + 1) * 2 + (side > 0 ? 0 : 1);
    // Average fill: Σq·f/Σq for linear; Σq/Σ(q/f) for inverse (contracts are quote notional).
    const w = this.config.contract === 'inverse' ? q / fill : q * fill;
    const a = this.aggSlots;
    const base = slot * 5;
    if (a[base + 4] === 0) this.aggTouched.push(slot);
    a[base]! += notionalValue;
    a[base + 1]! += q;
    a[base + 2]! += w;
    a[base + 3]! += pnl;
    a[base + 4]!++;
  }

  private markLiquidated(id: string, time: number): void {
    const o = this.outcomes.get(id)!;
    if (o.first === undefined) o.first = time;
  }

  /**
   * Cover `amount` of uncovered loss caused by bankrupt positions on side `bankruptSide`: ADL of the
   * opposite side's profitable positions, ranked by PnL% × effective leverage, or socialised.
   */
  private coverShortfall(amount: number, bankruptSide: 1 | -1, p: number, time: number, barIndex: number): void {
    if (!(amount > 0)) return;
    const l = this.ledger;
    if (this.config.shortfall === 'socialised' || this.config.contract === 'lending') {
      l.badDebt += amount;
      this.badDebtTotal += amount;
      return;
    }
    const oppSign = -bankruptSide as 1 | -1;
    // Static candidates: the main book's side, then the inflow cohorts' (book ref 0, c + 1); dynamic: −1.
    const sides: BookSide[] = [];
    if (this.book) sides.push(oppSign > 0 ? this.book.long : this.book.short);
    for (const c of this.cohorts) sides.push(oppSign > 0 ? c.long : c.short);
    const bookOf = (i: number): number => (this.book ? i : i + 1);
    // Rank candidates once: keys = −score so an ascending sort puts the highest score first.
    const keys: number[] = [];
    const refs: number[] = [];
    const refBooks: number[] = [];
    for (let i = 0; i < sides.length; i++) {
      const side = sides[i]!;
      const bk = bookOf(i);
      for (let k = side.next; k < side.count; k++) {
        if (side.closed[k]) continue;
        const rec = 4 * side.order[k]!;
        const f = this.turnoverFactor(side, bk, k, barIndex);
        const m = side.record[rec + 2]! * f;
        const q = side.record[rec]! * f;
        const pnl = this.pnlAt(oppSign, q, side.record[rec + 1]!, p);
        if (pnl <= 0 || m <= 0) continue;
        keys.push(-((pnl / m) * (this.forcedNotional(q, p) / (m + pnl))));
        refs.push(k);
        refBooks.push(i);
      }
    }
    for (let j = 0; j < this.dyn.length; j++) {
      const d = this.dyn[j]!;
      if (d.closed || d.spec.kind !== 'position' || d.side !== oppSign || d.spec.openedAt > time) continue;
      const pnl = this.pnlAt(d.side, d.qty, d.spec.entry, p);
      if (pnl <= 0 || d.collateral <= 0) continue;
      keys.push(-((pnl / d.collateral) * (this.forcedNotional(d.qty, p) / (d.collateral + pnl))));
      refs.push(j);
      refBooks.push(-1);
    }
    const order = argsortFloat64(Float64Array.from(keys));
    let left = amount;
    for (let r = 0; r < order.length && left > 0; r++) {
      const ref = refs[order[r]!]!;
      const sideIndex = refBooks[order[r]!]!;
      let q: number;
      let entry: number;
      if (sideIndex >= 0) {
        const side = sides[sideIndex]!;
        const bk = bookOf(sideIndex);
        const rec = 4 * side.order[ref]!;
        const f = this.turnoverFactor(side, bk, ref, barIndex);
        q = side.record[rec]! * f;
        entry = side.record[rec + 1]!;
        side.closed[ref] = 1;
        this.openMapTracker?.remove(side, bk, ref, barIndex, null);
        if (this.survival && (bk > 0 || side.sourceRow[side.order[ref]!]! < this.config.inflow!.populationRows)) this.openBase -= q;
      } else {
        const d = this.dyn[ref]!;
        q = d.qty;
        entry = d.spec.entry;
        d.closed = true;
      }
      const pnl = this.pnlAt(oppSign, q, entry, p);
      const haircut = Math.min(pnl, left);
      left -= haircut;
      l.traderDelta += pnl - haircut;
      l.marketDelta -= pnl;
      l.adlCovered += haircut;
      const n = this.forcedNotional(q, p);
      this.series.adlVolume[barIndex]! += n;
      if (sideIndex >= 0) {
        const side = sides[sideIndex]!;
        this.aggregate(AGG_ADL, side.record[4 * side.order[ref]! + 3]!, oppSign, n, q, pnl - haircut, p);
      } else {
        const d = this.dyn[ref]!;
        this.events.push({ time, kind: 'adl', positionId: d.spec.id, side: oppSign > 0 ? 'long' : 'short', price: p, notional: n, pnl: pnl - haircut, count: 1, round: this.curRound });
      }
    }
    if (left > 0) {
      l.badDebt += left;
      this.badDebtTotal += left;
    }
  }

  /** Replay one bar. */
  stepBar(): void {
    if (this.done) return;
    const i = this.bar;
    const out = i - this.firstBar;
    const c = this.candles;
    const s = this.series;
    const barTime = c.time[i]!;
    s.time[out] = barTime;
    s.effectiveLow[out] = Number.POSITIVE_INFINITY;
    s.effectiveHigh[out] = Number.NEGATIVE_INFINITY;
    this.barNotional = 0;
    if (this.markWick === 1) intrabarPath(c, i, this.path);
    else markPath(c, i, this.markWick, this.path);
    for (let j = 0; j < PATH_POINTS; j++) {
      const time = barTime + PATH_TIMES[j]! * this.barSec;
      this.impactState.decay(time - this.lastTime);
      this.lastTime = time;
      const exo = this.path[j]!;
      let eff = exo * this.impactState.multiplier();
      if (Number.isNaN(this.lastEffective)) this.lastEffective = eff;
      // Margin calls are checked before the rounds so a call and a liquidation at the same point both show.
      this.checkMarginCalls(eff, time);
      this.trackExtremes(out, eff);
      if (i <= this.haltUntilBar) {
        s.halted[out] = 1;
      } else {
        eff = this.runRounds(eff, time, out);
        this.trackExtremes(out, eff);
        this.checkCircuitBreaker(eff, i, out, time);
      }
      this.lastEffective = eff;
      if (eff < s.effectiveLow[out]!) s.effectiveLow[out] = eff;
      if (eff > s.effectiveHigh[out]!) s.effectiveHigh[out] = eff;
      this.checkMarginCalls(eff, time);
    }
    s.exogenousClose[out] = c.close[i]!;
    s.effectiveClose[out] = this.lastEffective;
    s.insuranceFund[out] = this.insuranceFund;
    s.badDebt[out] = this.badDebtTotal;
    s.ledgerImbalance[out] = ledgerImbalance(this.ledger);
    this.flushRound(barTime);
    for (const e of this.barAgg) this.events.push(e);
    this.barAgg = [];
    this.openMapTracker?.closeBar(out, this.runLow, this.runHigh, s.effectiveLow, s.effectiveHigh, this.survival ? this.config.inflow!.hazard[out]! : 0);
    this.openCohort(out);
    this.openMapTracker?.writeRow(out);
    this.bar++;
  }

  /** Close the current round's aggregates into the bar's list (ordered by round, then kind, bucket and side). */
  private flushRound(barTime: number): void {
    if (this.aggTouched.length === 0) return;
    const slots = this.aggTouched.sort((x, y) => x - y);
    const nb = this.bucketLabels.length + 1;
    const a = this.aggSlots;
    for (const slot of slots) {
      const base = slot * 5;
      const side = slot % 2 === 0 ? 1 : -1;
      const kind = Math.floor(slot / 2 / nb);
      const bucket = (Math.floor(slot / 2) % nb) - 1;
      const label = bucket >= 0 ? (this.bucketLabels[bucket] ?? `bucket ${bucket}`) : 'book';
      const q = a[base + 1]!;
      const w = a[base + 2]!;
      const avgPrice = this.config.contract === 'inverse' ? q / w : w / q;
      this.barAgg.push({ time: barTime, kind: kind === AGG_ADL ? 'adl' : 'liquidation', bucket: label, side: side > 0 ? 'long' : 'short', price: avgPrice, notional: a[base]!, pnl: a[base + 3]!, count: a[base + 4]!, round: this.curRound });
      a.fill(0, base, base + 5);
    }
    this.aggTouched = [];
  }

  private checkMarginCalls(eff: number, time: number): void {
    for (const d of this.dyn) {
      if (d.closed || d.marginCalled || d.spec.openedAt > time) continue;
      if (this.crossed(d.spec.kind === 'lending' ? 1 : d.side, d.marginCall, eff)) {
        d.marginCalled = true;
        this.outcomes.get(d.spec.id)!.mc = time;
        this.events.push({ time, kind: 'margin_call', positionId: d.spec.id, side: d.side > 0 ? 'long' : 'short', price: eff, notional: this.forcedNotional(d.qty, eff), pnl: 0, count: 1 });
      }
    }
  }

  private checkCircuitBreaker(eff: number, i: number, out: number, time: number): void {
    const cb = this.config.circuitBreaker;
    if (!cb) return;
    const refBar = out - cb.windowBars;
    const ref = refBar >= 0 ? this.series.effectiveClose[refBar]! : this.candles.open[this.firstBar]!;
    if (Math.abs(eff / ref - 1) > cb.threshold) {
      this.haltUntilBar = i + cb.haltBars;
      this.events.push({ time, kind: 'halt', price: eff, notional: 0, pnl: 0, count: 0, detail: `moved ${(100 * (eff / ref - 1)).toFixed(2)}% over ${cb.windowBars} bars; halted through bar ${this.haltUntilBar}` });
    }
  }

  /** Rounds at one path point until nothing new crosses. Returns the new effective price. */
  private runRounds(effIn: number, time: number, out: number): number {
    let eff = effIn;
    let prev = this.lastEffective;
    const cap = this.config.perStepCap ?? Number.POSITIVE_INFINITY;
    const s = this.series;
    const policy = this.config.liquidationPolicy;
    const inverse = this.config.contract === 'inverse';
    const noImpact = this.config.impact.model === 'none';
    const barTime = s.time[out]!;
    for (let round = 0; round < 100000; round++) {
      this.curRound = s.rounds[out]!;
      this.roundLen = 0;
      this.settledNow = 0;
      this.immediateLong = 0;
      this.immediateShort = 0;
      const hiP = Math.max(prev, eff);
      const loP = Math.min(prev, eff);
      let sell = 0;
      let buy = 0;
      // Static book, longs: liquidation prices descending.
      if (this.book) {
        const L = this.book.long;
        while (L.next < L.count && this.barNotional < cap) {
          const k = L.next;
          if (L.closed[k]) {
            L.next++;
            continue;
          }
          const lp = L.liquidationPrice[k]!;
          if (!(eff <= lp)) break;
          const n = this.takeStatic(L, 0, k, lp, Math.min(lp, hiP), out, noImpact, inverse);
          sell += n;
          this.barNotional += n;
        }
        const S = this.book.short;
        while (S.next < S.count && this.barNotional < cap) {
          const k = S.next;
          if (S.closed[k]) {
            S.next++;
            continue;
          }
          const lp = S.liquidationPrice[k]!;
          if (!(eff >= lp)) break;
          const n = this.takeStatic(S, 0, k, lp, Math.max(lp, loP), out, noImpact, inverse);
          buy += n;
          this.barNotional += n;
        }
      }
      // Inflow cohorts, through the heaps of their heads.
      if (this.survival) {
        sell += this.walkCohorts(this.longHeads, eff, hiP, out, noImpact, inverse, cap);
        buy += this.walkCohorts(this.shortHeads, eff, loP, out, noImpact, inverse, cap);
      }
      let pendingLongShortfall = this.immediateLong;
      let pendingShortShortfall = this.immediateShort;
      const settledNow = this.settledNow;
      // Dynamic positions.
      for (let j = 0; j < this.dyn.length && this.barNotional < cap; j++) {
        const d = this.dyn[j]!;
        if (d.closed || d.spec.openedAt > time || time < d.cooldownUntil) continue;
        const sideForTrigger = d.spec.kind === 'lending' ? 1 : d.side;
        if (!this.crossed(sideForTrigger, d.liquidation, eff)) continue;
        // Lending liquidators act on the observed price (at exactly HF = 1 nothing is liquidatable).
        const t = d.spec.kind === 'lending' ? eff : sideForTrigger > 0 ? Math.min(d.liquidation, hiP) : Math.max(d.liquidation, loP);
        if (d.spec.kind === 'lending') {
          const r = liquidateLending({ collateralAmount: d.qty, debt: d.debt }, t, this.config.lendingAsset!, this.config.lendingRules!);
          if (r.collateralSeized <= 0) continue;
          this.pushRound(Src.Dynamic, j, t, 0);
          const n = r.collateralSeized * t;
          sell += n;
          this.barNotional += n;
          continue;
        }
        let kind = 0;
        if (policy) {
          const mm = this.config.contract === 'linear' ? maintenanceMargin(this.config.symbolRules!.brackets, qty(d.qty), price(eff)) + d.spec.otherMaintenance : 0;
          const equity = d.collateral + this.pnlAt(d.side, d.qty, d.spec.entry, eff);
          const decision = hyperliquidLiquidationKind(policy, this.forcedNotional(d.qty, eff), equity, mm);
          if (decision.kind === 'backstop') {
            this.backstop(d, eff, time, out);
            continue;
          }
          if (decision.kind === 'slice') kind = 1;
        }
        this.pushRound(Src.Dynamic, j, t, kind);
        const q = kind === 1 ? d.qty * policy!.sliceFraction : d.qty;
        const n = this.forcedNotional(q, t);
        if (d.side > 0) sell += n;
        else buy += n;
        this.barNotional += n;
      }
      if (this.roundLen === 0 && settledNow === 0) {
        this.flushRound(barTime); // ADL aggregated by a backstop found while scanning
        break;
      }
      s.rounds[out]!++;
      const net = buy - sell;
      const fill = net === 0 ? { after: 1, averageFill: 1 } : this.impact.execute(Math.abs(net), net > 0 ? 1 : -1);
      const pAfterRound = eff * fill.after;
      for (let r = 0; r < this.roundLen; r++) {
        const src = this.bufSrc[r]! as Src;
        const k = this.bufIdx[r]!;
        const t = this.bufTrig[r]!;
        const f = t * fill.averageFill;
        if (src === Src.Long || src === Src.Short) {
          const B = this.staticSide(src, this.bufBook[r]!);
          const br = this.bufRec;
          const rest = this.settleStatic(B, k, br[4 * r]!, br[4 * r + 1]!, br[4 * r + 2]!, br[4 * r + 3]!, f, out);
          if (B.sign > 0) pendingLongShortfall += rest;
          else pendingShortShortfall += rest;
          continue;
        }
        const d = this.dyn[k]!;
        if (d.spec.kind === 'lending') {
          const r2 = liquidateLending({ collateralAmount: d.qty, debt: d.debt }, t, this.config.lendingAsset!, this.config.lendingRules!);
          // Borrower gives up seized collateral worth seized·f and has debtRepaid forgiven; the liquidator sells at f.
          const seizedValue = r2.collateralSeized * f;
          this.ledger.traderDelta += r2.debtRepaid - seizedValue + r2.deficit;
          this.ledger.marketDelta += seizedValue - r2.debtRepaid;
          this.ledger.badDebt += r2.deficit;
          this.badDebtTotal += r2.deficit;
          d.qty = r2.remaining.collateralAmount;
          d.debt = r2.remaining.debt;
          s.liquidatedNotionalLong[out]! += seizedValue;
          s.liquidatedCountLong[out]!++;
          const partial = d.debt > 0 && d.qty > 0;
          if (!partial) d.closed = true;
          else this.reprice(d);
          this.markLiquidated(d.spec.id, time);
          this.events.push({ time, kind: partial ? 'partial_liquidation' : 'liquidation', positionId: d.spec.id, side: 'long', price: f, notional: seizedValue, pnl: r2.debtRepaid - seizedValue, count: 1, round: this.curRound, ...(r2.deficit > 0 ? { detail: `deficit ${r2.deficit}` } : {}) });
          continue;
        }
        const slice = this.bufKind[r] === 1;
        const q = slice ? d.qty * policy!.sliceFraction : d.qty;
        let pnl: number;
        let rest = 0;
        if (slice) {
          // The slice's realised PnL stays in (or is taken from) the position's margin; the rest of the position remains.
          pnl = this.pnlAt(d.side, q, d.spec.entry, f);
          this.ledger.traderDelta += pnl;
          this.ledger.marketDelta -= pnl;
          d.collateral += pnl;
          d.qty -= q;
          d.cooldownUntil = time + policy!.cooldownSeconds;
          if (d.collateral < 0) {
            // Bankrupt after the slice: close the rest at the same fill.
            pnl += this.settleClose(d.side, d.qty, d.spec.entry, d.collateral, f);
            rest = this.lastRest;
            d.closed = true;
          } else this.reprice(d);
        } else {
          pnl = this.settleClose(d.side, q, d.spec.entry, d.collateral, f);
          rest = this.lastRest;
          d.closed = true;
        }
        if (d.side > 0) pendingLongShortfall += rest;
        else pendingShortShortfall += rest;
        const n = this.forcedNotional(q, f);
        if (d.side > 0) {
          s.liquidatedNotionalLong[out]! += n;
          s.liquidatedCountLong[out]!++;
        } else {
          s.liquidatedNotionalShort[out]! += n;
          s.liquidatedCountShort[out]!++;
        }
        this.markLiquidated(d.spec.id, time);
        this.events.push({ time, kind: slice && !d.closed ? 'partial_liquidation' : 'liquidation', positionId: d.spec.id, side: d.side > 0 ? 'long' : 'short', price: f, notional: n, pnl, count: 1, round: this.curRound, ...(t !== d.liquidation ? { detail: 'gap' } : {}) });
      }
      this.coverShortfall(pendingLongShortfall, 1, pAfterRound, time, out);
      this.coverShortfall(pendingShortShortfall, -1, pAfterRound, time, out);
      this.flushRound(barTime);
      this.impactState.apply(fill.after);
      prev = eff;
      eff = pAfterRound;
      if (fill.after === 1 && this.barNotional >= cap) break;
    }
    return eff;
  }

  /** Side `src` of the main book (bk 0) or of cohort bk − 1. */
  private staticSide(src: Src, bk: number): BookSide {
    const b = bk === 0 ? this.book! : this.cohorts[bk - 1]!;
    return src === Src.Long ? b.long : b.short;
  }

  /**
   * Take the k-th position of static side B (book bk: 0 the main book, c + 1 cohort c) into the round
   * at trigger `t`: with impact off settle it now (fill = trigger), else queue it for the round's
   * fill. Returns its forced notional. Inflow turnover and owner reaction shrink it first.
   */
  private takeStatic(B: BookSide, bk: number, k: number, lp: number, t: number, out: number, noImpact: boolean, inverse: boolean): number {
    const rec = 4 * B.order[k]!;
    let q = B.record[rec]!;
    let m = B.record[rec + 2]!;
    const entry = B.record[rec + 1]!;
    if (this.survival && (bk > 0 || B.sourceRow[B.order[k]!]! < this.config.inflow!.populationRows)) {
      const f = this.turnoverFactor(B, bk, k, out);
      q *= f;
      m *= f;
      this.openBase -= q; // the whole position leaves the open quantity, the owners' part included
    }
    if (this.runLow) {
      const f = this.reactionFactor(B, k, q, entry, m, lp, out, bk === 0 ? -1 : this.cohorts[bk - 1]!.openedAfter);
      q *= f;
      m *= f;
    }
    this.openMapTracker?.remove(B, bk, k, out, inverse ? q : q * entry);
    const n = inverse ? q : q * t;
    if (noImpact) {
      // Fill = trigger exactly: settle now (same order and result as through the round buffer).
      const rest = this.settleStatic(B, k, q, entry, m, B.record[rec + 3]!, t, out);
      if (B.sign > 0) this.immediateLong += rest;
      else this.immediateShort += rest;
      this.settledNow++;
    } else {
      const slot = this.pushRound(B.sign > 0 ? Src.Long : Src.Short, k, t, 0);
      this.bufBook[slot] = bk;
      const br = this.bufRec;
      br[4 * slot] = q;
      br[4 * slot + 1] = entry;
      br[4 * slot + 2] = m;
      br[4 * slot + 3] = B.record[rec + 3]!;
    }
    B.next++;
    return n;
  }

  /**
   * Share of its opening size a population position still has in replayed bar `out` after the
   * inflow turnover: P[out]/P[a + 1] for a cohort opened after bar a, P[out] for the main book's
   * population rows, 1 for other rows (a book passed in) and without inflow.
   */
  private turnoverFactor(B: BookSide, bk: number, k: number, out: number): number {
    const P = this.survival;
    if (!P) return 1;
    if (bk > 0) return P[out]! / P[this.cohorts[bk - 1]!.openedAfter + 1]!;
    return B.sourceRow[B.order[k]!]! < this.config.inflow!.populationRows ? P[out]! : 1;
  }

  /** Liquidate every cohort position of one side that `eff` has reached, heads first. Returns the forced notional. */
  private walkCohorts(heap: CohortHeap, eff: number, bound: number, out: number, noImpact: boolean, inverse: boolean, cap: number): number {
    let total = 0;
    const long = heap === this.longHeads;
    while (heap.size > 0 && this.barNotional < cap) {
      const id = heap.top();
      const C = this.cohorts[id]!;
      const B = long ? C.long : C.short;
      const k = B.next;
      if (k >= B.count || B.closed[k]) {
        heap.updateTop(heap.headKey(B));
        continue;
      }
      const lp = B.liquidationPrice[k]!;
      if (long ? !(eff <= lp) : !(eff >= lp)) break;
      const n = this.takeStatic(B, id + 1, k, lp, long ? Math.min(lp, bound) : Math.max(lp, bound), out, noImpact, inverse);
      total += n;
      this.barNotional += n;
      heap.updateTop(heap.headKey(B));
    }
    return total;
  }

  /**
   * Inflow at the close of replayed bar `out`: owners close h of every open population position
   * (implicit in the survival prefix) and the same base quantity opens as a new cohort at the bar's
   * effective close, checked from the next bar on.
   */
  private openCohort(out: number): void {
    const cfg = this.config.inflow;
    if (!cfg || !this.survival) return;
    const h = cfg.hazard[out]!;
    const base = h * this.openBase;
    const entry = this.lastEffective;
    if (!(base > 0) || !(entry > 0)) return;
    const c = this.cohortBuilder!.build(out, base, entry);
    const id = this.cohorts.length;
    this.cohorts.push(c);
    this.openMapTracker?.addCohort(c);
    this.inflowOpenedNotional += this.config.contract === 'inverse' ? base : base * entry;
    this.inflowPositions += c.long.count + c.short.count;
    const kl = this.longHeads.headKey(c.long);
    if (kl !== null) this.longHeads.push(id, kl);
    const ks = this.shortHeads.headKey(c.short);
    if (ks !== null) this.shortHeads.push(id, ks);
  }

  /**
   * Running lowest and highest effective price up to replayed bar `out` (owner reaction only),
   * halted bars included: owners see the price move while liquidations are held back.
   */
  private trackExtremes(out: number, eff: number): void {
    const lo = this.runLow;
    const hi = this.runHigh;
    if (!lo || !hi) return;
    lo[out] = Math.min(lo[out]!, out > 0 ? lo[out - 1]! : eff, eff);
    hi[out] = Math.max(hi[out]!, out > 0 ? hi[out - 1]! : eff, eff);
  }

  /**
   * Owner reaction (CascadeConfig.reaction) for the k-th position of side B, reached at its
   * liquidation price `lp` in replayed bar `out`: the share still open, exp(−Δt/minutes), Δt the time
   * since the effective path first crossed the price where the position had lost `lossShare` of its
   * margin. The rest is closed by its owner at `lp` (margin left, so no shortfall), without fee or
   * impact; that part goes to the ledger here. Rows beyond the population are held to liquidation.
   */
  private reactionFactor(B: BookSide, k: number, q: number, entry: number, margin: number, lp: number, out: number, openedAfter: number): number {
    const r = this.config.reaction!;
    if ((openedAfter < 0 && B.sourceRow[B.order[k]!]! >= r.rows) || !(q > 0)) return 1;
    const inverse = this.config.contract === 'inverse';
    const sgn = B.sign;
    // Price at which the position has lost lossShare of its margin.
    const pr = inverse ? 1 / (1 / entry + (sgn * r.lossShare * margin) / q) : entry - (sgn * r.lossShare * margin) / q;
    let lo = 0;
    if (openedAfter < 0) {
      // First replayed bar whose running extreme reached pr (running extremes are monotone).
      const ext = sgn > 0 ? this.runLow! : this.runHigh!;
      let hi = out;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sgn > 0 ? ext[mid]! <= pr : ext[mid]! >= pr) hi = mid;
        else lo = mid + 1;
      }
    } else {
      // An inflow position: the first bar after it opened whose effective extreme reached pr (else this one).
      const ext = sgn > 0 ? this.series.effectiveLow : this.series.effectiveHigh;
      lo = openedAfter + 1;
      while (lo < out && !(sgn > 0 ? ext[lo]! <= pr : ext[lo]! >= pr)) lo++;
    }
    const minutes = ((out - lo) * this.barSec) / 60;
    const f = Math.exp(-minutes / r.minutes);
    if (f < 1) {
      const qv = q * (1 - f);
      const pnl = inverse ? sgn * qv * (1 / entry - 1 / lp) : sgn * qv * (lp - entry);
      this.ledger.traderDelta += pnl;
      this.ledger.marketDelta -= pnl;
      this.closedByOwnerNotional += inverse ? qv : qv * lp;
    }
    return f;
  }

  /** Close the k-th static-book position of side B at `fill`; returns the shortfall the fund left uncovered. */
  private settleStatic(B: BookSide, k: number, q: number, entry: number, margin: number, bucket: number, fill: number, out: number): number {
    B.closed[k] = 1;
    const pnl = this.settleClose(B.sign, q, entry, margin, fill);
    const n = this.config.contract === 'inverse' ? q : q * fill;
    const s = this.series;
    if (B.sign > 0) {
      s.liquidatedNotionalLong[out]! += n;
      s.liquidatedCountLong[out]!++;
    } else {
      s.liquidatedNotionalShort[out]! += n;
      s.liquidatedCountShort[out]!++;
    }
    this.aggregate(AGG_LIQUIDATION, bucket, B.sign, n, q, pnl, fill);
    return this.lastRest;
  }

  /** Hyperliquid-like backstop: the vault takes the position at the mark; no market impact. */
  private backstop(d: DynamicState, eff: number, time: number, out: number): void {
    const pnl = this.pnlAt(d.side, d.qty, d.spec.entry, eff);
    const equity = d.collateral + pnl;
    // The vault (counted as the insurance fund) keeps what equity is left, or pays what is missing.
    const l = this.ledger;
    l.traderDelta -= d.collateral;
    l.marketDelta -= pnl;
    l.fundDelta += equity;
    this.insuranceFund += equity;
    if (this.insuranceFund < 0) {
      const missing = -this.insuranceFund;
      this.insuranceFund = 0;
      l.fundDelta += missing;
      l.fundPaid += missing;
      this.coverShortfall(missing, d.side, eff, time, out);
    }
    d.closed = true;
    const n = this.forcedNotional(d.qty, eff);
    if (d.side > 0) {
      this.series.liquidatedNotionalLong[out]! += n;
      this.series.liquidatedCountLong[out]!++;
    } else {
      this.series.liquidatedNotionalShort[out]! += n;
      this.series.liquidatedCountShort[out]!++;
    }
    this.markLiquidated(d.spec.id, time);
    this.events.push({ time, kind: 'liquidation', positionId: d.spec.id, side: d.side > 0 ? 'long' : 'short', price: eff, notional: n, pnl, count: 1, round: this.curRound, detail: 'backstop' });
  }
}

/** Helper for portfolio.ts: bankruptcy price of a dynamic position (for reporting). */
export function dynamicBankruptcyPrice(d: DynamicPosition, contract: 'linear' | 'inverse'): number {
  if (contract === 'inverse') return inverseBankruptcyPrice(d.side, d.qty, d.entry, d.collateral);
  return bankruptcyPrice({ side: d.side, qty: qty(d.qty), entry: price(d.entry), walletBalance: notional(d.collateral) });
}

/** Re-exported for callers that need the health factor of a lending position. */
export { healthFactor };
