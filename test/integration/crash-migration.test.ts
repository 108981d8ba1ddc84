/**
 * SIGKILL while an older database is backed up and migrated, 20 times at random moments.
 * The template is a schema-v1 database (the first shipped schema, `MIGRATIONS[0]`) filled with a
 * dataset of 60,000 candles and a run with 200,000 events, so the backup and the later
 * migrations (an index over run events) take long enough to be interrupted. A child
 * (`test/helpers/kill-target.ts open`) opens it and is killed after a random delay.
 *
 * Afterwards: `integrity_check` is ok; the schema version is one the migrations pass through
 * (each migration commits with its version bump); no row is lost; every file named as a backup
 * is a whole, intact database of the old version; at most 3 backups exist; and opening
 * normally completes the migration.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../electron/backend/store/migrations';
import { openDatabase } from '../../electron/backend/store/db';
import { listBackups } from '../../electron/backend/store/backup';
import { REPO_ROOT, tempDir } from '../helpers/temp';

const CANDLES = 60_000;
const EVENTS = 200_000;
const KILLS = 20;
const dir = tempDir('undertow-crash-migrate-');
const template = path.join(dir, 'template-v1.db');

function runChild(dbPath: string, killAfterMs: number | null): Promise<{ doneMs: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/kill-target.ts', 'open', dbPath], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (killAfterMs !== null && stdout.startsWith('ready\n')) {
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

function counts(db: Database.Database): { candles: number; events: number; datasets: number } {
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return { candles: n('SELECT count(*) AS n FROM candles'), events: n('SELECT count(*) AS n FROM run_events'), datasets: n('SELECT count(*) AS n FROM datasets') };
}

const EXPECTED = { candles: CANDLES, events: EVENTS, datasets: 1 };
let migrateMs = 0;

beforeAll(async () => {
  const db = new Database(template);
  db.exec(MIGRATIONS[0]!);
  db.pragma('user_version = 1');
  db.transaction(() => {
    db.prepare(
      `INSERT INTO datasets (id, symbol, bar_seconds, first_time, last_time, rows, created_at) VALUES (1, 'OLDUSDT', 60, ?, ?, ?, 0)`,
    ).run(1_600_000_020, 1_600_000_020 + (CANDLES - 1) * 60, CANDLES);
    const candle = db.prepare('INSERT INTO candles VALUES (1, ?, 100, 101, 99, 100.5, 10)');
    for (let i = 0; i < CANDLES; i++) candle.run(1_600_000_020 + i * 60);
    db.prepare(`INSERT INTO runs (id, kind, name, dataset_id, params_json, engine_version, created_at) VALUES (1, 'replay', 'old', 1, '{}', '0', 0)`).run();
    const event = db.prepare(`INSERT INTO run_events (run_id, seq, time, kind, price) VALUES (1, ?, ?, 'liquidation', 100)`);
    for (let i = 0; i < EVENTS; i++) event.run(i, 1_600_000_020 + (i % CANDLES) * 60);
  })();
  db.close();
  const calibrate = path.join(dir, 'calibrate.db');
  fs.copyFileSync(template, calibrate);
  const run = await runChild(calibrate, null);
  expect(run.stderr).toBe('');
  migrateMs = run.doneMs ?? 0;
});

describe('SIGKILL during backup and migration', () => {
  it(`loses nothing and opens normally afterwards (${KILLS} kills)`, async () => {
    expect(migrateMs).toBeGreaterThan(0);
    const seen = new Map<number, number>();
    for (let i = 0; i < KILLS; i++) {
      const dbPath = path.join(dir, `kill-${i}.db`);
      fs.copyFileSync(template, dbPath);
      const delay = Math.floor(Math.random() * migrateMs * 1.5);
      await runChild(dbPath, delay);

      const db = new Database(dbPath);
      expect(db.pragma('integrity_check', { simple: true }), `kill ${i} after ${delay} ms`).toBe('ok');
      const version = db.pragma('user_version', { simple: true }) as number;
      seen.set(version, (seen.get(version) ?? 0) + 1);
      expect(version).toBeGreaterThanOrEqual(1);
      expect(version).toBeLessThanOrEqual(SCHEMA_VERSION);
      expect(counts(db)).toEqual(EXPECTED);
      db.close();

      // Whatever carries a backup's name is a whole copy of the v1 database.
      const backups = listBackups(dbPath);
      expect(backups.length).toBeLessThanOrEqual(3);
      for (const backup of backups) {
        const copy = new Database(backup.file, { readonly: true });
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(copy.pragma('user_version', { simple: true })).toBe(1);
        expect(counts(copy)).toEqual(EXPECTED);
        copy.close();
      }

      // The app opens it normally: migrated to the current schema, every row still there.
      const reopened = openDatabase(dbPath);
      expect(reopened.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(counts(reopened)).toEqual(EXPECTED);
      reopened.close();
      expect(fs.readdirSync(dir).filter((n) => n.startsWith(`kill-${i}.db.backup`) && n.endsWith('.partial'))).toEqual([]);
    }
    console.info(`crash-migration: ${KILLS} kills within ${migrateMs} ms backup+migration; versions found after the kill: ${JSON.stringify(Object.fromEntries(seen))}`);
  }, 120_000);
});
