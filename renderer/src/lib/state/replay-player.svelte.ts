/**
 * The replay player's state: one opened run (candles, run detail and overlays fetched once),
 * the cursor, play/pause and speed. One owner: the transport bar, the keymap and the tables
 * call these methods; the chart is told imperatively (`onMove`) so stepping costs one chart
 * update and no reactive round trip. Playback is a requestAnimationFrame loop that advances
 * by speed × elapsed time, carrying fractions of a bar over.
 */
import type { ClientApi } from '../api/connect';
import type { CandleColumns } from '../../../../shared/domain';
import { timeframeName } from '../../../../shared/domain';
import { isDesignCellRun, runCandles, type LiquidationMapResult, type OwnCandlesInfo, type RunDetail, type RunEvent, type RunInfo } from '../../../../shared/runs';
import { advance, clampIndex, distinctEventBars, eventBars, nextEventBar, positionTimelines, previousEventBar, SPEED_PRESETS, type PositionTimeline } from '../replay/cursor';
import { announce } from './status.svelte';

export interface OpenedRun {
  readonly detail: RunDetail;
  /** The candles the chart draws: the dataset's window, or the run's own (the path it replayed on). */
  readonly candles: CandleColumns;
  /**
   * When the run carries its own candles (a design-lab cell): the observed path beside the one it
   * replayed on, and what each is. Null for dataset runs (their candles are the observed ones).
   */
  readonly own: { readonly observed: CandleColumns | null; readonly info: OwnCandlesInfo } | null;
  readonly overlay: LiquidationMapResult | null;
  readonly firstBar: number;
  readonly eventBar: number[];
  readonly eventBarsSorted: number[];
  /** Own positions' margin-call and liquidation bars (status at any cursor in O(1)). */
  readonly timelines: Map<string, PositionTimeline>;
}

/** Why a run cannot be replayed bar by bar (it has neither a dataset nor candles of its own). */
export class NotReplayableError extends Error {
  constructor(readonly runId: number, message: string) {
    super(message);
    this.name = 'NotReplayableError';
  }
}

/** Whether a listed run can open on the replay screen: it has a dataset or its own candles. */
export function isReplayable(run: RunInfo): boolean {
  return run.params.datasetId !== null || run.summary.ownCandles !== undefined;
}

/**
 * Fetches what a replay needs, once: the run's candles, its detail and its overlays. A run with
 * its own candles (a design-lab cell) draws those: they are its replayed bars only, so its chart
 * starts at replayed bar 0 (firstBar 0) with no look-back.
 */
export async function loadRun(api: ClientApi, id: number, bins = 60): Promise<OpenedRun> {
  const detail = await api.call('runs.get', { id });
  const p = detail.run.params;
  const own = p.datasetId === null ? runCandles(detail) : null;
  if (p.datasetId === null && !own) {
    throw new NotReplayableError(id, isDesignCellRun(detail.run)
      ? 'this design-lab cell was stored before cells kept their candles: open the cell again from the Validation tab’s design matrix for a full replay'
      : 'this run has no dataset and no candles of its own (a shock): nothing to replay bar by bar');
  }
  const [candles, overlay] = await Promise.all([
    own ? Promise.resolve(own.exogenous) : api.call('datasets.candles', { id: p.datasetId!, ...(p.from !== null ? { from: p.from } : {}), ...(p.to !== null ? { to: p.to } : {}) }),
    api.call('runs.liquidationMap', { id, bins }).catch(() => null),
  ]);
  const eb = eventBars(detail.events, detail.series.time);
  const timelines = positionTimelines(overlay?.positions ?? [], detail.events, eb);
  return {
    detail,
    candles,
    own: own ? { observed: own.observed, info: own.info } : null,
    overlay,
    firstBar: own ? 0 : detail.run.summary.firstBar,
    eventBar: eb,
    eventBarsSorted: distinctEventBars(eb),
    timelines,
  };
}

export class ReplayPlayer {
  run = $state.raw<OpenedRun | null>(null);
  index = $state(0);
  playing = $state(false);
  speed = $state(10);
  /** Called synchronously on every cursor move (the chart). */
  onMove: ((index: number) => void) | null = null;
  private frame = 0;
  private last = 0;
  private carry = 0;

  get bars(): number {
    return this.run?.detail.series.time.length ?? 0;
  }

  get time(): number | null {
    return this.run?.detail.series.time[this.index] ?? null;
  }

  open(run: OpenedRun, index = 0): void {
    this.pause();
    this.run = run;
    this.index = clampIndex(index, run.detail.series.time.length);
  }

  close(): void {
    this.pause();
    this.run = null;
  }

  seek(index: number): void {
    if (!this.run) return;
    const next = clampIndex(index, this.bars);
    if (next === this.index) return;
    this.index = next;
    this.onMove?.(next);
  }

  step(bars: number): void {
    this.seek(this.index + bars);
  }

  start(): void {
    this.seek(0);
  }

  end(): void {
    this.seek(this.bars - 1);
  }

  /** Jumps to the next (+1) or previous (−1) bar with an event; says so when there is none. */
  jumpEvent(direction: 1 | -1): void {
    if (!this.run) return;
    const target = direction > 0 ? nextEventBar(this.run.eventBarsSorted, this.index) : previousEventBar(this.run.eventBarsSorted, this.index);
    if (target === null) {
      announce(direction > 0 ? 'No later event.' : 'No earlier event.');
      return;
    }
    this.seek(target);
  }

  setSpeed(barsPerSecond: number): void {
    if (Number.isFinite(barsPerSecond) && barsPerSecond > 0) this.speed = Math.min(1000, barsPerSecond);
  }

  /** Next (+1) or previous (−1) speed preset. */
  nudgeSpeed(direction: 1 | -1): void {
    const presets: readonly number[] = SPEED_PRESETS;
    const next = direction > 0 ? presets.find((s) => s > this.speed) : [...presets].reverse().find((s) => s < this.speed);
    if (next !== undefined) this.setSpeed(next);
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  play(): void {
    if (!this.run || this.playing) return;
    if (this.index >= this.bars - 1) this.seek(0);
    this.playing = true;
    this.carry = 0;
    this.last = performance.now();
    const tick = (now: number): void => {
      if (!this.playing) return;
      const { bars, carry } = advance(this.carry, now - this.last, this.speed);
      this.last = now;
      this.carry = carry;
      if (bars > 0) this.step(bars);
      if (this.index >= this.bars - 1) {
        this.pause();
        return;
      }
      this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  pause(): void {
    this.playing = false;
    cancelAnimationFrame(this.frame);
  }
}

/** "BTCUSDT 1m" for a run's dataset bar size. */
export function runTimeframe(run: OpenedRun): string {
  return timeframeName(run.detail.run.summary.barSeconds);
}

export type { RunEvent };
