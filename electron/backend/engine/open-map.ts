/**
 * The open population map (ReplayInput.mapGrid): per replayed bar, the notional of the static book
 * and the inflow cohorts still open at the end of that bar, binned by liquidation price on a grid
 * the caller chooses. It is kept by the cascade from its own state, so it follows every mechanism
 * the engine models — liquidation (including per-bar caps and circuit-breaker halts), ADL, owners
 * reacting, inflow turnover and new cohorts — with no second implementation to drift.
 *
 * Unit: entry notional at the position's current size, q·entry (contracts for inverse: q), so a run
 * without reaction and inflow gives exactly the classic map (Σ q·entry of positions whose
 * liquidation price the path has not reached).
 *
 * A position's open share as of the end of replayed bar t:
 * - turnover (inflow): P[t+1] for the main book's population rows, P[t+1]/P[a+1] for a cohort opened
 *   at the close of bar a (P: inflow.ts survivalPrefix), 1 otherwise;
 * - owners reacting: exp(−(t + 1 − lo)·Δ/T), lo the first bar by whose end the path had crossed the
 *   position's reaction price (the loss of `lossShare` of its margin), Δ the bar length, T `minutes`;
 *   1 before. So the share open at the end of bar t − 1 is exactly the share the engine liquidates
 *   if the position is reached in bar t (cascade.ts reactionFactor: exp(−(t − lo)·Δ/T)).
 *   Unlike the engine's ledger (which settles the owners' part lazily, when the position is
 *   reached), the map shows the owners' closing as it happens, also for positions never reached.
 *
 * Cost: O(bins) per bar plus O(1) per liquidated, deleveraged or newly reacting position, O(active
 * cohorts) per bar for the cohorts' reaction clocks. Nothing is allocated unless a grid is asked.
 */
import { MinHeap } from './min-heap';
import type { BookSide, StaticBook } from './position-book';
import type { Cohort } from './inflow';

/** Price grid of the map: `bins` equal bins over [priceLow, priceHigh); prices outside are left out. */
export interface MapGrid {
  readonly priceLow: number;
  readonly priceHigh: number;
  readonly bins: number;
}

/** The map and the flows that explain its changes (all bars×bins or per bar, entry notional). */
export interface OpenMap {
  readonly bins: number;
  readonly priceLow: number;
  readonly priceHigh: number;
  /** bars×bins, row-major by bar: open long notional by liquidation price at the end of each bar. */
  readonly long: Float64Array;
  readonly short: Float64Array;
  /** Notional on the grid before the first bar. */
  readonly initial: number;
  /** Per bar, positions on the grid only: what liquidations took (the engine's liquidated quantity · entry). */
  readonly liquidated: Float64Array;
  /** Per bar: the open part of positions closed by auto-deleveraging. */
  readonly adl: Float64Array;
  /** Per bar: closed by owners reacting. */
  readonly closedByOwners: Float64Array;
  /** Per bar: closed by inflow turnover at the bar's close. */
  readonly turnover: Float64Array;
  /** Per bar: opened by inflow at the bar's close (the new cohort). */
  readonly opened: Float64Array;
}

/** What the tracker needs of the cascade's configuration. */
export interface OpenMapConfig {
  readonly contract: 'linear' | 'inverse' | 'lending';
  readonly reaction?: { readonly lossShare: number; readonly minutes: number; readonly rows: number };
  /** Inflow: survival prefix P and the main book's population rows. */
  readonly survival?: Float64Array;
  readonly populationRows?: number;
  readonly barSeconds: number;
}

/** Accumulator slots per side: [fixed, turning] × [not reacting yet, reacting]. */
const UF = 0;
const UT = 1;
const DF = 2;
const DT = 3;

