/**
 * `IPC.importPath`: a candle file the user picked or dropped, imported by its path on disk
 * (like File ▸ Import…, see menu.ts) instead of being read into the page and sent as text.
 * The preload resolves the path of the `File` with `webUtils.getPathForFile` and sends it
 * here; the page never sees or chooses it (a `File` the page makes itself has no path).
 *
 * The renderer does not hold the user's authority over arbitrary paths, so main checks what
 * it can before calling the backend's trusted `datasets.importFile`: the sender is the app's
 * own top-level frame (ipc.ts); the path is an absolute local path (not UNC) of at most 4096
 * characters, no NUL, naming a file the Import button offers (`.csv`, `.txt`, `.zip`); the options are only
 * `symbol`, `timeframe` and `job`, as strings (the backend validates their values). The
 * backend then refuses anything that is not a regular file or not candle data.
 *
 * Always resolves with a `ReplyMessage`; refusals are error values, never exceptions.
 */
import path from 'node:path';
import type { IpcMain } from 'electron';
import { importsByPath, IPC, LOCAL_IMPORT_OPTION_KEYS, type LocalImportOptions } from '../../shared/bridge';
import type { ReplyMessage } from '../../shared/contract';
import type { ErrorCode } from '../../shared/errors';
import type { BackendCaller } from './backend-process';
import { isTrustedSender, type AppUrls, type CallEvent } from './ipc';

const MAX_PATH = 4096;

function refusal(code: ErrorCode, message: string, field?: string): ReplyMessage {
  return { id: 0, ok: false, error: { code, message, where: field ? { field } : {} } };
}

/** The checked options, or the refusal. */
function checkOptions(value: unknown): LocalImportOptions | ReplyMessage {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refusal('bad_request', 'import options must be an object');
  }
  const options: LocalImportOptions = {};
  for (const [key, v] of Object.entries(value)) {
    if (!(LOCAL_IMPORT_OPTION_KEYS as readonly string[]).includes(key)) {
      return refusal('bad_request', `unknown import option "${key}" (allowed: ${LOCAL_IMPORT_OPTION_KEYS.join(', ')})`, key);
    }
    if (typeof v !== 'string') return refusal('bad_request', `import option "${key}" must be a string`, key);
    options[key as keyof LocalImportOptions] = v;
  }
  return options;
}

export async function handleImportPath(
  event: CallEvent,
  filePath: unknown,
  options: unknown,
  backend: BackendCaller,
  urls: AppUrls,
): Promise<ReplyMessage> {
  if (!isTrustedSender(event, urls)) return refusal('forbidden', 'this frame may not import files');
  if (typeof filePath !== 'string' || filePath.length === 0 || filePath.length > MAX_PATH || filePath.includes('\0')) {
    return refusal('bad_request', `the path must be a string of 1 to ${MAX_PATH} characters`, 'path');
  }
  if (!path.isAbsolute(filePath)) return refusal('bad_request', 'the path must be absolute', 'path');
  // A UNC path would make main reach out to another machine (and offer it the user's credentials).
  if (filePath.startsWith('\\\\')) return refusal('forbidden', 'network (UNC) paths are not imported by path', 'path');
  if (!importsByPath(filePath)) return refusal('forbidden', 'only .csv, .txt and .zip files are imported by path', 'path');
  const checked = checkOptions(options);
  if ('ok' in checked) return checked;
  return backend.call('datasets.importFile', { ...checked, path: filePath }, true);
}

/**
 * Registers the `IPC.importPath` handler; returns a function that removes it. `onImported`
 * sees each successful import's result (File ▸ Recent learns the dataset from it).
 */
export function registerImportPath(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  backend: BackendCaller,
  urls: AppUrls,
  onImported?: (result: unknown) => void,
): () => void {
  ipcMain.handle(IPC.importPath, async (event, filePath: unknown, options: unknown) => {
    const reply = await handleImportPath(event, filePath, options, backend, urls);
    if (reply.ok && onImported) {
      try {
        onImported(reply.result);
      } catch (err) {
        console.warn(`Undertow: import observer failed: ${(err as Error)?.message ?? String(err)}`);
      }
    }
    return reply;
  });
  return () => ipcMain.removeHandler(IPC.importPath);
}
