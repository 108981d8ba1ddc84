/**
 * Entry of the backend `utilityProcess` (built to out/main/backend.js). Main forks it with
 * `--db <userData>/db/undertow.db`; it opens the `Backend` and serves it on
 * `process.parentPort` with the protocol in `utility-protocol.ts`. No Electron import: the
 * port is the only tie to Electron.
 */
import { ApiError } from '../../shared/errors';
import { Backend } from './services/backend';
import { dbPathFromArgs, serveBackendOnPort, startupError, type PortLike } from './utility-protocol';

function openBackend(): Backend | ApiError {
  const dbPath = dbPathFromArgs(process.argv, process.env);
  if (!dbPath) return new ApiError('internal', 'the backend was started without --db PATH or $UNDERTOW_DB');
  try {
    return new Backend({ dbPath });
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