/** Tracker state of one static side (the main book's or a cohort's). */
interface SideState {
  readonly B: BookSide;
  /** Bin of the k-th sorted position, −1 off the grid. */
  readonly bin: Int32Array;
  /** Accumulator slot (UF or UT) of the k-th position before it reacts. */
  readonly slot: Uint8Array;
  /** Bar by whose end it crossed its reaction price; −1 not yet (or never reacting). */
  readonly lo: Int32Array;
  /** Reacting positions (sorted indices) in the order the price reaches their reaction price. */
  readonly react: Int32Array;
  readonly reactPrice: Float64Array;
  cursor: number;
  /** Cohorts: the path's extreme since they opened. */
  ext: number;
}

interface CohortState {
  readonly a: number;
  /** Book ref: cohort index + 1. */
  readonly bk: number;
  readonly long: SideState;
  readonly short: SideState;
}

export class OpenMapTracker {
  readonly map: OpenMap;
  private readonly acc: [Float64Array, Float64Array];
  private readonly main: [SideState, SideState] | undefined;
  private readonly cohorts: CohortState[] = [];
  /**
   * Cohort sides with reaction prices not crossed yet, keyed by their next one (longs: the highest
   * first, as −price; shorts: the lowest first). A cohort's next reaction price was not reached by
   * any bar since it opened, so it is crossed in bar t exactly when bar t's extreme reaches it.
   */
  private readonly reactHeads: [MinHeap, MinHeap] = [new MinHeap(), new MinHeap()];
  private readonly decay: number;
  private readonly bins: number;
  private readonly step: number;

  constructor(
    private readonly grid: MapGrid,
    book: StaticBook | undefined,
    private readonly cfg: OpenMapConfig,
    bars: number,
  ) {
    const bins = grid.bins;
    this.bins = bins;
    this.step = (grid.priceHigh - grid.priceLow) / bins;
    this.acc = [new Float64Array(4 * bins), new Float64Array(4 * bins)];
    this.decay = cfg.reaction ? Math.exp(-cfg.barSeconds / 60 / cfg.reaction.minutes) : 1;
    let initial = 0;
    if (book) {
      const rows = cfg.reaction?.rows ?? 0;
      const mk = (B: BookSide, side: number): SideState => {
        const st = this.newSide(B);
        const A = this.acc[side]!;
        const reacting: number[] = [];
        for (let k = 0; k < B.count; k++) {
          const b = this.binOf(B.liquidationPrice[k]!);
          st.bin[k] = b;
          const row = B.sourceRow[B.order[k]!]!;
          st.slot[k] = cfg.survival && row < (cfg.populationRows ?? 0) ? UT : UF;
          if (cfg.reaction && row < rows) reacting.push(k);
          if (b < 0) continue;
          const v = this.value0(B, k);
          A[4 * b + st.slot[k]!]! += v;
          initial += v;
        }
        this.setReacting(st, reacting);
        return st;
      };
      this.main = [mk(book.long, 0), mk(book.short, 1)];
    }
    this.map = {
      bins,
      priceLow: grid.priceLow,
      priceHigh: grid.priceHigh,
      long: new Float64Array(bars * bins),
      short: new Float64Array(bars * bins),
      initial,
      liquidated: new Float64Array(bars),
      adl: new Float64Array(bars),
      closedByOwners: new Float64Array(bars),
      turnover: new Float64Array(bars),
      opened: new Float64Array(bars),
    };
  }

  private newSide(B: BookSide): SideState {
    return { B, bin: new Int32Array(B.count), slot: new Uint8Array(B.count), lo: new Int32Array(B.count).fill(-1), react: new Int32Array(0), reactPrice: new Float64Array(0), cursor: 0, ext: B.sign > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY };
  }

