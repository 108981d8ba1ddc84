import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CandleColumns } from '../../../shared/domain';
import { bucketize, bucketStart, candlesAt, formingCandle, intervalChoices, sumsAt } from '../../../renderer/src/lib/replay/interval';

/** Random 1m bars (with gaps) starting at a random minute. */
const barsArb = fc
  .record({
    start: fc.integer({ min: 0, max: 10_000 }),
    rows: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 3 }), o: fc.double({ min: 1, max: 1000, noNaN: true }), a: fc.double({ min: 0, max: 50, noNaN: true }), b: fc.double({ min: 0, max: 50, noNaN: true }), c: fc.double({ min: 0, max: 1, noNaN: true }), v: fc.double({ min: 0, max: 100, noNaN: true }) }), { minLength: 1, maxLength: 200 }),
  })
  .map(({ start, rows }): CandleColumns => {
    const c: CandleColumns = { time: [], open: [], high: [], low: [], close: [], volume: [] };
    let t = start * 60;
    for (const r of rows) {
      t += r.gap * 60;
      const high = r.o + r.a;
      const low = r.o - r.b;
      c.time.push(t); c.open.push(r.o); c.high.push(high); c.low.push(low); c.close.push(low + (high - low) * r.c); c.volume.push(r.v);
    }
    return c;
  });

const sizeArb = fc.constantFrom(60, 300, 900, 3600);

/** Independent aggregation: every bar i ≤ n whose UTC bucket is the one of bar n. */
function naiveForming(c: CandleColumns, seconds: number, n: number): { time: number; open: number; high: number; low: number; close: number; volume: number } {
  const start = Math.floor(c.time[n]! / seconds) * seconds;
  const idx = c.time.map((t, i) => ({ t, i })).filter(({ t, i }) => i <= n && t >= start && t < start + seconds).map(({ i }) => i);
  return {
    time: start,
    open: c.open[idx[0]!]!,
    high: Math.max(...idx.map((i) => c.high[i]!)),
    low: Math.min(...idx.map((i) => c.low[i]!)),
    close: c.close[n]!,
    volume: idx.reduce((s, i) => s + c.volume[i]!, 0),
  };
}

describe('replay interval (higher timeframe of stored bars)', () => {
  it('offers the stored size and its multiples', () => {
    expect(intervalChoices(60)).toEqual([60, 300, 900, 3600, 14_400, 86_400]);
    expect(intervalChoices(3600)).toEqual([3600, 14_400, 86_400]);
    expect(intervalChoices(7)).toEqual([7]);
  });

  it('buckets by UTC: 1h of 1m bars starts on the hour', () => {
    expect(bucketStart(Date.UTC(2020, 2, 12, 13, 47) / 1000, 3600)).toBe(Date.UTC(2020, 2, 12, 13) / 1000);
  });

  it('never shows a later bar: changing any stored bar after N changes nothing shown at N', () => {
    fc.assert(
      fc.property(barsArb, sizeArb, fc.nat(), fc.double({ min: 1, max: 5000, noNaN: true }), (c, seconds, nRaw, x) => {
        const n = nRaw % c.time.length;
        const b = bucketize(c.time, seconds);
        const before = candlesAt(c, b, n);
        const sumsBefore = sumsAt(c.volume, b, 0, n);
        const changed: CandleColumns = { time: c.time, open: [...c.open], high: [...c.high], low: [...c.low], close: [...c.close], volume: [...c.volume] };
        for (let i = n + 1; i < c.time.length; i++) {
          changed.open[i] = x; changed.high[i] = x * 2; changed.low[i] = x / 2; changed.close[i] = x; changed.volume[i] = x;
        }
        expect(candlesAt(changed, b, n)).toEqual(before);
        expect(sumsAt(changed.volume, b, 0, n)).toEqual(sumsBefore);
      }),
      { numRuns: 300 },
    );
  });

  it('the forming bucket equals an independent aggregation of bars bucketStart…N; completed ones of their whole bucket', () => {
    fc.assert(
      fc.property(barsArb, sizeArb, fc.nat(), (c, seconds, nRaw) => {
        const n = nRaw % c.time.length;
        const b = bucketize(c.time, seconds);
        const shown = candlesAt(c, b, n);
        const forming = naiveForming(c, seconds, n);
        expect(shown[shown.length - 1]).toEqual({ ...forming, volume: expect.closeTo(forming.volume, 6) as unknown as number });
        expect(formingCandle(c, b, n).time).toBe(forming.time);
        // Completed buckets: each is the forming bucket at its own last bar.
        for (let j = 0; j < shown.length - 1; j++) {
          const last = b.first[j + 1]! - 1;
          const whole = naiveForming(c, seconds, last);
          expect(shown[j]!.open).toBe(whole.open);
          expect(shown[j]!.high).toBe(whole.high);
          expect(shown[j]!.low).toBe(whole.low);
          expect(shown[j]!.close).toBe(whole.close);
          expect(shown[j]!.time).toBe(whole.time);
        }
        // Times strictly increase (the chart requires it) and every one is on a bucket boundary.
        for (let j = 0; j < shown.length; j++) {
          expect(shown[j]!.time % seconds).toBe(0);
          if (j > 0) expect(shown[j]!.time).toBeGreaterThan(shown[j - 1]!.time);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('at the stored size every bar is its own bucket', () => {
    fc.assert(
      fc.property(barsArb, fc.nat(), (c, nRaw) => {
        const n = nRaw % c.time.length;
        const shown = candlesAt(c, bucketize(c.time, 60), n);
        expect(shown.length).toBe(n + 1);
        expect(shown.map((s) => s.close)).toEqual(c.close.slice(0, n + 1));
      }),
    );
  });

  it('sums per-bar values per bucket up to the cursor, with an offset for the look-back', () => {
    const time = [0, 60, 120, 180, 240, 300, 360];
    const b = bucketize(time, 180);
    // values belong to stored bars 2…6
    expect(sumsAt([1, 2, 3, 4, 5], b, 2, 4)).toEqual([{ time: 0, value: 1 }, { time: 180, value: 5 }]);
    expect(sumsAt([1, 2, 3, 4, 5], b, 2, 6)).toEqual([{ time: 0, value: 1 }, { time: 180, value: 9 }, { time: 360, value: 5 }]);
  });
});
