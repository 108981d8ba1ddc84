/**
 * Opening the SQLite database: WAL, foreign keys, migrations, and clear refusals for
 * a file that is not a database or comes from a newer Undertow.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { backupAdvice, backupDatabase, storageError } from './backup';

export type Db = Database.Database;

export interface OpenOptions {
  /**
   * better-sqlite3's compiled addon to load instead of the one in node_modules (Electron uses
   * a copy built for its own ABI; see `electron/backend/native-binding.ts`).
   */
  nativeBinding?: string;
  /** Clock for backup names (tests). */
  now?: () => number;
}

/**
 * Opens (creating if needed) the database at `file` and brings its schema up to date, backing
 * an existing database up first (`backup.ts`). `:memory:` opens a private in-memory database
 * (tests). Refusals are typed: newer schema, corrupt file (naming the last backup), read-only
 * file, full disk.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db: Db;
  try {
    db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  } catch (err) {
    throw storageError(err, file) ?? new ApiError('conflict', `cannot open database: ${(err as Error).message}`, { file });
  }
  try {
    // A file that is not SQLite fails on its first read, not on open; read the version
    // before anything writes (switching to WAL rewrites the header of a file we may refuse).
    const version = db.pragma('user_version', { simple: true }) as number;
    refuseNewer(version, file);
    // Reading the schema catches a damaged file whose first page survived.
    const tables = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
    if (version < SCHEMA_VERSION && tables.n > 0 && file !== ':memory:') {
      // An existing database is about to change: copy it first (VACUUM INTO reads every page,
      // so a corrupt file fails here, before anything is written).
      backupDatabase(db, file, version, options.now?.() ?? Date.now());
    }
    db.pragma('busy_timeout = 5000');
    // Only when it differs: switching rewrites the header, and an open must not write to a
    // file that may turn out to be damaged (it stays as it was, for the user's backup choice).
    if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db, version);
  } catch (err) {
    db.close();
    if (err instanceof ApiError) throw err;
    const message = (err as Error).message;
    if (/not a database|malformed|file is encrypted/i.test(message)) {
      throw new ApiError(
        'conflict',
        `${file} is not an Undertow database or is corrupt (${message}); it was left untouched. ${backupAdvice(file)}`,
        { file },
      );
    }
    throw storageError(err, file) ?? err;
  }
  return db;
}

function refuseNewer(current: number, file: string): void {
  if (current > SCHEMA_VERSION) {
    throw new ApiError(
      'conflict',
      `database schema version ${current} is newer than this Undertow understands (${SCHEMA_VERSION}); update Undertow or open another database`,
      { file },
    );
  }
}

function migrate(db: Db, current: number): void {
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version - 1]!;
    // Each migration and its version bump commit together, or not at all.
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}
