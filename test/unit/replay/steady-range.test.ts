/**
 * The replay's steady price range (renderer/src/lib/chart/steady-range.ts): it holds while the
 * data stays inside, grows with headroom when the data leaves it, shrinks when the data fills
 * little of it, and always contains the data it was given (it knows nothing else).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SteadyRange } from '../../../renderer/src/lib/chart/steady-range';

describe('SteadyRange', () => {
  it('fits with 10% headroom, holds while the data stays inside, refits when it leaves', () => {
    const r = new SteadyRange();
    expect(r.fit({ minValue: 100, maxValue: 200 })).toEqual({ minValue: 90, maxValue: 210 });
    // A new low inside the headroom: the axis does not move.
    expect(r.fit({ minValue: 95, maxValue: 200 })).toEqual({ minValue: 90, maxValue: 210 });
    // Below it: refitted around the data, with 25% of the new span 120 below (where it left) and 10% above.
    expect(r.fit({ minValue: 80, maxValue: 200 })).toEqual({ minValue: 50, maxValue: 212 });
    // A fall inside that headroom: held.
    expect(r.fit({ minValue: 55, maxValue: 200 })).toEqual({ minValue: 50, maxValue: 212 });
    // Out at the top: 25% of the span 160 above, 10% below.
    expect(r.fit({ minValue: 55, maxValue: 215 })).toEqual({ minValue: 39, maxValue: 255 });
    // The data shrinks to under 40% of the held range (a zoom in): refitted.
    expect(r.fit({ minValue: 150, maxValue: 160 })).toEqual({ minValue: 149, maxValue: 161 });
    r.reset();
    expect(r.fit({ minValue: 150, maxValue: 151 })).toEqual({ minValue: 149.9, maxValue: 151.1 });
  });

  it('always contains the data, and moves on fewer steps than the data’s own range does', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 2, maxLength: 400 }), (returns) => {
        const r = new SteadyRange();
        let p = 100;
        let lo = p;
        let hi = p;
        let dataMoves = 0;
        let axisMoves = 0;
        let last = r.fit({ minValue: lo, maxValue: hi });
        for (const x of returns) {
          p *= Math.exp(x);
          const nlo = Math.min(lo, p);
          const nhi = Math.max(hi, p);
          if (nlo !== lo || nhi !== hi) dataMoves++;
          lo = nlo;
          hi = nhi;
          const got = r.fit({ minValue: lo, maxValue: hi });
          expect(got.minValue).toBeLessThanOrEqual(lo);
          expect(got.maxValue).toBeGreaterThanOrEqual(hi);
          if (got.minValue !== last.minValue || got.maxValue !== last.maxValue) axisMoves++;
          last = got;
        }
        expect(axisMoves).toBeLessThanOrEqual(dataMoves);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
