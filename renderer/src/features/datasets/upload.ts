/**
 * Sending a File to the backend for import. Browser mode streams it to `POST /api/upload`
 * (nothing is read into this page's memory, so a multi-gigabyte file is fine); in Electron
 * main imports it by its path on disk (resolved by the preload), or, for a file without one,
 * the content goes through the bridge as text, or base64 for a zip (`importThroughBridge`).
 */
import type { ImportResult } from '../../../../shared/domain';
import { ApiError } from '../../../../shared/errors';
import type { ReplyMessage } from '../../../../shared/contract';
import type { ClientApi } from '../../lib/api/connect';
import { importThroughBridge } from '../../lib/api/files';

export interface UploadOptions {
  symbol?: string;
  timeframe?: string;
  job: string;
}

export async function uploadFile(api: ClientApi, file: File, options: UploadOptions): Promise<ImportResult> {
  if (api.transport === 'http') {
    const query = new URLSearchParams({ fileName: file.name, job: options.job });
    if (options.symbol) query.set('symbol', options.symbol);
    if (options.timeframe) query.set('timeframe', options.timeframe);
    let response: Response;
    try {
      response = await fetch(`/api/upload?${query.toString()}`, {
        method: 'POST',
        headers: { 'x-undertow-token': sessionStorage.getItem('undertow.token') ?? '', 'content-type': 'application/octet-stream' },
        body: file,
      });
    } catch (err) {
      throw new ApiError('internal', `the Undertow server cannot be reached (${(err as Error).message})`);
    }
    const reply = (await response.json()) as ReplyMessage;
    if (!reply.ok) throw ApiError.from(reply.error);
    return reply.result as ImportResult;
  }
  return importThroughBridge(api, api.files, file, options);
}
