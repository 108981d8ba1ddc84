/**
 * The replay cursor: which replayed bar is "now", and what may be shown at it. Pure functions
 * over precomputed run data, so stepping never waits for the engine and never looks ahead:
 * every function that returns data for cursor N reads only bars 0…N (a unit test checks that
 * changing bar N+1 changes nothing returned at N).
 *
 * Indices: `index` counts replayed bars (0 = the run's first replayed bar); the chart also
 * shows the bars before it (the population look-back), so chart bar = firstBar + index.
 */
import type { PositionLine, RunEvent } from '../../../../shared/runs';

/** Clamp a cursor index to [0, bars − 1]. */
export function clampIndex(index: number, bars: number): number {
  if (bars <= 0) return 0;
  return Math.max(0, Math.min(bars - 1, Math.round(index)));
}

/** Index of the bar holding time `t` (the last bar opening at or before t), or −1 before the first. */
export function barIndexAt(barTimes: readonly number[], t: number): number {
  let lo = 0;
  let hi = barTimes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (barTimes[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Replayed-bar index of each event (events before the first bar count as bar 0). */
export function eventBars(events: readonly RunEvent[], barTimes: readonly number[]): number[] {
  return events.map((e) => Math.max(0, barIndexAt(barTimes, e.time)));
}

/** Distinct bars that hold at least one event, ascending. */
export function distinctEventBars(bars: readonly number[]): number[] {
  return [...new Set(bars)].sort((a, b) => a - b);
}

/** First event bar after `index`, or null. */
export function nextEventBar(sortedBars: readonly number[], index: number): number | null {
  for (const b of sortedBars) if (b > index) return b;
  return null;
}

/** Last event bar before `index`, or null. */
export function previousEventBar(sortedBars: readonly number[], index: number): number | null {
  let found: number | null = null;
  for (const b of sortedBars) {
    if (b >= index) break;
    found = b;
  }
  return found;
}

/**
 * How many of the (time-ordered) events have happened by the end of bar `index`: the count of
 * entries ≤ index in the ascending `eventBarIndex` (a binary search; also used for any sorted
 * list of bars, such as the chart's marker and position-line bars).
 */
export function eventCountAt(eventBarIndex: readonly number[], index: number): number {
  let lo = 0;
  let hi = eventBarIndex.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (eventBarIndex[mid]! <= index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The events that have happened by the end of bar `index` (never a later one). */
export function eventsUpTo<T>(events: readonly T[], eventBarIndex: readonly number[], index: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < events.length; i++) if (eventBarIndex[i]! <= index) out.push(events[i]!);
  return out;
}

export type PositionStatus = 'not-open' | 'healthy' | 'margin-call' | 'liquidated';

export interface PositionState {
  readonly status: PositionStatus;
  /** Fill price of the liquidation when it happened by the cursor. */
  readonly liquidatedAt: { readonly time: number; readonly price: number } | null;
  readonly marginCallAt: { readonly time: number; readonly price: number } | null;
}

/**
 * A position's status at the end of bar `index`, from the events up to that bar only.
 * `barTimes[index]` is the bar's open; a position opened after it is "not open" yet.
 */
export function positionStateAt(line: Pick<PositionLine, 'id' | 'openedAt'>, events: readonly RunEvent[], eventBarIndex: readonly number[], barTimes: readonly number[], index: number): PositionState {
  let liquidatedAt: PositionState['liquidatedAt'] = null;
  let marginCallAt: PositionState['marginCallAt'] = null;
  for (let i = 0; i < events.length && eventBarIndex[i]! <= index; i++) {
    const e = events[i]!;
    if (e.ref !== line.id) continue;
    if (e.kind === 'liquidation' && !liquidatedAt) liquidatedAt = { time: e.time, price: e.price };
    if (e.kind === 'margin_call' && !marginCallAt) marginCallAt = { time: e.time, price: e.price };
  }
  const barTime = barTimes[index] ?? Number.NEGATIVE_INFINITY;
  const status: PositionStatus = liquidatedAt ? 'liquidated' : line.openedAt !== null && line.openedAt > barTime ? 'not-open' : marginCallAt ? 'margin-call' : 'healthy';
  return { status, liquidatedAt, marginCallAt };
}

/**
 * A position line at cursor bar `index`: null before the bar its position opened; else the bars
 * it spans, `to` being the bar of its liquidation once that has happened by `index`, or null
 * while it is still open at the cursor (drawn to the right edge). Any index base works (replayed
 * or chart bars) as long as all three share it; a later liquidation changes nothing at `index`.
 */
export function lineSpanAt(openBar: number, liquidatedBar: number | null, index: number): { from: number; to: number | null } | null {
  if (openBar > index) return null;
  return { from: openBar, to: liquidatedBar !== null && liquidatedBar <= index ? liquidatedBar : null };
}

/** How the chart should get from one cursor to another. */
export type Transition =
  | { readonly kind: 'none' }
  | { readonly kind: 'forward'; readonly from: number; readonly to: number }
  | { readonly kind: 'back'; readonly count: number }
  | { readonly kind: 'reset'; readonly to: number };

/** Most bars appended with `update()` or removed with `pop()` before a `setData()` is cheaper. */
export const INCREMENTAL_LIMIT = 64;

/** Forward by a few bars: update() each; back by a few: pop(); anything else: setData(). */
export function transition(from: number, to: number): Transition {
  if (to === from) return { kind: 'none' };
  if (to > from && to - from <= INCREMENTAL_LIMIT) return { kind: 'forward', from: from + 1, to };
  if (to < from && from - to <= INCREMENTAL_LIMIT) return { kind: 'back', count: from - to };
  return { kind: 'reset', to };
}

/** Bars to advance in a frame of `elapsedMs` at `barsPerSecond`, carrying the fraction over. */
export function advance(carry: number, elapsedMs: number, barsPerSecond: number): { bars: number; carry: number } {
  const total = carry + (Math.max(0, elapsedMs) * barsPerSecond) / 1000;
  const bars = Math.floor(total);
  return { bars, carry: total - bars };
}

/** Speed presets of the transport bar (bars per second). */
export const SPEED_PRESETS = [1, 2, 5, 10, 30, 60] as const;

/** Per position: the bar (and fill) of its first margin call and liquidation, read once per run. */
export interface PositionTimeline {
  readonly openedAt: number | null;
  readonly marginCall: { readonly bar: number; readonly time: number; readonly price: number } | null;
  readonly liquidation: { readonly bar: number; readonly time: number; readonly price: number } | null;
}

/** One pass over the events: each position's margin-call and liquidation bars. */
export function positionTimelines(lines: readonly Pick<PositionLine, 'id' | 'openedAt'>[], events: readonly RunEvent[], eventBarIndex: readonly number[]): Map<string, PositionTimeline> {
  const out = new Map<string, { openedAt: number | null; marginCall: PositionTimeline['marginCall']; liquidation: PositionTimeline['liquidation'] }>();
  for (const line of lines) out.set(line.id, { openedAt: line.openedAt, marginCall: null, liquidation: null });
  events.forEach((e, i) => {
    const t = e.ref === null ? undefined : out.get(e.ref);
    if (!t) return;
    const at = { bar: eventBarIndex[i]!, time: e.time, price: e.price };
    if (e.kind === 'liquidation' && !t.liquidation) t.liquidation = at;
    if (e.kind === 'margin_call' && !t.marginCall) t.marginCall = at;
  });
  return out;
}

/** {@link positionStateAt} in O(1) from a precomputed timeline (same answers; a test checks). */
export function timelineStateAt(t: PositionTimeline, barTimes: readonly number[], index: number): PositionState {
  const liquidatedAt = t.liquidation && t.liquidation.bar <= index ? { time: t.liquidation.time, price: t.liquidation.price } : null;
  const marginCallAt = t.marginCall && t.marginCall.bar <= index ? { time: t.marginCall.time, price: t.marginCall.price } : null;
  const barTime = barTimes[index] ?? Number.NEGATIVE_INFINITY;
  const status: PositionStatus = liquidatedAt ? 'liquidated' : t.openedAt !== null && t.openedAt > barTime ? 'not-open' : marginCallAt ? 'margin-call' : 'healthy';
  return { status, liquidatedAt, marginCallAt };
}
