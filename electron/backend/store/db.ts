/**
 * Opening the SQLite database: WAL, foreign keys, migrations, and clear refusals for
 * a file that is not a database or comes from a newer Undertow.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the database at `file` and brings its schema up to date.
 * `:memory:` opens a private in-memory database (tests).
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    throw new ApiError('conflict', `cannot open database: ${(err as Error).message}`, { file });
  }
  try {
    // A file that is not SQLite fails on its first read, not on open; read the version
    // before anything writes (switching to WAL rewrites the header of a file we may refuse).
    const version = db.pragma('user_version', { simple: true }) as number;
    refuseNewer(version, file);
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
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
        `${file} is not an Undertow database or is corrupt (${message}); it was left untouched`,
        { file },
      );
    }
    throw err;
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