  /** Sort the reacting positions by their reaction price, in the order the price reaches them. */
  private setReacting(st: SideState, ks: number[]): void {
    const r = this.cfg.reaction;
    if (!r || ks.length === 0) return;
    const B = st.B;
    const inverse = this.cfg.contract === 'inverse';
    const pr = new Map<number, number>();
    for (const k of ks) {
      const rec = 4 * B.order[k]!;
      const q = B.record[rec]!;
      const entry = B.record[rec + 1]!;
      const margin = B.record[rec + 2]!;
      // Same formula as cascade.ts reactionFactor.
      pr.set(k, inverse ? 1 / (1 / entry + (B.sign * r.lossShare * margin) / q) : entry - (B.sign * r.lossShare * margin) / q);
    }
    ks.sort((x, y) => (B.sign > 0 ? pr.get(y)! - pr.get(x)! : pr.get(x)! - pr.get(y)!));
    (st as { react: Int32Array }).react = Int32Array.from(ks);
    (st as { reactPrice: Float64Array }).reactPrice = Float64Array.from(ks, (k) => pr.get(k)!);
  }

  /** Bin of a liquidation price: lo_b ≤ p < lo_{b+1} with lo_b = priceLow + b·step (as the classic map), −1 off the grid. */
  private binOf(p: number): number {
    const { priceLow, priceHigh } = this.grid;
    if (!(p >= priceLow && p < priceHigh)) return -1;
    const bins = this.bins;
    const step = this.step;
    let b = Math.min(bins - 1, Math.max(0, Math.floor((p - priceLow) / step)));
    while (b > 0 && p < priceLow + b * step) b--;
    while (b < bins - 1 && p >= priceLow + (b + 1) * step) b++;
    return b;
  }

  /** Entry notional of the k-th position at its opening size. */
  private value0(B: BookSide, k: number): number {
    const rec = 4 * B.order[k]!;
    return this.cfg.contract === 'inverse' ? B.record[rec]! : B.record[rec]! * B.record[rec + 1]!;
  }

  private sideState(B: BookSide, bk: number): SideState {
    if (bk === 0) return B.sign > 0 ? this.main![0] : this.main![1];
    const c = this.cohorts[bk - 1]!;
    return B.sign > 0 ? c.long : c.short;
  }

  /**
   * The map's value of the k-th position of a side during bar t (before that bar's close): opening
   * notional × turnover share × reaction share (see the module comment).
   */
  private currentValue(st: SideState, bk: number, k: number, t: number): number {
    let v = this.value0(st.B, k);
    const P = this.cfg.survival;
    if (P && st.slot[k] === UT) v *= bk === 0 ? P[t]! : P[t]! / P[this.cohorts[bk - 1]!.a + 1]!;
    const lo = st.lo[k]!;
    if (lo >= 0) v *= Math.pow(this.decay, t - lo);
    return v;
  }

  /**
   * The engine closed the k-th position of side B (book bk: 0 main, c + 1 cohort c) in bar t.
   * `engineNotional`: the notional the engine liquidated (its quantity · entry), recorded as the
   * flow; the map drops its own value of the position (the two agree when the map follows the
   * engine, which the conservation tests check). ADL passes null: the map's value is the flow.
   */
  remove(B: BookSide, bk: number, k: number, t: number, engineNotional: number | null): void {
    const st = this.sideState(B, bk);
    const b = st.bin[k]!;
    if (b < 0) return;
    const v = this.currentValue(st, bk, k, t);
    const slot = st.lo[k]! >= 0 ? st.slot[k]! + 2 : st.slot[k]!;
    this.acc[B.sign > 0 ? 0 : 1]![4 * b + slot]! -= v;
    if (engineNotional === null) this.map.adl[t]! += v;
    else this.map.liquidated[t]! += engineNotional;
  }

