/**
 * Reading stored candles: resampling checked against an independent aggregation written
 * here (a plain Map by UTC bucket over the shared files themselves), and the crash finder
 * checked against the "largest 1h drop" column of ../shared/data/README.md for every crypto
 * window. Also the crash catalog labels on datasets that cover an event.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import type { CandleColumns, ImportResult } from '../../shared/domain';
import type { CrashEvent, CrashReport } from '../../shared/market-data';
import { ApiError } from '../../shared/errors';
import { readSharedCsv, SHARED_DATA, tempDir } from '../helpers/temp';

const dir = tempDir();
const backend = new Backend({ dbPath: path.join(dir, 'read.db'), now: () => 1 });
const ids = new Map<string, number>();

async function importShared(relative: string): Promise<number> {
  if (!ids.has(relative)) {
    const r = (await backend.dispatch('datasets.importFile', { path: path.join(SHARED_DATA, relative) }, { trusted: true })) as ImportResult;
    ids.set(relative, r.dataset.id);
  }
  return ids.get(relative)!;
}

/** The obvious aggregation: rows grouped by floor(time / bucket), in order. */
function aggregate(file: ReturnType<typeof readSharedCsv>, seconds: number): CandleColumns {
  const groups = new Map<number, number[]>();
  file.time.forEach((t, i) => {
    const key = Math.floor(t / seconds) * seconds;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  });
  const out: CandleColumns = { time: [], open: [], high: [], low: [], close: [], volume: [] };
  for (const [key, rows] of groups) {
    out.time.push(key);
    out.open.push(file.open[rows[0]!]!);
    out.high.push(Math.max(...rows.map((i) => file.high[i]!)));
    out.low.push(Math.min(...rows.map((i) => file.low[i]!)));
    out.close.push(file.close[rows.at(-1)!]!);
    out.volume.push(rows.reduce((s, i) => s + file.volume[i]!, 0));
  }
  return out;
}

describe('resampling on read', () => {
  const cases: [string, string[]][] = [
    ['events/btcusdt_1m_2020-03-11_2020-03-14.csv', ['5m', '15m', '1h', '4h', '1d', '7m']],
    ['events/ethusdt_perp_1m_2022-05-07_2022-05-14.csv', ['1h', '1d']],
    ['events/ethusdt_1h_2021-05-18_2021-05-21.csv', ['4h', '1d']],
    ['tradfi/spx_1d_2020-02-03_2020-04-30.csv', ['3d']],
  ];
  it.each(cases)('%s to %s matches an independent aggregation', async (relative, timeframes) => {
    const id = await importShared(relative);
    const file = readSharedCsv(relative);
    for (const timeframe of timeframes) {
      const seconds = { '5m': 300, '7m': 420, '15m': 900, '1h': 3600, '4h': 14400, '1d': 86400, '3d': 259200 }[timeframe]!;
      const got = (await backend.dispatch('datasets.candles', { id, timeframe }, { trusted: false })) as CandleColumns;
      const want = aggregate(file, seconds);
      expect(got.time).toEqual(want.time);
      expect(got.open).toEqual(want.open);
      expect(got.high).toEqual(want.high);
      expect(got.low).toEqual(want.low);
      expect(got.close).toEqual(want.close);
      got.volume.forEach((v, i) => expect(v).toBeCloseTo(want.volume[i]!, 6));
    }
  });

  it('a 4-day 1m window gives 96 hourly and 4 daily bars; the 1d bar of 2020-03-12 has the day\'s extremes', async () => {
    const id = await importShared('events/btcusdt_1m_2020-03-11_2020-03-14.csv');
    const hourly = (await backend.dispatch('datasets.candles', { id, timeframe: '1h' }, { trusted: false })) as CandleColumns;
    expect(hourly.time).toHaveLength(96);
    const daily = (await backend.dispatch('datasets.candles', { id, timeframe: '1d' }, { trusted: false })) as CandleColumns;
    expect(daily.time).toEqual([1583884800, 1583971200, 1584057600, 1584144000]);
    // README: the window's min low 3,782.13 was printed on 2020-03-13 (daily bar 2).
    expect(Math.min(...daily.low)).toBe(3782.13);
    expect(daily.low[2]).toBe(3782.13);
  });

  it('refuses a timeframe that is not a multiple of the stored bar size, or finer than it', async () => {
    const id = await importShared('events/ethusdt_1h_2021-05-18_2021-05-21.csv');
    for (const timeframe of ['1m', '90m']) {
      const e = (await backend.dispatch('datasets.candles', { id, timeframe }, { trusted: false }).catch((x: unknown) => x)) as ApiError;
      expect(e.code).toBe('invalid_input');
      expect(e.where).toEqual({ field: 'timeframe' });
    }
  });
});

