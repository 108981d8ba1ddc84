/**
 * Entry of the backend `utilityProcess` (built to out/main/backend.js). Main forks it with
 * `--db <userData>/db/undertow.db`; it opens the `Backend` and serves it on
 * `process.parentPort` with the protocol in `utility-protocol.ts`. No Electron import: the
 * port is the only tie to Electron.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError } from '../../shared/errors';
import { selectNativeBinding } from './native-binding';
import { Backend } from './services/backend';
import { dbPathFromArgs, serveBackendOnPort, startupError, type PortLike } from './utility-protocol';

function openBackend(): Backend | ApiError {
  const dbPath = dbPathFromArgs(process.argv, process.env);
  if (!dbPath) return new ApiError('internal', 'the backend was started without --db PATH or $UNDERTOW_DB');
  try {
    // Inside Electron, better-sqlite3 built for Electron's ABI (never the Node build in node_modules).
    const nativeBinding = selectNativeBinding({
      electronVersion: process.versions.electron,
      resourcesPath: (process as { resourcesPath?: string }).resourcesPath,
      entryDir: path.dirname(fileURLToPath(import.meta.url)),
      exists: (file) => fs.existsSync(file),
    });
    return new Backend({ dbPath, ...(nativeBinding ? { nativeBinding } : {}) });
  } catch (err) {
    // A corrupt or newer database, or a native module for the wrong runtime: keep running so
    // the UI can show why instead of a dead app.
    return startupError(err);
  }
}

// `parentPort` is typed by Electron's declarations on `process`; only its message/postMessage
// slice is used, so it is read structurally and the file needs no Electron types.
const port = (process as unknown as { parentPort?: PortLike }).parentPort;
if (!port) {
  process.stderr.write('electron/backend/utility.ts must run in an Electron utilityProcess\n');
  process.exit(1);
}
serveBackendOnPort(openBackend(), port, () => process.exit(0));
