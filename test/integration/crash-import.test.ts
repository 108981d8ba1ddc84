/**
 * SIGKILL during a candle import, 20 times at random moments. A child process
 * (`test/helpers/kill-target.ts`) imports a generated 120,000-row candle file (written to a temp
 * dir) into a fresh database and is killed after a random delay within the import's measured
 * duration. Afterwards: `PRAGMA integrity_check` is ok, the dataset is either wholly there
 * (every row) or wholly absent, and the backend opens and answers normally.
 *
 * Not covered: power loss (the OS still flushes what SQLite wrote; `synchronous = NORMAL` in WAL
 * mode may lose the last commit on power loss, never consistency).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { REPO_ROOT, tempDir } from '../helpers/temp';

const ROWS = 120_000;
const KILLS = 20;
const dir = tempDir('undertow-crash-import-');
const csv = path.join(dir, 'KILLUSDT-1m.csv');

interface ChildRun {
  /** ms the import took, when it was not killed. */
  doneMs: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the child; kills it `killAfterMs` after it says `ready` (never, if null). */
function runChild(dbPath: string, killAfterMs: number | null): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/kill-target.ts', 'import', dbPath, csv], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (killAfterMs !== null && stdout.startsWith('ready\n') && !child.killed) {
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        killAfterMs = null;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (_code, signal) => {
      const done = /done (\d+)/.exec(stdout);
      resolve({ doneMs: done ? Number(done[1]) : null, signal, stderr });
    });
  });
}

/** What a crashed database holds: integrity, and the dataset's state. */
function inspect(dbPath: string): { integrity: unknown; datasets: number; datasetRows: number; candles: number } {
  const db = new Database(dbPath);
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    const datasets = (db.prepare('SELECT count(*) AS n FROM datasets').get() as { n: number }).n;
    const datasetRows = (db.prepare('SELECT coalesce(sum(rows), 0) AS n FROM datasets').get() as { n: number }).n;
    const candles = (db.prepare('SELECT count(*) AS n FROM candles').get() as { n: number }).n;
    return { integrity, datasets, datasetRows, candles };
  } finally {
    db.close();
  }
}

let importMs = 0;

beforeAll(async () => {
  const lines = ['time,open,high,low,close,volume'];
  for (let i = 0; i < ROWS; i++) {
    const open = 100 + Math.sin(i / 50) * 5;
    lines.push(`${1_600_000_020 + i * 60},${open.toFixed(2)},${(open + 1).toFixed(2)},${(open - 1).toFixed(2)},${(open + 0.5).toFixed(2)},${(10 + (i % 7)).toFixed(3)}`);
  }
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
  // Calibrate: how long the import takes here, uninterrupted; the faster of two runs, so that a
  // machine busier during calibration than during the kills does not put the kills past the end.
  importMs = Number.POSITIVE_INFINITY;
  for (const name of ['calibrate-1.db', 'calibrate-2.db']) {
    const calibration = await runChild(path.join(dir, name), null);
    expect(calibration.stderr).toBe('');
    importMs = Math.min(importMs, calibration.doneMs ?? 0);
    expect(inspect(path.join(dir, name))).toEqual({ integrity: 'ok', datasets: 1, datasetRows: ROWS, candles: ROWS });
  }
});

describe('SIGKILL during an import', () => {
  it(`leaves an intact database with the dataset wholly stored or wholly absent (${KILLS} kills)`, async () => {
    expect(importMs).toBeGreaterThan(0);
    const outcomes = { absent: 0, complete: 0, finishedFirst: 0 };
    for (let i = 0; i < KILLS; i++) {
      const dbPath = path.join(dir, `kill-${i}.db`);
      // Spread the kills evenly over the open, the parse, the transaction and the commit, and a
      // little past the end (stratified, not random: a random draw could put too few mid-import).
      const delay = Math.floor(((i + 0.5) / KILLS) * importMs * 1.1);
      const run = await runChild(dbPath, delay);
      const state = inspect(dbPath);
      expect(state.integrity, `kill ${i} after ${delay} ms`).toBe('ok');
      if (state.datasets === 0) {
        expect(state.candles, `kill ${i}: candles without a dataset`).toBe(0);
        outcomes.absent++;
      } else {
        expect(state, `kill ${i}: half-stored`).toEqual({ integrity: 'ok', datasets: 1, datasetRows: ROWS, candles: ROWS });
        outcomes.complete++;
      }
      // The app starts normally on it and answers.
      const backend = new Backend({ dbPath });
      const listed = (await backend.dispatch('datasets.list', {}, { trusted: false })) as unknown[];
      expect(listed.length).toBe(state.datasets);
      backend.close();
      if (run.signal !== 'SIGKILL') {
        outcomes.finishedFirst++;
        // It ran faster than calibrated: aim the remaining kills by this run.
        if (run.doneMs !== null && run.doneMs < importMs) importMs = run.doneMs;
      }
      fs.rmSync(dbPath, { force: true });
      fs.rmSync(`${dbPath}-wal`, { force: true });
      fs.rmSync(`${dbPath}-shm`, { force: true });
    }
    console.info(`crash-import: ${KILLS} kills within ${importMs} ms imports of ${ROWS} rows: ${JSON.stringify(outcomes)}`);
    // Most kills must land mid-import, or the test proves little.
    expect(outcomes.absent).toBeGreaterThan(KILLS / 2);
  }, 120_000);
});
