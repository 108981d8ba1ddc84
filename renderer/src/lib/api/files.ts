/**
 * Files beyond `call`, per transport. Only Electron's bridge offers them: a native Save
 * dialog for exports, and importing a picked or dropped file by its path. In the browser
 * `ClientApi.files` is null and the callers download or upload instead (see `saveExport` and
 * `importThroughBridge`). No DOM here, so unit tests run it in Node.
 */
import type { LocalImportOptions, PreloadBridge, SaveFileRequest } from '../../../../shared/bridge';
import type { Api } from '../../../../shared/contract';
import type { ImportResult } from '../../../../shared/domain';
import { ApiError } from '../../../../shared/errors';

export interface FileTransport {
  /** Save dialog, then main writes the file: the path written, or null when the user cancelled. Throws `ApiError`. */
  saveFile(request: SaveFileRequest): Promise<string | null>;
  /** Imports by path; null when the file has no path on disk (send its content instead). Throws `ApiError`. */
  importLocalFile(file: File, options: LocalImportOptions): Promise<ImportResult | null>;
}

export function bridgeFiles(bridge: Pick<PreloadBridge, 'saveFile' | 'importLocalFile'>): FileTransport {
  return {
    async saveFile(request) {
      const reply = await bridge.saveFile(request);
      if (!reply.ok) throw ApiError.from(reply.error);
      return reply.path;
    },
    async importLocalFile(file, options) {
      const reply = await bridge.importLocalFile(file, options);
      if (reply === null) return null;
      if (!reply.ok) throw ApiError.from(reply.error);
      return reply.result as ImportResult;
    },
  };
}

/** Where an export went: the Save dialog's path (null: cancelled), or a browser download. */
export type SaveOutcome = { via: 'dialog'; path: string | null } | { via: 'download' };

/** Saves an export: through the Save dialog when the transport has one, else as a download. */
export async function saveExport(
  files: FileTransport | null,
  request: SaveFileRequest,
  download: (request: SaveFileRequest) => void,
): Promise<SaveOutcome> {
  if (files) return { via: 'dialog', path: await files.saveFile(request) };
  download(request);
  return { via: 'download' };
}

/**
 * Imports a picked or dropped file over the bridge: by its path when the preload can resolve
 * one (nothing is read into the page), else its content as text, or base64 for a zip.
 */
export async function importThroughBridge(
  api: Pick<Api, 'call'>,
  files: FileTransport | null,
  file: File,
  options: LocalImportOptions,
): Promise<ImportResult> {
  const byPath = files ? await files.importLocalFile(file, options) : null;
  if (byPath) return byPath;
  const isZip = /\.zip$/i.test(file.name);
  const text = isZip ? toBase64(new Uint8Array(await file.arrayBuffer())) : await file.text();
  return api.call('datasets.importText', {
    fileName: file.name,
    text,
    ...(options.job ? { job: options.job } : {}),
    ...(isZip ? { encoding: 'base64' as const } : {}),
    ...(options.symbol ? { symbol: options.symbol } : {}),
    ...(options.timeframe ? { timeframe: options.timeframe } : {}),
  });
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