  /**
   * The close of bar t, before inflow opens its cohort: positions whose reaction price the path has
   * crossed by now start reacting, owners close their share for the bar, turnover closes h_t.
   */
  closeBar(t: number, runLow: Float64Array | undefined, runHigh: Float64Array | undefined, effLow: Float64Array, effHigh: Float64Array, h: number): void {
    const bins = this.bins;
    if (this.cfg.reaction) {
      if (this.main && runLow && runHigh) {
        this.cross(this.main[0], 0, runLow[t]!, t);
        this.cross(this.main[1], 0, runHigh[t]!, t);
      }
      for (let side = 0; side < 2; side++) {
        const heap = this.reactHeads[side]!;
        const ext = side === 0 ? effLow[t]! : effHigh[t]!;
        while (heap.size > 0) {
          const pr = side === 0 ? -heap.topKey() : heap.topKey();
          if (side === 0 ? !(ext <= pr) : !(ext >= pr)) break;
          const c = this.cohorts[heap.topId()]!;
          const st = side === 0 ? c.long : c.short;
          this.cross(st, c.bk, ext, t);
          if (st.cursor < st.react.length) heap.replaceTop(side === 0 ? -st.reactPrice[st.cursor]! : st.reactPrice[st.cursor]!);
          else heap.pop();
        }
      }
      const d = this.decay;
      let owners = 0;
      for (const A of this.acc) {
        for (let b = 0; b < bins; b++) {
          for (let s = DF; s <= DT; s++) {
            const x = A[4 * b + s]!;
            owners += x * (1 - d);
            A[4 * b + s] = x * d;
          }
        }
      }
      this.map.closedByOwners[t] = owners;
    }
    if (this.cfg.survival && h > 0) {
      let closed = 0;
      for (const A of this.acc) {
        for (let b = 0; b < bins; b++) {
          for (let s = UT; s <= DT; s += 2) {
            const x = A[4 * b + s]!;
            closed += x * h;
            A[4 * b + s] = x * (1 - h);
          }
        }
      }
      this.map.turnover[t] = closed;
    }
  }

  /** Move the positions of side st whose reaction price `ext` has reached (by the end of bar t) to the reacting accumulators. */
  private cross(st: SideState, bk: number, ext: number, t: number): void {
    const B = st.B;
    const A = this.acc[B.sign > 0 ? 0 : 1]!;
    while (st.cursor < st.react.length) {
      const pr = st.reactPrice[st.cursor]!;
      if (B.sign > 0 ? !(ext <= pr) : !(ext >= pr)) break;
      const k = st.react[st.cursor++]!;
      if (B.closed[k]) continue;
      const b = st.bin[k]!;
      if (b >= 0) {
        const v = this.currentValue(st, bk, k, t);
        A[4 * b + st.slot[k]!]! -= v;
        A[4 * b + st.slot[k]! + 2]! += v;
      }
      st.lo[k] = t;
    }
  }

  /** Inflow opened cohort `c` at the close of bar c.openedAfter (after {@link closeBar}). */
  addCohort(c: Cohort): void {
    const mk = (B: BookSide, side: number): SideState => {
      const st = this.newSide(B);
      const A = this.acc[side]!;
      let opened = 0;
      for (let k = 0; k < B.count; k++) {
        const b = this.binOf(B.liquidationPrice[k]!);
        st.bin[k] = b;
        st.slot[k] = UT;
        if (b < 0) continue;
        const v = this.value0(B, k);
        A[4 * b + UT]! += v;
        opened += v;
      }
      this.map.opened[c.openedAfter]! += opened;
      if (this.cfg.reaction) this.setReacting(st, Array.from({ length: B.count }, (_, k) => k));
      return st;
    };
    const state: CohortState = { a: c.openedAfter, bk: this.cohorts.length + 1, long: mk(c.long, 0), short: mk(c.short, 1) };
    this.cohorts.push(state);
    if (this.cfg.reaction) {
      if (state.long.react.length > 0) this.reactHeads[0].push(state.bk - 1, -state.long.reactPrice[0]!);
      if (state.short.react.length > 0) this.reactHeads[1].push(state.bk - 1, state.short.reactPrice[0]!);
    }
  }

  /** Write bar t's row (after the cohort of its close opened). */
  writeRow(t: number): void {
    const bins = this.bins;
    const rows = [this.map.long, this.map.short];
    for (let s = 0; s < 2; s++) {
      const A = this.acc[s]!;
      const row = rows[s]!;
      for (let b = 0; b < bins; b++) row[t * bins + b] = A[4 * b]! + A[4 * b + 1]! + A[4 * b + 2]! + A[4 * b + 3]!;
    }
  }
}

