/**
 * `IPC.saveFile`: the Replay screen's exports (chart PNG, events and series CSV, run JSON)
 * saved where the user chooses in a native Save dialog. The renderer sends the bytes and a
 * suggested file name, never a path: the only place main writes is the one the user picked
 * in the dialog. Checked here before the dialog opens:
 *
 * - the sender is the app's own top-level frame (as for `IPC.call`, see ipc.ts);
 * - the payload is exactly `{ kind, fileName, data }`: a known kind; a plain file name (no
 *   folders, no control or reserved characters, not hidden) ending in `.<kind>`; text for
 *   csv/json, PNG bytes (with the PNG signature) for png; at most `MAX_SAVE_BYTES`;
 * - one dialog at a time.
 *
 * The file is written to a temporary sibling and renamed into place, so a failed write
 * (disk full, no permission) leaves neither a partial file nor a stray temporary one; the
 * error names the chosen path. Always resolves with a `SaveFileReply`; a cancelled dialog is
 * `{ ok: true, path: null }` and writes nothing.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BrowserWindow, IpcMain, SaveDialogOptions } from 'electron';
import {
  IPC,
  MAX_SAVE_BYTES,
  SAVE_FILE_KINDS,
  type SaveFileKind,
  type SaveFileReply,
} from '../../shared/bridge';
import type { ApiErrorShape, ErrorCode } from '../../shared/errors';
import { isTrustedSender, type AppUrls, type CallEvent } from './ipc';

/** A request that passed every check: the bytes to write. */
export interface CheckedSave {
  kind: SaveFileKind;
  fileName: string;
  bytes: Uint8Array;
}

/** What the handler needs from Electron and the file system (passed in so a test can drive it). */
export interface SaveFileDeps {
  showSaveDialog(window: BrowserWindow | null, options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string | undefined }>;
  /** The window that sent the request (the dialog's parent), if any. */
  windowFor(event: unknown): BrowserWindow | null;
  /** The folder the first dialog opens in (the user's Downloads). */
  defaultDirectory(): string;
  /** Writes the bytes at the path; defaults to `writeFileAtomic`. */
  writeFile?(filePath: string, bytes: Uint8Array): Promise<void>;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const REQUEST_KEYS = ['data', 'fileName', 'kind'];
/** Characters no exported name needs and some file systems refuse; control characters too. */
const BAD_NAME_CHARS = /[\u0000-\u001f\u007f/\\<>:"|?*]/;

type Checked = { ok: true; save: CheckedSave } | { ok: false; error: ApiErrorShape };

function refuse(code: ErrorCode, message: string, field?: string): { ok: false; error: ApiErrorShape } {
  return { ok: false, error: { code, message, where: field ? { field } : {} } };
}

/** Validates an export request from the renderer; never throws. `maxBytes` only differs in tests. */
export function checkSaveRequest(value: unknown, maxBytes: number = MAX_SAVE_BYTES): Checked {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse('bad_request', 'the export must be an object { kind, fileName, data }');
  }
  const request = value as Record<string, unknown>;
  const keys = Object.keys(request).sort();
  if (keys.join(',') !== REQUEST_KEYS.join(',')) {
    return refuse('bad_request', `the export must have exactly kind, fileName and data (got ${keys.join(', ') || 'nothing'})`);
  }
  const { kind, fileName, data } = request;
  if (typeof kind !== 'string' || !Object.hasOwn(SAVE_FILE_KINDS, kind)) {
    return refuse('bad_request', `kind must be one of ${Object.keys(SAVE_FILE_KINDS).join(', ')}`, 'kind');
  }
  const k = kind as SaveFileKind;
  if (typeof fileName !== 'string' || fileName.length === 0 || fileName.length > 255) {
    return refuse('bad_request', 'fileName must be a name of 1 to 255 characters', 'fileName');
  }
  if (BAD_NAME_CHARS.test(fileName) || fileName.startsWith('.') || fileName.trim() !== fileName) {
    return refuse('bad_request', `"${fileName.replace(/[\u0000-\u001f\u007f]/g, '?')}" is not a plain file name (no folders, no hidden or reserved names)`, 'fileName');
  }
  if (!fileName.toLowerCase().endsWith(`.${k}`) || fileName.length === k.length + 1) {
    return refuse('bad_request', `fileName must end in .${k}`, 'fileName');
  }
  let bytes: Uint8Array;
  if (k === 'png') {
    if (!(data instanceof Uint8Array)) return refuse('bad_request', 'a PNG export must be bytes (Uint8Array)', 'data');
    if (data.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => data[i] !== b)) {
      return refuse('invalid_input', 'the data is not a PNG image', 'data');
    }
    bytes = data;
  } else {
    if (typeof data !== 'string') return refuse('bad_request', `a ${k.toUpperCase()} export must be text`, 'data');
    // A UTF-16 code unit is at most 3 UTF-8 bytes: skip encoding what is too long anyway.
    if (data.length > maxBytes) return tooLarge(maxBytes);
    bytes = Buffer.from(data, 'utf8');
  }
  if (bytes.length > maxBytes) return tooLarge(maxBytes);
  return { ok: true, save: { kind: k, fileName, bytes } };
}

