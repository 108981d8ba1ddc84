/**
 * Database backups and storage failures.
 *
 * - Before a migration changes an existing database, a consistent copy is written next to it
 *   as `<db>.backup-v<oldVersion>-<timestamp>` (the last `KEEP_BACKUPS` are kept). The copy is
 *   made with `VACUUM INTO`, not better-sqlite3's `db.backup()`: that one is asynchronous, and
 *   opening the database is synchronous in every host (the `Backend` constructor). Both give a
 *   transactionally consistent snapshot; `VACUUM INTO` also reads every page, so it fails on a
 *   corrupt file instead of copying the damage. The copy is written under a `.partial` name
 *   and renamed, so a crash mid-copy never leaves a half backup under a backup's name.
 * - `restoreBackup` puts a backup back in place, moving the damaged file aside (never deleting it).
 * - `storageError` turns SQLite's disk-full, read-only, corrupt and I/O failures into typed
 *   `ApiError`s that say what happened and that nothing was stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ApiError } from '../../../shared/errors';

/** How many backups of one database are kept (oldest removed first). */
export const KEEP_BACKUPS = 3;

export interface BackupInfo {
  file: string;
  /** Schema version of the database when it was backed up. */
  version: number;
  /** When it was taken (ms since the epoch, from the name). */
  takenAt: number;
}

const BACKUP_NAME = /\.backup-v(\d+)-(\d{8}T\d{6}\d{3}Z)$/;

function stamp(ms: number): string {
  // 2024-08-11T09:25:12.345Z → 20240811T092512345Z: sortable, no characters a file system refuses.
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

function parseStamp(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(text);
  if (!m) return NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
}

/** Backups of `dbFile`, newest first. */
export function listBackups(dbFile: string): BackupInfo[] {
  const dir = path.dirname(path.resolve(dbFile));
  const base = path.basename(dbFile);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const backups: BackupInfo[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.backup-v`)) continue;
    const m = BACKUP_NAME.exec(name.slice(base.length));
    if (!m) continue;
    backups.push({ file: path.join(dir, name), version: Number(m[1]), takenAt: parseStamp(m[2]!) });
  }
  return backups.sort((a, b) => b.takenAt - a.takenAt || b.file.localeCompare(a.file));
}

/**
 * Writes a consistent copy of the open database `db` (file `dbFile`, schema `version`) beside it
 * and prunes all but the newest `keep`. Returns the backup's path.
 */
export function backupDatabase(db: Database.Database, dbFile: string, version: number, now = Date.now(), keep = KEEP_BACKUPS): string {
  let target = `${path.resolve(dbFile)}.backup-v${version}-${stamp(now)}`;
  // Two migrations within the same millisecond (tests): never overwrite a backup.
  for (let ms = now + 1; fs.existsSync(target); ms++) target = `${path.resolve(dbFile)}.backup-v${version}-${stamp(ms)}`;
  const partial = `${target}.partial`;
  // Copies cut short by a crash are not backups: remove them.
  const dir = path.dirname(target);
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(`${path.basename(dbFile)}.backup-v`) && name.endsWith('.partial')) fs.rmSync(path.join(dir, name), { force: true });
  }
  try {
    db.prepare('VACUUM INTO ?').run(partial);
    fs.renameSync(partial, target);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw storageError(err, dbFile) ?? err;
  }
  for (const old of listBackups(dbFile).slice(keep)) fs.rmSync(old.file, { force: true });
  return target;
}

/** One line naming the newest backup and how to restore it, for error messages. */
export function backupAdvice(dbFile: string): string {
  const latest = listBackups(dbFile)[0];
  if (!latest) return 'No backup of it exists.';
  return (
    `The last backup is ${latest.file} (schema v${latest.version}, ${new Date(latest.takenAt).toISOString()}); ` +
    `restore it with \`npm run cli -- restore-backup --db ${dbFile}\`.`
  );
}

export interface RestoreResult {
  restored: string;
  /** Where the replaced database (and its -wal/-shm) were moved; nothing is deleted. */
  movedAside: string[];
}

/**
 * Puts `backup` (default: the newest) in place of `dbFile`. The backup is checked first
 * (`integrity_check`); the current database file and its WAL are renamed to
 * `<db>.replaced-<timestamp>…`, never deleted. Call only while no process has the database open.
 */
export function restoreBackup(dbFile: string, backup?: string, now = Date.now()): RestoreResult {
  const file = path.resolve(dbFile);
  const source = backup ? path.resolve(backup) : listBackups(file)[0]?.file;
  if (!source) throw new ApiError('not_found', `no backup of ${file} exists`, { file });
  if (!fs.existsSync(source)) throw new ApiError('not_found', 'no such backup', { file: source });
  let check: unknown;
  try {
    const copy = new Database(source, { readonly: true, fileMustExist: true });
    try {
      check = copy.pragma('integrity_check', { simple: true });
    } finally {
      copy.close();
    }
  } catch (err) {
    check = (err as Error).message;
  }
  if (check !== 'ok') throw new ApiError('invalid_input', `the backup is damaged too (${String(check)})`, { file: source });

  const movedAside: string[] = [];
  const aside = `${file}.replaced-${stamp(now)}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (!fs.existsSync(file + suffix)) continue;
    fs.renameSync(file + suffix, aside + suffix);
    movedAside.push(aside + suffix);
  }
  const incoming = `${file}.restoring`;
  fs.copyFileSync(source, incoming);
  fs.renameSync(incoming, file);
  return { restored: source, movedAside };
}

/**
 * A typed error for SQLite failures of the storage itself (disk full, read-only file or
 * directory, corrupt file, I/O error), or `null` for anything else. Every write path runs in
 * one transaction, so each of these means nothing of the failed call was stored.
 */
export function storageError(err: unknown, dbFile?: string): ApiError | null {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const where = dbFile ? { file: dbFile } : {};
  const detail = (err as Error).message;
  if (code === 'SQLITE_FULL') {
    return new ApiError('conflict', `the disk holding the database is full (${detail}); nothing of this change was stored — free some space and try again`, where);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || (dbFile !== undefined && !writable(dbFile))) {
    return new ApiError('forbidden', `the database cannot be written (${detail}): the file or its folder is read-only; nothing was changed — make it writable or open another database`, where);
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new ApiError('conflict', `the database is corrupt (${detail}); it was left untouched.${dbFile ? ` ${backupAdvice(dbFile)}` : ''}`, where);
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') {
    return new ApiError('conflict', `the database file cannot be read or written (${detail}); nothing of this change was stored`, where);
  }
  return null;
}

/** False when the database file or its folder cannot be written (read-only mount, permissions). */
function writable(dbFile: string): boolean {
  const file = path.resolve(dbFile);
  try {
    fs.accessSync(path.dirname(file), fs.constants.W_OK);
    if (fs.existsSync(file)) fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
