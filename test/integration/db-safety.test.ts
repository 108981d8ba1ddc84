/**
 * Data safety of the store on real files: a backup before every migration of an existing
 * database (the last 3 kept), a corrupt file refused with a typed error naming the last backup
 * and left byte-for-byte untouched, `npm run cli -- restore-backup` putting that backup back,
 * and a read-only database and a full disk giving clear typed errors with nothing lost.
 *
 * Read-only and disk-full use a real tmpfs (mounted here when running as root, as in CI); where
 * mounting is impossible they fall back to what SQLite itself offers (`PRAGMA query_only`
 * stands in for a read-only file, `PRAGMA max_page_count` for a full disk) — the test says
 * which it used.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/errors';
import { Backend } from '../../electron/backend/services/backend';
import { openDatabase } from '../../electron/backend/store/db';
import { MIGRATIONS, SCHEMA_VERSION } from '../../electron/backend/store/migrations';
import { KEEP_BACKUPS, listBackups, storageError } from '../../electron/backend/store/backup';
import { runCli } from '../../electron/backend/cli/main';
import { tempDir } from '../helpers/temp';

const dir = tempDir('undertow-db-safety-');

/** A schema-v1 database (the first shipped schema) holding one dataset of `rows` candles. */
function makeV1(file: string, rows = 500): void {
  const db = new Database(file);
  db.exec(MIGRATIONS[0]!);
  db.pragma('user_version = 1');
  db.prepare(`INSERT INTO datasets (id, symbol, bar_seconds, first_time, last_time, rows, created_at) VALUES (1, 'OLDUSDT', 60, 0, ?, ?, 0)`).run((rows - 1) * 60, rows);
  const insert = db.prepare('INSERT INTO candles VALUES (1, ?, 100, 101, 99, 100.5, 10)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(i * 60);
  })();
  db.close();
}

const sha = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const candleCsv = (rows: number, start = 1_600_000_020): string =>
  ['time,open,high,low,close,volume', ...Array.from({ length: rows }, (_, i) => `${start + i * 60},100,101,99,100.5,${10 + (i % 5)}`)].join('\n') + '\n';

function expectApiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('backup before migration', () => {
  it('copies an older database to <db>.backup-v<old>-<timestamp> before migrating it', () => {
    const file = path.join(dir, 'old.db');
    makeV1(file);
    const db = openDatabase(file, { now: () => Date.UTC(2024, 7, 11, 9, 25, 12, 345) });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    const backups = listBackups(file);
    expect(backups.map((b) => path.basename(b.file))).toEqual(['old.db.backup-v1-20240811T092512345Z']);
    const copy = new Database(backups[0]!.file, { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(1);
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((copy.prepare('SELECT count(*) AS n FROM candles').get() as { n: number }).n).toBe(500);
    copy.close();
  });

  it('keeps only the last 3 backups', () => {
    const file = path.join(dir, 'many.db');
    for (let i = 0; i < 5; i++) {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
      makeV1(file, 10);
      openDatabase(file, { now: () => Date.UTC(2024, 0, 1 + i) }).close();
    }
    const backups = listBackups(file);
    expect(backups.length).toBe(KEEP_BACKUPS);
    // Newest first: days 5, 4, 3 of January.
    expect(backups.map((b) => new Date(b.takenAt).getUTCDate())).toEqual([5, 4, 3]);
  });

  it('makes no backup of a new or an up-to-date database', () => {
    const file = path.join(dir, 'fresh.db');
    openDatabase(file).close();
    openDatabase(file).close();
    expect(listBackups(file)).toEqual([]);
  });
});

describe('a corrupt database', () => {
  it('is refused with a typed error naming the last backup, and left untouched', async () => {
    const file = path.join(dir, 'corrupt.db');
    makeV1(file, 3000);
    openDatabase(file, { now: () => Date.UTC(2024, 5, 1) }).close(); // backs up v1, migrates
    // Everything checkpointed into the main file (still WAL mode, as the app leaves it); then
    // damage every page after the first, so the header and schema survive and the tables do not.
    const raw = new Database(file);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    for (let page = 2; (page - 1) * pageSize < bytes.length; page++) bytes.fill(0xa5, (page - 1) * pageSize, page * pageSize);
    fs.writeFileSync(file, bytes);
    const before = sha(file);

    // The open may pass (page 1 is intact); the first read of a table must then fail typed.
    let error: unknown = null;
    try {
      const backend = new Backend({ dbPath: file });
      error = await backend.dispatch('datasets.list', {}, { trusted: false }).then(() => null, (err: unknown) => err);
      backend.close();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.code).toBe('conflict');
    expect(apiError.message).toMatch(/corrupt/);
    expect(apiError.message).toContain('corrupt.db.backup-v1-20240601T000000000Z');
    expect(apiError.message).toContain('restore-backup');
    expect(sha(file)).toBe(before);
  });

  it('with a garbage header is refused at open, untouched, naming the backup', () => {
    const file = path.join(dir, 'garbage.db');
    makeV1(file);
    openDatabase(file, { now: () => Date.UTC(2024, 6, 1) }).close();
    fs.writeFileSync(file, Buffer.alloc(8192, 0x42));
    for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    const before = sha(file);
    const error = expectApiError(() => openDatabase(file));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('garbage.db.backup-v1-20240701T000000000Z');
    expect(error.where.file).toBe(file);
    expect(sha(file)).toBe(before);
  });

  it('is replaced by its backup with `restore-backup`, the damaged file kept aside', async () => {
    const file = path.join(dir, 'garbage.db');
    const out: string[] = [];
    const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } };
    expect(await runCli(['restore-backup', '--db', file, '--list'], io)).toBe(0);
    expect(out.join('')).toContain('schema v1');
    expect(await runCli(['restore-backup', '--db', file], io)).toBe(0);
    expect(fs.readdirSync(dir).some((n) => n.startsWith('garbage.db.replaced-'))).toBe(true);
    // The restored v1 database opens and migrates again, its rows intact.
    const backend = new Backend({ dbPath: file });
    expect(backend.datasets.list().map((d) => d.rows)).toEqual([500]);
    backend.close();
  });

  it('restore-backup refuses a damaged backup and says so (exit 2)', async () => {
    const file = path.join(dir, 'nobackup.db');
    fs.writeFileSync(`${file}.backup-v1-20240101T000000000Z`, 'not a database');
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } };
    expect(await runCli(['restore-backup', '--db', file], io)).toBe(2);
    expect(err.join('')).toMatch(/damaged/);
  });
});