function tooLarge(maxBytes: number): { ok: false; error: ApiErrorShape } {
  const limit = maxBytes >= 1024 * 1024 ? `${maxBytes / (1024 * 1024)} MiB` : `${maxBytes} bytes`;
  return refuse('invalid_input', `the export is larger than ${limit}`, 'data');
}

/** The Save dialog for one checked export: suggested name in `directory`, a filter for its kind. */
export function saveDialogOptions(save: CheckedSave, directory: string): SaveDialogOptions {
  const kind = SAVE_FILE_KINDS[save.kind];
  return {
    title: 'Export',
    defaultPath: path.join(directory, save.fileName),
    buttonLabel: 'Save',
    filters: [
      { name: kind.filter, extensions: [save.kind] },
      { name: 'All files', extensions: ['*'] },
    ],
    properties: ['showOverwriteConfirmation', 'createDirectory'],
  };
}

/** Writes `bytes` at `target` through a temporary sibling and a rename; removes the temporary file on failure. */
export async function writeFileAtomic(target: string, bytes: Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temp, bytes, { flag: 'wx' });
    await fs.rename(temp, target);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => {});
    throw err;
  }
}

const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'a folder has that name',
  ENAMETOOLONG: 'the name is too long',
};

/** "cannot write <path>: <reason>", the error a failed write is reported as. */
export function writeError(filePath: string, err: unknown): ApiErrorShape {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const reason = (code && FS_REASONS[code]) ?? (code || ((err as Error | null)?.message ?? String(err)));
  return { code: 'unavailable', message: `cannot write ${filePath}: ${reason}`, where: { file: filePath } };
}

/** Remembers the last folder saved to, and whether a dialog is open. */
export interface SaveFileState {
  directory?: string;
  busy?: boolean;
}

export async function handleSaveFile(
  event: CallEvent,
  request: unknown,
  deps: SaveFileDeps,
  urls: AppUrls,
  state: SaveFileState = {},
): Promise<SaveFileReply> {
  if (!isTrustedSender(event, urls)) return refuse('forbidden', 'this frame may not save files');
  const checked = checkSaveRequest(request);
  if (!checked.ok) return checked;
  if (state.busy) return refuse('conflict', 'a Save dialog is already open');
  state.busy = true;
  let filePath: string;
  try {
    const window = deps.windowFor(event);
    const choice = await deps.showSaveDialog(window, saveDialogOptions(checked.save, state.directory ?? deps.defaultDirectory()));
    if (choice.canceled || !choice.filePath) return { ok: true, path: null };
    filePath = choice.filePath;
  } catch (err) {
    return refuse('internal', `the Save dialog failed: ${(err as Error)?.message ?? String(err)}`);
  } finally {
    state.busy = false;
  }
  try {
    await (deps.writeFile ?? writeFileAtomic)(filePath, checked.save.bytes);
  } catch (err) {
    return { ok: false, error: writeError(filePath, err) };
  }
  state.directory = path.dirname(filePath);
  return { ok: true, path: filePath };
}

/** Registers the `IPC.saveFile` handler; returns a function that removes it. */
export function registerSaveFile(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, deps: SaveFileDeps, urls: AppUrls): () => void {
  const state: SaveFileState = {};
  ipcMain.handle(IPC.saveFile, (event, request: unknown) => handleSaveFile(event, request, deps, urls, state));
  return () => ipcMain.removeHandler(IPC.saveFile);
}
