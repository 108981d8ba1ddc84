/** A digest of everything stored in a database, to prove a rejected write changed nothing. */
import { createHash } from 'node:crypto';
import type { Db } from '../../electron/backend/store/db';

export function snapshot(db: Db): string {
  const hash = createHash('sha256');
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  for (const { name } of tables) {
    hash.update(`#${name}\n`);
    for (const row of db.prepare(`SELECT * FROM "${name}"`).raw().all()) hash.update(`${JSON.stringify(row)}\n`);
  }
  hash.update(`v${db.pragma('user_version', { simple: true })}`);
  return hash.digest('hex');
}
