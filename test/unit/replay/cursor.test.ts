/**
 * The replay cursor (renderer/src/lib/replay/cursor.ts): stepping arithmetic, event jumps, the
 * update/pop/setData choice, playback pacing, and — the rule of the screen — no look-ahead:
 * whatever is returned for bar N is unchanged when anything at bar N+1 or later changes.
 * Not covered here: the chart itself (e2e).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { positionTimelines, timelineStateAt } from '../../../renderer/src/lib/replay/cursor';
import { advance, barIndexAt, clampIndex, distinctEventBars, eventBars, eventCountAt, eventsUpTo, lineSpanAt, nextEventBar, positionStateAt, previousEventBar, transition, INCREMENTAL_LIMIT } from '../../../renderer/src/lib/replay/cursor';
import type { RunEvent } from '../../../shared/runs';

const times = Array.from({ length: 20 }, (_, i) => 1_000 + 60 * i);
const ev = (time: number, kind: RunEvent['kind'], ref: string | null, price = 100): RunEvent => ({ time, kind, ref, side: 'long', price, notional: 1, pnl: 0, count: 1, detail: null });

describe('replay cursor', () => {
  it('clamps to the replayed bars', () => {
    expect(clampIndex(-3, 20)).toBe(0);
    expect(clampIndex(25, 20)).toBe(19);
    expect(clampIndex(7, 20)).toBe(7);
    expect(clampIndex(3, 0)).toBe(0);
  });

  it('maps event times into the bar that holds them, including intrabar times', () => {
    expect(barIndexAt(times, 999)).toBe(-1);
    expect(barIndexAt(times, 1_000)).toBe(0);
    expect(barIndexAt(times, 1_059)).toBe(0);
    expect(barIndexAt(times, 1_060)).toBe(1);
    expect(eventBars([ev(1_130, 'liquidation', 'a'), ev(500, 'halt', null)], times)).toEqual([2, 0]);
  });

  it('finds the next and previous event bars, or none', () => {
    const bars = distinctEventBars([5, 2, 5, 9]);
    expect(bars).toEqual([2, 5, 9]);
    expect(nextEventBar(bars, 2)).toBe(5);
    expect(nextEventBar(bars, 9)).toBeNull();
    expect(previousEventBar(bars, 5)).toBe(2);
    expect(previousEventBar(bars, 2)).toBeNull();
  });

  it('moves forward with update(), back with pop(), and jumps with setData()', () => {
    expect(transition(5, 5)).toEqual({ kind: 'none' });
    expect(transition(5, 6)).toEqual({ kind: 'forward', from: 6, to: 6 });
    expect(transition(5, 15)).toEqual({ kind: 'forward', from: 6, to: 15 });
    expect(transition(15, 5)).toEqual({ kind: 'back', count: 10 });
    expect(transition(0, INCREMENTAL_LIMIT + 1)).toEqual({ kind: 'reset', to: INCREMENTAL_LIMIT + 1 });
    expect(transition(INCREMENTAL_LIMIT + 1, 0)).toEqual({ kind: 'reset', to: 0 });
  });

  it('paces playback by elapsed time, carrying fractions of a bar', () => {
    // 10 bars/s for 16 ms = 0.16 bar: nothing yet; the fraction carries into later frames.
    let state = { bars: 0, carry: 0 };
    let total = 0;
    for (let i = 0; i < 100; i++) {
      state = advance(state.carry, 16, 10);
      total += state.bars;
    }
    expect(total).toBe(16); // 100 frames × 16 ms = 1.6 s at 10 bars/s
    expect(advance(0, 1000, 60).bars).toBe(60);
  });

  it('gives a position its status from events up to the cursor only', () => {
    const events = [ev(1_060, 'margin_call', 'p1', 95), ev(1_180, 'liquidation', 'p1', 90), ev(1_240, 'liquidation', 'p2', 80)];
    const eb = eventBars(events, times);
    const line = { id: 'p1', openedAt: 1_000 };
    expect(positionStateAt(line, events, eb, times, 0).status).toBe('healthy');
    expect(positionStateAt(line, events, eb, times, 1).status).toBe('margin-call');
    expect(positionStateAt(line, events, eb, times, 2).status).toBe('margin-call');
    const at3 = positionStateAt(line, events, eb, times, 3);
    expect(at3.status).toBe('liquidated');
    expect(at3.liquidatedAt).toEqual({ time: 1_180, price: 90 });
    expect(positionStateAt({ id: 'late', openedAt: 1_300 }, events, eb, times, 3).status).toBe('not-open');
  });

  it('draws a position line from the bar it opened, cut at its liquidation only once the cursor has reached it', () => {
    expect(lineSpanAt(5, 9, 4)).toBeNull(); // not opened yet
    expect(lineSpanAt(5, 9, 5)).toEqual({ from: 5, to: null }); // open: to the right edge
    expect(lineSpanAt(5, 9, 8)).toEqual({ from: 5, to: null }); // liquidated later: still open now
    expect(lineSpanAt(5, 9, 9)).toEqual({ from: 5, to: 9 });
    expect(lineSpanAt(5, null, 100)).toEqual({ from: 5, to: null });
  });

  it('never looks ahead: changing anything after bar N changes nothing returned at N', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ bar: fc.integer({ min: 0, max: 19 }), kind: fc.constantFrom<RunEvent['kind']>('margin_call', 'liquidation', 'halt'), ref: fc.constantFrom('p1', 'p2', null), price: fc.double({ min: 1, max: 1e5, noNaN: true }) }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 18 }),
        fc.array(fc.record({ bar: fc.integer({ min: 0, max: 19 }), kind: fc.constantFrom<RunEvent['kind']>('margin_call', 'liquidation'), ref: fc.constantFrom('p1', 'p2'), price: fc.double({ min: 1, max: 1e5, noNaN: true }) }), { maxLength: 10 }),
        (raw, n, later) => {
          const toEvents = (list: typeof raw): RunEvent[] => list.sort((a, b) => a.bar - b.bar).map((r) => ev(times[r.bar]! + 5, r.kind, r.ref, r.price));
          const base = toEvents(raw.map((r) => ({ ...r })));
          // Same history up to bar n, anything at all after it.
          const altered = toEvents([...raw.filter((r) => r.bar <= n), ...later.map((r) => ({ ...r, bar: Math.max(n + 1, r.bar) }))]);
          const view = (events: RunEvent[]) => {
            const eb = eventBars(events, times);
            return {
              count: eventCountAt(eb, n),
              upTo: eventsUpTo(events, eb, n),
              p1: positionStateAt({ id: 'p1', openedAt: null }, events, eb, times, n),
              p2: positionStateAt({ id: 'p2', openedAt: null }, events, eb, times, n),
              previous: previousEventBar(distinctEventBars(eb), n + 1),
              timeline: ['p1', 'p2'].map((id) => timelineStateAt(positionTimelines([{ id, openedAt: null }], events, eb).get(id)!, times, n)),
              // Position lines: open from bar 0 (or 3), cut at their first liquidation once reached.
              lines: ['p1', 'p2'].flatMap((id) => [0, 3].map((openBar) => lineSpanAt(openBar, positionTimelines([{ id, openedAt: null }], events, eb).get(id)!.liquidation?.bar ?? null, n))),
            };
          };
          expect(view(altered)).toEqual(view(base));
          // The O(1) timeline gives the same answers as the scan.
          const v = view(base);
          expect(v.timeline).toEqual([v.p1, v.p2]);
        },
      ),
    );
  });
});
