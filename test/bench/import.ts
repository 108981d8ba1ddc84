/**
 * Import benchmark (issue 5): a 525,600-row one-minute CSV (a year of 1m bars) built in a
 * temp dir by shifting real rows of ../shared/data/events in time; Undertow's validating,
 * streaming import of it, and in the same run the sqlite3 command-line `.import` of the same
 * file into an equivalent WITHOUT ROWID table (same journal mode and sync level); then
 * resampling the stored dataset to 1h. Prints one JSON document.
 *
 *   npx tsx test/bench/import.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Backend } from '../../electron/backend/services/backend';

const ROWS = 525_600;
const SHARED = path.resolve(import.meta.dirname, '../../../shared/data/events');
const SQLITE3 = process.env.SQLITE3 ?? '/usr/bin/sqlite3';

function buildCsv(file: string): void {
  const sources = fs.readdirSync(SHARED).filter((f) => /_1m_/.test(f) && f.endsWith('.csv')).sort();
  const rows: string[] = [];
  for (const f of sources) {
    for (const line of fs.readFileSync(path.join(SHARED, f), 'utf8').trim().split('\n').slice(1)) rows.push(line.slice(line.indexOf(',')));
  }
  const start = Date.UTC(2023, 0, 1) / 1000;
  const parts: string[] = ['time,open,high,low,close,volume\n'];
  for (let i = 0; i < ROWS; i++) parts.push(`${start + i * 60}${rows[i % rows.length]}\n`);
  fs.writeFileSync(file, parts.join(''));
}

function timeMs<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const value = fn();
  return [value, performance.now() - t];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-bench-'));
  try {
    const csv = path.join(dir, 'btcusdt_1m_bench.csv');
    buildCsv(csv);
    const bytes = fs.statSync(csv).size;

    // sqlite3 CLI .import into the equivalent table.
    const sqliteDb = path.join(dir, 'sqlite3.db');
    execFileSync(SQLITE3, [
      sqliteDb,
      'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE candles (time INTEGER PRIMARY KEY, open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL) WITHOUT ROWID;',
    ]);
    const [, sqliteMs] = timeMs(() => execFileSync(SQLITE3, [sqliteDb, '-cmd', 'PRAGMA synchronous=NORMAL', `.import --csv --skip 1 ${csv} candles`]));
    const sqliteRows = execFileSync(SQLITE3, [sqliteDb, 'SELECT count(*) FROM candles']).toString().trim();

    // Undertow: the CLI's path (datasets.importFile), validating every row, one transaction.
    const backend = new Backend({ dbPath: path.join(dir, 'undertow.db') });
    const t0 = performance.now();
    const result = (await backend.dispatch('datasets.importFile', { path: csv }, { trusted: true })) as { added: number; dataset: { id: number } };
    const importMs = performance.now() - t0;

    const id = result.dataset.id;
    const r1 = performance.now();
    const hourly = (await backend.dispatch('datasets.candles', { id, timeframe: '1h' }, { trusted: false })) as { time: number[] };
    const resampleColdMs = performance.now() - r1;
    const r2 = performance.now();
    await backend.dispatch('datasets.candles', { id, timeframe: '1h' }, { trusted: false });
    const resampleWarmMs = performance.now() - r2;
    backend.close();

    const round = (x: number): number => Math.round(x * 10) / 10;
    process.stdout.write(
      `${JSON.stringify(
        {
          rows: ROWS,
          fileBytes: bytes,
          sqlite3: { version: execFileSync(SQLITE3, ['--version']).toString().split(' ')[0], importMs: round(sqliteMs), rows: Number(sqliteRows) },
          undertow: { importMs: round(importMs), rows: result.added, rowsPerSecond: Math.round(ROWS / (importMs / 1000)) },
          importRatio: Math.round((importMs / sqliteMs) * 100) / 100,
          importTarget: '<= 1.5 x sqlite3',
          resample1h: { bars: hourly.time.length, firstCallMs: round(resampleColdMs), secondCallMs: round(resampleWarmMs), target: '<= 100 ms' },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