/** The README's table rows for crypto windows: file → [drop %, from, to]. */
function readmeDrops(): [string, number, string, string][] {
  const readme = fs.readFileSync(path.join(SHARED_DATA, 'README.md'), 'utf8');
  const out: [string, number, string, string][] = [];
  for (const line of readme.split('\n')) {
    const m = /^\| (events\/\S+\.csv) \|.*\| ([\d.]+)% \((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) → (\d{2}:\d{2})\) \|$/.exec(line);
    if (m) out.push([m[1]!, Number(m[2]), `${m[3]} ${m[4]}`, `${m[3]} ${m[5]}`]);
  }
  return out;
}

describe('the crash finder against ../shared/data/README.md', () => {
  const table = readmeDrops();
  it('reads the 17 crypto rows of the README table', () => {
    expect(table).toHaveLength(17);
  });

  it.each(table)('%s: largest 1h drop %s% from %s to %s', async (relative, percent, from, to) => {
    const id = await importShared(relative);
    const report = (await backend.dispatch('datasets.crashes', { id, windows: [3600], limit: 3 }, { trusted: false })) as CrashReport;
    const worst = report.windows[0]!.drops[0]!;
    const minute = (s: number): string => new Date(s * 1000).toISOString().slice(0, 16).replace('T', ' ');
    expect(Math.round(worst.drop * 1000) / 10).toBe(percent);
    expect(minute(worst.fromTime)).toBe(from);
    expect(minute(worst.toTime)).toBe(to);
    // The next drops do not overlap the worst one.
    for (const other of report.windows[0]!.drops.slice(1)) expect(other.fromTime > worst.toTime || other.toTime < worst.fromTime).toBe(true);
  });

  it('finds the worst 24h move of Black Thursday and labels the window with the catalog event', async () => {
    const id = await importShared('events/btcusdt_1m_2020-03-11_2020-03-14.csv');
    const report = (await backend.dispatch('datasets.crashes', { id }, { trusted: false })) as CrashReport;
    expect(report.windows.map((w) => w.windowSeconds)).toEqual([3600, 86400]);
    const day = report.windows[1]!.drops[0]!;
    // Independent check: max over t of (close_t − min low in (t, t+24h]) / close_t by brute force.
    const f = readSharedCsv('events/btcusdt_1m_2020-03-11_2020-03-14.csv');
    let best = 0;
    for (let i = 0; i < f.time.length; i++) {
      let min = Infinity;
      for (let j = i + 1; j < f.time.length && f.time[j]! <= f.time[i]! + 86400; j++) min = Math.min(min, f.low[j]!);
      if (min < Infinity) best = Math.max(best, (f.close[i]! - min) / f.close[i]!);
    }
    expect(day.drop).toBeCloseTo(best, 12);
    expect(day.toPrice).toBe(3782.13);
    expect(report.events.map((e: CrashEvent) => e.id)).toEqual(['2020-03-12']);
  });

  it('the catalog holds the eight known events, each fact with a source', async () => {
    const events = (await backend.dispatch('crashes.catalog', {}, { trusted: false })) as CrashEvent[];
    expect(events.map((e) => e.from)).toEqual(['1987-10-19', '2010-05-06', '2020-03-12', '2021-05-19', '2022-05-09', '2022-11-08', '2024-08-05', '2025-10-10']);
    for (const e of events) {
      expect(e.description.length).toBeGreaterThan(20);
      for (const fact of e.facts) expect(fact.source.length).toBeGreaterThan(3);
    }
  });
});
