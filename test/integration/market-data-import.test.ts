/**
 * The market-data importer on a real file database: the hand-made bad-input corpus of
 * test/fixtures/market-data (each rejection's message, and the database byte-for-byte
 * unchanged), zip archives built here from the real files of ../shared/data, several files
 * becoming one dataset (agreeing overlaps kept once, disagreeing ones refused naming both
 * files and the time), Binance file-name periods, progress pushes and cancel, and the
 * streaming upload route. Resampling and the crash finder are in market-data-read.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { startHttpServer } from '../../electron/backend/server/http-server';
import type { PushEvent } from '../../shared/contract';
import type { ImportResult } from '../../shared/domain';
import { ApiError } from '../../shared/errors';
import { snapshot } from '../helpers/db-snapshot';
import { REPO_ROOT, SHARED_DATA, tempDir } from '../helpers/temp';

const dir = tempDir();
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/market-data');
const trusted = { trusted: true };

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(e)}`);
  return e;
}

function readShared(relative: string): string {
  return fs.readFileSync(path.join(SHARED_DATA, relative), 'utf8');
}

describe('the bad-input corpus: every rejection names what is wrong and stores nothing', () => {
  const backend = new Backend({ dbPath: path.join(dir, 'corpus.db'), now: () => 1_700_000_000 });
  // Each expectation is read off the hand-made fixture itself (line numbers count the header).
  const cases: [string, string, { line?: number; field?: string }][] = [
    ['not-a-number.csv', 'high "abc" is not a number', { line: 3, field: 'high' }],
    ['empty-field.csv', 'low is empty', { line: 3, field: 'low' }],
    ['wrong-column-count.csv', 'expected 6 columns, found 5', { line: 3 }],
    ['negative-price.csv', 'open must be above zero, got -10.5', { line: 3, field: 'open' }],
    ['zero-price.csv', 'open must be above zero, got 0', { line: 3, field: 'open' }],
    ['high-below-body.csv', 'high 10.8 is below max(open, close) 11', { line: 3, field: 'high' }],
    ['low-above-body.csv', 'low 10.7 is above min(open, close) 10.5', { line: 3, field: 'low' }],
    ['unsorted.csv', "time 1970-01-01T00:02:00Z is before the previous row's 1970-01-01T00:03:00Z: rows must be sorted by time", { line: 4, field: 'time' }],
    ['duplicate-time.csv', 'duplicate time 1970-01-01T00:02:00Z: it repeats the previous row', { line: 4, field: 'time' }],
    ['mixed-spacing.csv', "bar spacing 90s here does not fit the file's 60s bars (mixed bar sizes)", { line: 4, field: 'time' }],
    ['unknown-header.csv', 'the header "when,price,qty" matches no known layout: column "time" is missing (expected time,open,high,low,close,volume, TradingView\'s export, or a Binance kline file)', { line: 1, field: 'time' }],
    ['empty.csv', 'the file is empty', {}],
    ['binary.csv', 'this is a binary file, not CSV text (nor a zip archive)', {}],
    ['no-csv.zip', 'the zip archive holds no CSV file', {}],
    ['BTCUSDT-1m-2020-03-12.csv', 'the row at 2020-03-13T00:00:00Z is outside 2020-03-12, the period the file name gives', { line: 2, field: 'time' }],
  ];

  it.each(cases)('%s', async (name, message, where) => {
    // Something is stored already, so "unchanged" means more than "still empty".
    await backend.dispatch('datasets.importFile', { path: path.join(SHARED_DATA, 'events/ethusdt_1h_2020-03-11_2020-03-14.csv') }, trusted);
    const before = snapshot(backend.db);
    const e = await failure(backend.dispatch('datasets.importFile', { path: path.join(FIXTURES, name), symbol: 'TEST' }, trusted));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toBe(message);
    expect(e.where).toEqual({ file: name, ...where });
    expect(snapshot(backend.db)).toBe(before);
  });

  it('gaps are a warning with counts, not an error', async () => {
    const result = (await backend.dispatch('datasets.importFile', { path: path.join(FIXTURES, 'gaps.csv'), symbol: 'GAPS' }, trusted)) as ImportResult;
    // gaps.csv: bars at 60, 120, 360 → one gap of 240 s, 3 one-minute bars missing.
    expect(result.warnings).toEqual(['gaps.csv: 1 gaps, 3 missing 1m bars']);
    expect(result.dataset).toMatchObject({ rows: 3, gaps: 1, missingBars: 3 });
  });
});

describe('zip archives', () => {
  const backend = new Backend({ dbPath: path.join(dir, 'zip.db'), now: () => 1_700_000_000 });

  it('imports a zip holding one real CSV, as the CSV itself would be', async () => {
    const file = path.join(dir, 'btcusdt_1m_2020-03-11_2020-03-14.zip');
    fs.writeFileSync(file, zipSync({ 'btcusdt_1m_2020-03-11_2020-03-14.csv': strToU8(readShared('events/btcusdt_1m_2020-03-11_2020-03-14.csv')) }));
    const result = (await backend.dispatch('datasets.importFile', { path: file }, trusted)) as ImportResult;
    expect(result.dataset).toMatchObject({ symbol: 'BTCUSDT', barSeconds: 60, rows: 5760, firstTime: 1583884800, lastTime: 1584230340 });
    expect(result.files).toEqual([
      { fileName: 'btcusdt_1m_2020-03-11_2020-03-14.zip/btcusdt_1m_2020-03-11_2020-03-14.csv', datasetId: result.dataset.id, rows: 5760, added: 5760, alreadyImported: false },
    ]);
  });

  it('imports every CSV of a zip holding several (each its own dataset here), skipping other entries', async () => {
    const file = path.join(dir, 'eth-hourly.zip');
    fs.writeFileSync(
      file,
      zipSync({
        'README.txt': strToU8('not candles'),
        'eth/ethusdt_1h_2020-03-11_2020-03-14.csv': strToU8(readShared('events/ethusdt_1h_2020-03-11_2020-03-14.csv')),
        'eth/ethusdt_1h_2021-05-18_2021-05-21.csv': strToU8(readShared('events/ethusdt_1h_2021-05-18_2021-05-21.csv')),
      }),
    );
    const result = (await backend.dispatch('datasets.importFile', { path: file }, trusted)) as ImportResult;
    expect(result.files.map((f) => [f.fileName, f.rows])).toEqual([
      ['eth-hourly.zip/ethusdt_1h_2020-03-11_2020-03-14.csv', 96],
      ['eth-hourly.zip/ethusdt_1h_2021-05-18_2021-05-21.csv', 96],
    ]);
    expect(result.datasets.map((d) => [d.symbol, d.rows])).toEqual([
      ['ETHUSDT', 96],
      ['ETHUSDT', 96],
    ]);
  });

  it('refuses a zip whose CSV is bad, naming the entry and line, storing nothing of the good one', async () => {
    const before = snapshot(backend.db);
    const lines = readShared('events/ethusdt_1h_2024-08-04_2024-08-06.csv').split('\n');
    lines[5] = lines[5]!.replace(/^(\d+),([^,]+),/, '$1,-1,');
    const file = path.join(dir, 'mixed.zip');
    fs.writeFileSync(file, zipSync({ 'a/ethusdt_1h_2025-10-09_2025-10-12.csv': strToU8(readShared('events/ethusdt_1h_2025-10-09_2025-10-12.csv')), 'b/ethusdt_1h_bad.csv': strToU8(lines.join('\n')) }));
    const e = await failure(backend.dispatch('datasets.importFile', { path: file }, trusted));
    expect(e.where).toEqual({ file: 'mixed.zip/ethusdt_1h_bad.csv', line: 6, field: 'open' });
    expect(snapshot(backend.db)).toBe(before);
  });
});

describe('several files of one symbol and bar size become one dataset', () => {
  const backend = new Backend({ dbPath: path.join(dir, 'merge.db'), now: () => 1_700_000_000 });
  const text = readShared('events/btcusdt_1m_2020-03-11_2020-03-14.csv').trim().split('\n');
  const header = text[0]!;
  const rows = text.slice(1);
  /** Day d (0..3) of the window as a Binance-named daily file, optionally with extra rows of the next day. */
  function dailyFile(d: number, extra = 0, edit?: (lines: string[]) => void): string {
    const lines = rows.slice(d * 1440, (d + 1) * 1440 + extra);
    edit?.(lines);
    const file = path.join(dir, `BTCUSDT-1m-2020-03-${11 + d}.csv`);
    fs.writeFileSync(file, `${header}\n${lines.join('\n')}\n`);
    return file;
  }

  it('four daily files with agreeing overlaps → one 5,760-row dataset, each overlap stored once', async () => {
    // Daily files may not spill into the next day (their names give the day), so the
    // overlapping file is a monthly-named one: the second half of day 0 and all of day 1.
    const day0 = dailyFile(0);
    const day1 = dailyFile(1);
    const day2 = dailyFile(2);
    const day3 = dailyFile(3);
    const halfAndNext = path.join(dir, 'BTCUSDT-1m-2020-03.csv');
    fs.writeFileSync(halfAndNext, `${header}\n${rows.slice(720, 2880).join('\n')}\n`);
    const result = (await backend.dispatch('datasets.importFiles', { paths: [day2, day0, halfAndNext, day3, day1] }, trusted)) as ImportResult;
    expect(result.datasets).toHaveLength(1);
    expect(result.dataset).toMatchObject({ symbol: 'BTCUSDT', venue: 'binance', barSeconds: 60, rows: 5760, gaps: 0, firstTime: 1583884800, lastTime: 1584230340 });
    expect(result.added).toBe(5760);
    expect(result.dataset.sources).toHaveLength(5);
    const stored = backend.datasets.candles(result.dataset.id);
    expect(stored.time).toHaveLength(5760);
    expect(stored.close[4000]).toBe(Number(rows[4000]!.split(',')[4]));
  });

  it('a later file adjoining the dataset extends it; one that disagrees on an overlap is refused, naming both files and the time', async () => {
    const fresh = new Backend({ dbPath: path.join(dir, 'merge2.db'), now: () => 1 });
    await fresh.dispatch('datasets.importFile', { path: dailyFile(0) }, trusted);
    const extended = (await fresh.dispatch('datasets.importFile', { path: dailyFile(1) }, trusted)) as ImportResult;
    expect(fresh.datasets.list()).toHaveLength(1);
    expect(extended.dataset.rows).toBe(2880);

    const before = snapshot(fresh.db);
    const conflicting = path.join(dir, 'btcusdt_1m_conflict.csv');
    // Same key as the stored days (venue binance comes from their Binance names).
    const lines = rows.slice(2800, 2900);
    const cells = lines[10]!.split(',');
    cells[5] = String(Number(cells[5]) + 1);
    lines[10] = cells.join(',');
    fs.writeFileSync(conflicting, `${header}\n${lines.join('\n')}\n`);
    const e = await failure(fresh.dispatch('datasets.importFile', { path: conflicting, venue: 'binance' }, trusted));
    const t = Number(rows[2810]!.split(',')[0]);
    expect(e.message).toBe(
      `the bar at ${new Date(t * 1000).toISOString().replace('.000Z', 'Z')} disagrees with BTCUSDT-1m-2020-03-12.csv: volume ${cells[5]} here, ${rows[2810]!.split(',')[5]} there; overlapping files must agree`,
    );
    expect(e.where).toEqual({ file: 'btcusdt_1m_conflict.csv', field: 'volume' });
    expect(snapshot(fresh.db)).toBe(before);
    fresh.close();
  });

  it('re-importing identical content stores nothing new and says so', async () => {
    const before = snapshot(backend.db);
    const again = (await backend.dispatch('datasets.importFile', { path: dailyFile(1) }, trusted)) as ImportResult;
    expect(again).toMatchObject({ alreadyImported: true, added: 0 });
    expect(snapshot(backend.db)).toBe(before);
  });
});

