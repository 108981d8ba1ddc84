/**
 * The settled-bitmap policy of the replay chart's bars and markers
 * (renderer/src/lib/chart/settled-plan.ts, used by settled-layer.ts): whatever the sequence of steps, jumps and key
 * changes, the bitmap plus the items drawn after it are exactly items 0…count−1 in order; the
 * bitmap never holds the last item (it may still be forming) nor one past the count (stepping
 * back must not leave a later bar or marker on screen); and a step forward draws at most a
 * block and one item.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planFrame, type SettledState } from '../../../renderer/src/lib/chart/settled-plan';

const BLOCK = 4;

/** Applies a plan to a model bitmap (the item indices drawn into it, in order); returns the items drawn directly. */
function apply(bitmap: number[], state: SettledState, key: string, count: number): { state: SettledState; direct: number[]; painted: number } {
  const plan = planFrame(state, key, count, BLOCK);
  if (plan.reset) bitmap.length = 0;
  for (let i = plan.from; i < plan.to; i++) bitmap.push(i);
  const direct: number[] = [];
  for (let i = plan.to; i < count; i++) direct.push(i);
  return { state: { key, upTo: plan.to }, direct, painted: plan.to - plan.from + direct.length };
}

describe('planFrame', () => {
  it('caches whole blocks before the last item, extends forward, restarts going back past a block or on a new key', () => {
    const empty: SettledState = { key: '', upTo: 0 };
    // 10 items: blocks [0,4) and [4,8) settle; 8 and 9 are drawn directly (9 may be forming).
    expect(planFrame(empty, 'k', 10, BLOCK)).toEqual({ reset: true, from: 0, to: 8 });
    // One step forward inside the block: nothing new for the bitmap.
    expect(planFrame({ key: 'k', upTo: 8 }, 'k', 11, BLOCK)).toEqual({ reset: false, from: 8, to: 8 });
    // 13 items: item 8…11 now settled, added to the bitmap without redrawing 0…7.
    expect(planFrame({ key: 'k', upTo: 8 }, 'k', 13, BLOCK)).toEqual({ reset: false, from: 8, to: 12 });
    // Exactly a block boundary: item 11 is the last, so it stays out of the bitmap.
    expect(planFrame({ key: 'k', upTo: 8 }, 'k', 12, BLOCK)).toEqual({ reset: false, from: 8, to: 8 });
    // Back inside the bitmap's last block: keep it.
    expect(planFrame({ key: 'k', upTo: 8 }, 'k', 9, BLOCK)).toEqual({ reset: false, from: 8, to: 8 });
    // Back past it (8 items: only 0…3 settled, the bitmap holds 4…7 too): start again.
    expect(planFrame({ key: 'k', upTo: 8 }, 'k', 8, BLOCK)).toEqual({ reset: true, from: 0, to: 4 });
    // The scales moved: start again.
    expect(planFrame({ key: 'k', upTo: 8 }, 'k2', 10, BLOCK)).toEqual({ reset: true, from: 0, to: 8 });
    // Nothing to show.
    expect(planFrame({ key: 'k', upTo: 8 }, 'k', 0, BLOCK)).toEqual({ reset: true, from: 0, to: 0 });
    expect(planFrame(empty, 'k', 1, BLOCK)).toEqual({ reset: true, from: 0, to: 0 });
  });

  it('always shows exactly items 0…count−1 in order, never a later one from the bitmap, and steps forward cheaply', () => {
    const move = fc.oneof(
      fc.record({ kind: fc.constant('step' as const), by: fc.integer({ min: -3, max: 3 }) }),
      fc.record({ kind: fc.constant('jump' as const), to: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ kind: fc.constant('rescale' as const) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.array(move, { maxLength: 80 }), (start, moves) => {
        const bitmap: number[] = [];
        let state: SettledState = { key: '', upTo: 0 };
        let key = 0;
        let count = start;
        const frame = (): number => {
          const r = apply(bitmap, state, `k${key}`, count);
          state = r.state;
          expect([...bitmap, ...r.direct]).toEqual(Array.from({ length: count }, (_, i) => i));
          expect(bitmap.every((i) => i < count - 1)).toBe(true);
          return r.painted;
        };
        frame();
        for (const m of moves) {
          const before = count;
          if (m.kind === 'step') count = Math.max(0, count + m.by);
          else if (m.kind === 'jump') count = m.to;
          else key++;
          const painted = frame();
          if (m.kind === 'step' && m.by === 1 && count === before + 1) expect(painted).toBeLessThanOrEqual(2 * BLOCK);
        }
      }),
    );
  });
});
