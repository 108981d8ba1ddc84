/**
 * The store on a real file database in a temp dir, and the importer on every candle file
 * in ../shared/data: row counts, first/last times and OHLC values checked against the
 * files themselves (read here by an independent reader), idempotent re-import, migrations,
 * and refusals that leave the database unchanged. Not covered: the HTTP transport.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { openDatabase } from '../../electron/backend/store/db';
import { SCHEMA_VERSION } from '../../electron/backend/store/migrations';
import { ApiError } from '../../shared/errors';
import { readSharedCsv, SHARED_DATA, tempDir } from '../helpers/temp';
import { snapshot } from '../helpers/db-snapshot';

const dir = tempDir();
const FILES = [
  ...fs.readdirSync(path.join(SHARED_DATA, 'events')).filter((f) => f.endsWith('.csv')).map((f) => `events/${f}`),
  ...fs.readdirSync(path.join(SHARED_DATA, 'tradfi')).filter((f) => f.endsWith('.csv')).map((f) => `tradfi/${f}`),
];

describe('importing the real crash windows', () => {
  const backend = new Backend({ dbPath: path.join(dir, 'real.db'), now: () => 1_700_000_000 });

  it('finds all 20 candle files of ../shared/data', () => {
    expect(FILES.length).toBe(20);
  });

  it.each(FILES)('%s: every row stored, as in the file', async (relative) => {
    const expected = readSharedCsv(relative);
    const result = (await backend.dispatch('datasets.importFile', { path: path.join(SHARED_DATA, relative) }, { trusted: true })) as {
      dataset: { id: number; rows: number; firstTime: number; lastTime: number; symbol: string };
      added: number;
    };
    expect(result.added).toBe(expected.time.length);
    expect(result.dataset.rows).toBe(expected.time.length);
    expect(result.dataset.firstTime).toBe(expected.time[0]);
    expect(result.dataset.lastTime).toBe(expected.time.at(-1));
    const stored = backend.datasets.candles(result.dataset.id);
    expect(stored.time).toEqual(expected.time);
    // A few OHLC values spread over the file, compared exactly.
    for (const i of [0, Math.floor(expected.time.length / 2), expected.time.length - 1]) {
      expect([stored.open[i], stored.high[i], stored.low[i], stored.close[i], stored.volume[i]]).toEqual([
        expected.open[i], expected.high[i], expected.low[i], expected.close[i], expected.volume[i],
      ]);
    }
  });

  it('reads symbol and bar size from the file names', () => {
    const byFile = new Map(backend.datasets.list().map((d) => [d.sources[0]!.fileName, d]));
    expect(byFile.get('btcusdt_1m_2020-03-11_2020-03-14.csv')).toMatchObject({ symbol: 'BTCUSDT', barSeconds: 60, rows: 5760 });
    expect(byFile.get('ethusdt_1h_2021-05-18_2021-05-21.csv')).toMatchObject({ symbol: 'ETHUSDT', barSeconds: 3600, rows: 96 });
    expect(byFile.get('btcusdt_perp_1m_2022-11-07_2022-11-10.csv')).toMatchObject({ market: 'perp' });
    expect(byFile.get('btcusdt_kucoin_1m_2024-08-05_2024-08-05.csv')).toMatchObject({ venue: 'kucoin' });
    expect(byFile.get('spx_1d_1987-09-01_1987-11-30.csv')).toMatchObject({ symbol: 'SPX', barSeconds: 86400, rows: 63 });
  });

  it('the known crash prints are there: 3,782.13 on 2020-03-13 and exactly 30,000 on 2021-05-19', () => {
    const lows = backend.db
      .prepare('SELECT d.symbol, min(c.low) AS low FROM candles c JOIN datasets d ON d.id = c.dataset_id JOIN dataset_sources s ON s.dataset_id = d.id WHERE s.file_name = ? ')
      .get('btcusdt_1m_2020-03-11_2020-03-14.csv') as { low: number };
    expect(lows.low).toBe(3782.13); // ../shared/data/README.md "min low" column
    const may = backend.db
      .prepare('SELECT min(c.low) AS low FROM candles c JOIN dataset_sources s ON s.dataset_id = c.dataset_id WHERE s.file_name = ?')
      .get('btcusdt_1m_2021-05-18_2021-05-21.csv') as { low: number };
    expect(may.low).toBe(30000);
  });

  it('re-importing identical content stores nothing new and says so', async () => {
    const before = snapshot(backend.db);
    const again = (await backend.dispatch(
      'datasets.importFile',
      { path: path.join(SHARED_DATA, 'events/btcusdt_1m_2020-03-11_2020-03-14.csv') },
      { trusted: true },
    )) as { alreadyImported: boolean; added: number };
    expect(again).toMatchObject({ alreadyImported: true, added: 0 });
    expect(snapshot(backend.db)).toBe(before);
  });
});

describe('bad input leaves the database unchanged', () => {
  const backend = new Backend({ dbPath: path.join(dir, 'bad.db'), now: () => 1_700_000_000 });
  const good = fs.readFileSync(path.join(SHARED_DATA, 'events/ethusdt_1h_2020-03-11_2020-03-14.csv'), 'utf8');
  const lines = good.split('\n');

  const cases: [string, string, { line?: number; field?: string }][] = [
    ['an empty file', '', {}],
    ['a text field in a price column', [...lines.slice(0, 40), lines[40]!.replace(/,[^,]+,/, ',n/a,'), ...lines.slice(41)].join('\n'), { line: 41, field: 'open' }],
    ['unsorted times', [...lines.slice(0, 10), lines[11], lines[10], ...lines.slice(12)].join('\n'), { line: 12, field: 'time' }],
    ['a low above high row', [...lines.slice(0, 5), '1583899200,200,150,250,180,10', ...lines.slice(6)].join('\n'), { line: 6, field: 'low' }],
  ];

  it.each(cases)('%s → file and line named, nothing stored', async (_name, text, where) => {
    await backend.dispatch('datasets.importText', { fileName: 'ethusdt_1h_x.csv', text: good }, { trusted: false });
    const before = snapshot(backend.db);
    const error = await backend
      .dispatch('datasets.importText', { fileName: 'ethusdt_1h_bad.csv', text }, { trusted: false })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('invalid_input');
    expect((error as ApiError).where).toEqual({ file: 'ethusdt_1h_bad.csv', ...where });
    expect(snapshot(backend.db)).toBe(before);
  });

  it('a symbol it cannot guess is asked for, by field', async () => {
    const error = (await backend
      .dispatch('datasets.importText', { fileName: 'candles.csv', text: `${good}\n\n\n` }, { trusted: false })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.where).toEqual({ file: 'candles.csv', field: 'symbol' });
    const ok = (await backend.dispatch('datasets.importText', { fileName: 'candles.csv', text: good.replace('\n', '\n\n'), symbol: 'ethusdt' }, { trusted: false })) as {
      dataset: { symbol: string };
    };
    expect(ok.dataset.symbol).toBe('ETHUSDT');
  });

  it('a bar size that contradicts the data is refused', async () => {
    const error = (await backend
      .dispatch('datasets.importText', { fileName: 'ethusdt_5m_wrong.csv', text: `${good}\n` }, { trusted: false })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe('the bar size in the file name is 5m but the rows are 1h apart');
  });
});

describe('database file', () => {
  it('is created with WAL, foreign keys and the current schema version, and persists across opens', () => {
    const file = path.join(dir, 'persist.db');
    const backend = new Backend({ dbPath: file, now: () => 1 });
    backend.datasets.insert(
      {
        symbol: 'X', venue: null, market: 'unknown', barSeconds: 60, priceDecimals: 1,
        source: { fileName: 'x.csv', sha256: 'a'.repeat(64), format: 'generic-csv' },
        candles: { time: [60], open: [1], high: [1], low: [1], close: [1], volume: [0], rows: 1 },
      },
      1,
    );
    backend.close();
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect((db.prepare('SELECT count(*) AS n FROM candles').get() as { n: number }).n).toBe(1);
    // Deleting a dataset takes its candles and sources with it (foreign keys cascade).
    db.prepare('DELETE FROM datasets').run();
    expect((db.prepare('SELECT count(*) AS n FROM candles').get() as { n: number }).n).toBe(0);
    db.close();
  });

  it('refuses a database from a newer Undertow and leaves it as it was', () => {
    const file = path.join(dir, 'newer.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const bytes = fs.readFileSync(file);
    expect(() => openDatabase(file)).toThrow(/newer than this Undertow understands/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses a file that is not a database, naming it, and does not overwrite it', () => {
    const file = path.join(dir, 'corrupt.db');
    fs.writeFileSync(file, 'this is not sqlite '.repeat(400));
    const bytes = fs.readFileSync(file);
    let error: unknown;
    try {
      openDatabase(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(/not an Undertow database or is corrupt/);
    expect((error as ApiError).where.file).toBe(file);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });
});