describe('progress and cancel', () => {
  /** A generated 1m file of `n` rows (synthetic, not derived from shared data). */
  function bigFile(n: number): string {
    const file = path.join(dir, `synthusdt_1m_${n}.csv`);
    const parts = ['time,open,high,low,close,volume\n'];
    for (let i = 0; i < n; i++) {
      const p = 100 + Math.sin(i / 50) * 10;
      parts.push(`${1600000000 + i * 60},${p.toFixed(2)},${(p + 1).toFixed(2)},${(p - 1).toFixed(2)},${p.toFixed(2)},1.5\n`);
    }
    fs.writeFileSync(file, parts.join(''));
    return file;
  }
  const file = bigFile(400_000);

  it('pushes progress with rows, rows/s and ETA, then stores everything', async () => {
    const backend = new Backend({ dbPath: path.join(dir, 'progress.db') });
    const events: PushEvent[] = [];
    backend.subscribe((e) => events.push(e));
    const result = (await backend.dispatch('datasets.importFile', { path: file, job: 'job-1' }, trusted)) as ImportResult;
    expect(result.added).toBe(400_000);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ job: 'job-1', phase: 'done', rows: 400_000, done: fs.statSync(file).size, total: fs.statSync(file).size });
    const reading = progress.find((e) => e.type === 'progress' && e.phase === 'reading');
    expect(reading).toMatchObject({ job: 'job-1', label: 'synthusdt_1m_400000.csv' });
    backend.close();
  });

  it('imports.cancel stops a running import and leaves nothing behind', async () => {
    const backend = new Backend({ dbPath: path.join(dir, 'cancel.db') });
    const before = snapshot(backend.db);
    backend.subscribe((e) => {
      if (e.type === 'progress' && e.phase === 'reading') void backend.dispatch('imports.cancel', { job: 'job-2' }, { trusted: false });
    });
    const e = await failure(backend.dispatch('datasets.importFile', { path: file, job: 'job-2' }, trusted));
    expect(e.code).toBe('cancelled');
    expect(e.message).toBe('the import was cancelled; nothing was stored');
    expect(snapshot(backend.db)).toBe(before);
    expect(backend.db.prepare("SELECT count(*) AS n FROM sqlite_temp_master WHERE type = 'table'").get()).toEqual({ n: 0 });
    backend.close();
  });
});