/** Mounts a tmpfs of `size` at a new directory; null where mounting is not possible. */
function mountTmpfs(size: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const mountPoint = fs.mkdtempSync(path.join(dir, 'tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint], { stdio: 'ignore' });
  } catch {
    return null;
  }
  mounts.push(mountPoint);
  return mountPoint;
}
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
});

describe('read-only database', () => {
  it('gives a typed error on open and on write, and loses nothing', async () => {
    const mount = mountTmpfs('8m');
    const base = mount ?? dir;
    const file = path.join(base, 'ro.db');
    const backend = new Backend({ dbPath: file });
    await backend.dispatch('datasets.importText', { fileName: 'ROUSDT-1m.csv', text: candleCsv(100) }, { trusted: false });
    backend.close();
    const before = sha(file);
    let error: ApiError;
    if (mount) {
      execFileSync('mount', ['-o', 'remount,ro', mount]);
      error = expectApiError(() => new Backend({ dbPath: file }));
      execFileSync('mount', ['-o', 'remount,rw', mount]);
    } else {
      // No mount here: make the connection read-only the way SQLite allows, and write through it.
      const open = new Backend({ dbPath: file });
      open.db.pragma('query_only = ON');
      error = await open
        .dispatch('datasets.importText', { fileName: 'RO2USDT-1m.csv', text: candleCsv(10, 1_700_000_000) }, { trusted: false })
        .then(() => {
          throw new Error('write succeeded on a read-only connection');
        }, (err: unknown) => err as ApiError);
      open.close();
    }
    console.info(`db-safety read-only: ${mount ? 'tmpfs remounted ro' : 'PRAGMA query_only'}: ${error.message}`);
    expect(['forbidden', 'conflict']).toContain(error.code);
    expect(error.message).toMatch(/read-only|readonly|cannot be written/i);
    expect(sha(file)).toBe(before);
    const reopened = new Backend({ dbPath: file });
    expect(reopened.datasets.list().map((d) => d.rows)).toEqual([100]);
    reopened.close();
  });
});

describe('disk full', () => {
  it('gives a typed error, stores nothing of the failed import, and keeps working after', async () => {
    const mount = mountTmpfs('3m');
    const file = path.join(mount ?? dir, 'full.db');
    const backend = new Backend({ dbPath: file });
    await backend.dispatch('datasets.importText', { fileName: 'KEEPUSDT-1m.csv', text: candleCsv(200) }, { trusted: false });
    if (!mount) {
      // No tmpfs: cap the database a few pages above its size instead.
      const pages = backend.db.pragma('page_count', { simple: true }) as number;
      backend.db.pragma(`max_page_count = ${pages + 8}`);
    }
    // ~120,000 rows need far more than the 3 MB the disk holds.
    const error = await backend
      .dispatch('datasets.importText', { fileName: 'HUGEUSDT-1m.csv', text: candleCsv(120_000, 1_700_000_000) }, { trusted: false })
      .then(() => null, (err: unknown) => err);
    console.info(`db-safety disk full: ${mount ? 'tmpfs size=3m' : 'PRAGMA max_page_count'}: ${(error as Error)?.message}`);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('conflict');
    expect((error as ApiError).message).toMatch(/full/);
    // Nothing half-stored, the earlier dataset intact, the file sound.
    expect(backend.datasets.list().map((d) => [d.symbol, d.rows])).toEqual([['KEEPUSDT', 200]]);
    expect(backend.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // A small import still goes through once there is room.
    const small = await backend.dispatch('datasets.importText', { fileName: 'SMALLUSDT-1m.csv', text: candleCsv(5, 1_800_000_000) }, { trusted: false });
    expect(small).toMatchObject({ added: 5 });
    backend.close();
  }, 60_000);
});
