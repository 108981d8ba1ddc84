/** Stored runs: series survive the binary blob exactly; events keep their order and fields. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/backend/store/db';
import { decodeSeries, encodeSeries, RunStore } from '../../electron/backend/store/runs';

describe('series blob', () => {
  it('round-trips any doubles exactly, including -0, NaN and infinities', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { maxLength: 50 }), fc.array(fc.double(), { maxLength: 50 }), (a, b) => {
        const n = Math.min(a.length, b.length);
        const series = { price: a.slice(0, n), 'fund ünïcode': b.slice(0, n) };
        const back = decodeSeries(encodeSeries(series));
        expect(Object.keys(back)).toEqual(Object.keys(series));
        expect(back.price!.map((x) => Object.is(x, -0) ? '-0' : x)).toEqual(series.price.map((x) => Object.is(x, -0) ? '-0' : x));
        expect(back['fund ünïcode']).toEqual(series['fund ünïcode']);
      }),
    );
  });

  it('refuses columns of different lengths', () => {
    expect(() => encodeSeries({ a: [1, 2], b: [1] })).toThrow(/b has 1 values, expected 2/);
  });
});

describe('RunStore', () => {
  it('stores a run with its params, summary, series and events in one piece', () => {
    const db = openDatabase(':memory:');
    const store = new RunStore(db);
    const id = store.insert(
      {
        kind: 'replay', name: 'r', datasetId: null, portfolioId: null, params: { seed: 7, impact: { model: 'none' } },
        engineVersion: '1', seed: 7, summary: { liquidations: 1 },
        series: { time: [60, 120], price: [10, 9.5] },
        events: [
          { time: 120, kind: 'liquidation', ref: 'p1', side: 'long', price: 9.5, notional: 95, pnl: -5, count: 1, detail: null },
          { time: 120, kind: 'halt', ref: null, side: null, price: 9.5, notional: 0, pnl: 0, count: 1, detail: 'breaker' },
        ],
      },
      1000,
    );
    expect(store.get(id)).toMatchObject({ kind: 'replay', params: { seed: 7, impact: { model: 'none' } }, summary: { liquidations: 1 }, eventCount: 2, createdAt: 1000 });
    expect(store.series(id)).toEqual({ time: [60, 120], price: [10, 9.5] });
    expect(store.events(id).map((e) => e.kind)).toEqual(['liquidation', 'halt']);
    expect(store.delete(id)).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM run_events').get()).toEqual({ n: 0 });
  });

  it('keeps the cascade round of each event, null when it has none', () => {
    const db = openDatabase(':memory:');
    const store = new RunStore(db);
    const id = store.insert(
      {
        kind: 'shock', name: 's', datasetId: null, portfolioId: null, params: {}, engineVersion: '1', seed: 0, summary: null, series: {},
        events: [
          { time: 60, kind: 'margin_call', ref: 'p1', side: 'long', price: 10, notional: 100, pnl: 0, count: 1, detail: null },
          { time: 60, kind: 'liquidation', ref: 'long 25x', side: 'long', price: 9.5, notional: 950, pnl: -40, count: 7, detail: null, round: 0 },
          { time: 60, kind: 'liquidation', ref: 'long 10x', side: 'long', price: 9.2, notional: 920, pnl: -80, count: 3, detail: null, round: 2 },
        ],
      },
      1000,
    );
    expect(store.events(id).map((e) => e.round)).toEqual([null, 0, 2]);
  });
});
