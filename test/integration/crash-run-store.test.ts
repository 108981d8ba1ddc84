/**
 * SIGKILL while runs are being stored, 20 times at random moments. A child process
 * (`test/helpers/kill-replay-target.ts`) stores replays of the day of the 2020-03-12 BTC crash
 * (400 own positions and an estimated market population: each run is ~800 event rows and a
 * series blob, written in one transaction) in a loop on one database, and is killed after a
 * random delay within its first three replays.
 * The same database takes all 20 kills. After each: `PRAGMA integrity_check` is ok, no event
 * row is without its run, every stored run has its summary, its whole series and exactly the
 * events every replay of these inputs has (they are deterministic), and the backend opens and
 * lists and reads the runs.
 *
 * Not covered: power loss (see crash-import.test.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import type { RunInfo } from '../../shared/runs';
import { REPLAY_SCENARIO, REPLAY_WINDOW } from '../helpers/kill-replay-scenario';
import { REPO_ROOT, SHARED_DATA, tempDir } from '../helpers/temp';

const KILLS = Number(process.env.KILLS ?? 20);
const FILE = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';
const dir = tempDir('undertow-crash-run-');
const dbPath = path.join(dir, 'runs.db');

let datasetId = 0;
let portfolioId = 0;
/** What a whole run of these inputs holds (from a replay in this process). */
let expected: { events: number; bars: number } = { events: 0, bars: 0 };

interface ChildRun {
  stored: number;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts the replay loop; kills it `killAfterMs` after `ready`. */
function runChild(killAfterMs: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/kill-replay-target.ts', dbPath, String(datasetId), String(portfolioId)],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let ready = false;
    // A child that never gets ready is a failure, not a hang.
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!ready && stdout.startsWith('ready\n')) {
        ready = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      resolve({ stored: (stdout.match(/^stored /gm) ?? []).length, signal, stderr });
    });
  });
}

interface StoredState {
  integrity: unknown;
  runs: number;
  orphanEvents: number;
  /** Runs whose summary, series or events are not those of a whole run. */
  partial: { id: number; events: number; seriesBytes: number | null; summary: boolean }[];
}

function inspect(): StoredState {
  const db = new Database(dbPath, { readonly: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    const rows = db
      .prepare(
        `SELECT r.id AS id, (SELECT count(*) FROM run_events e WHERE e.run_id = r.id) AS events,
                length(r.series) AS seriesBytes, r.summary_json IS NOT NULL AS summary
           FROM runs r`,
      )
      .all() as { id: number; events: number; seriesBytes: number | null; summary: number }[];
    const orphanEvents = (
      db.prepare('SELECT count(*) AS n FROM run_events WHERE run_id NOT IN (SELECT id FROM runs)').get() as { n: number }
    ).n;
    const wholeSeries = rows[0]?.seriesBytes ?? null;
    const partial = rows
      .filter((r) => r.events !== expected.events || r.seriesBytes === null || r.seriesBytes !== wholeSeries || !r.summary)
      .map((r) => ({ ...r, summary: Boolean(r.summary) }));
    return { integrity, runs: rows.length, orphanEvents, partial };
  } finally {
    db.close();
  }
}

let replayMs = 0;

beforeAll(async () => {
  const backend = new Backend({ dbPath });
  const text = fs.readFileSync(path.join(SHARED_DATA, FILE), 'utf8');
  const imported = (await backend.dispatch('datasets.importText', { fileName: path.basename(FILE), text }, { trusted: false })) as {
    dataset: { id: number; rows: number };
  };
  datasetId = imported.dataset.id;
  const first = imported.dataset.rows;
  const saved = (await backend.dispatch(
    'portfolios.save',
    {
      portfolio: {
        name: 'kill book',
        accounts: [
          {
            id: 'a',
            venue: 'binance-usdm',
            mode: 'isolated',
            wallet: 0,
            // 400 longs from 2× to 41.9× : most are margin-called and liquidated in the crash,
            // each an event row of its own.
            positions: Array.from({ length: 400 }, (_, i) => ({
              id: `l${i}`,
              symbol: 'BTCUSDT',
              side: 'long',
              qty: 0.01,
              entry: 7900,
              leverage: 2 + i / 10,
            })),
          },
        ],
      },
    },
    { trusted: false },
  )) as { id: number };
  portfolioId = saved.id;
  const started = performance.now();
  const run = (await backend.dispatch('runs.replay', { datasetId, portfolioId, scenario: REPLAY_SCENARIO, seed: 7, ...REPLAY_WINDOW }, { trusted: false })) as RunInfo;
  replayMs = performance.now() - started;
  expected = { events: run.eventCount, bars: first };
  // The calibration run stays: it is a whole run the later checks compare against.
  backend.close();
}, 60_000);

describe('SIGKILL while a run is being stored', () => {
  it(`leaves an intact database in which every run is whole (${KILLS} kills)`, async () => {
    // The replay must write enough for a kill to land inside its transaction.
    expect(expected.events).toBeGreaterThan(400);
    let killedMidLoop = 0;
    let storedTotal = 0;
    for (let i = 0; i < KILLS; i++) {
      // Anywhere in the first few replays: the engine, the store's transaction, the commit.
      const delay = Math.floor(Math.random() * replayMs * 3);
      const run = await runChild(delay);
      expect(run.stderr, `kill ${i}`).toBe('');
      if (run.signal === 'SIGKILL') killedMidLoop++;
      storedTotal += run.stored;
      const state = inspect();
      expect(state.integrity, `kill ${i} after ${delay} ms`).toBe('ok');
      expect(state.orphanEvents, `kill ${i}: events without a run`).toBe(0);
      expect(state.partial, `kill ${i}: half-stored runs`).toEqual([]);
      // Every run the child reported stored is there (the commit was durable before it printed).
      expect(state.runs, `kill ${i}`).toBeGreaterThanOrEqual(1 + storedTotal);
    }
    // The app starts normally and reads the last run whole.
    const backend = new Backend({ dbPath });
    try {
      const list = (await backend.dispatch('runs.list', {}, { trusted: false })) as RunInfo[];
      expect(list.length).toBe(inspect().runs);
      const last = (await backend.dispatch('runs.get', { id: list[0]!.id }, { trusted: false })) as { run: RunInfo };
      expect(last.run.eventCount).toBe(expected.events);
    } finally {
      backend.close();
    }
    console.info(
      `crash-run-store: ${KILLS} kills, replay ${Math.round(replayMs)} ms, ${expected.events} events/run, ` +
        `${storedTotal} runs stored by the children, ${killedMidLoop} killed by SIGKILL`,
    );
    expect(killedMidLoop).toBe(KILLS);
  }, 120_000);
});