describe('browser mode streaming upload', () => {
  it('POST /api/upload streams a file into the importer; refuses it without the token header', async () => {
    const backend = new Backend({ dbPath: path.join(dir, 'upload.db') });
    const server = await startHttpServer({ backend, token: 't'.repeat(43) });
    try {
      const body = fs.readFileSync(path.join(SHARED_DATA, 'tradfi/spx_1d_1987-09-01_1987-11-30.csv'));
      const url = `${server.url}/api/upload?fileName=spx_1d_1987-09-01_1987-11-30.csv`;
      const refused = await fetch(url, { method: 'POST', body });
      expect(refused.status).toBe(401);
      const response = await fetch(url, { method: 'POST', body, headers: { 'x-undertow-token': server.token, 'content-type': 'text/csv' } });
      const reply = (await response.json()) as { ok: boolean; result: ImportResult };
      expect(reply.ok).toBe(true);
      expect(reply.result.dataset).toMatchObject({ symbol: 'SPX', barSeconds: 86400, rows: 63 });
      const bad = await fetch(`${server.url}/api/upload?fileName=x.csv&symbol=bad%20symbol`, { method: 'POST', body, headers: { 'x-undertow-token': server.token } });
      expect(((await bad.json()) as { error: { where: unknown } }).error.where).toEqual({ field: 'symbol' });
    } finally {
      await server.close();
      backend.close();
    }
  });
});
