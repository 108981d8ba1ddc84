/**
 * Where the database lives for browser mode and the CLI: `--db PATH`, else `$UNDERTOW_DB`,
 * else the platform's per-user data directory (XDG on Linux). Electron uses its own
 * `userData/db/undertow.db` and passes it explicitly.
 */
import os from 'node:os';
import path from 'node:path';

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.UNDERTOW_DB) return path.resolve(env.UNDERTOW_DB);
  const home = os.homedir();
  let base: string;
  if (platform === 'darwin') base = path.join(home, 'Library', 'Application Support', 'Undertow');
  else if (platform === 'win32') base = path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Undertow');
  else base = path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'undertow');
  return path.join(base, 'undertow.db');
}
