/**
 * Sending a File to the backend for import. Browser mode streams it to `POST /api/upload`
 * (nothing is read into this page's memory, so a multi-gigabyte file is fine); in Electron
 * the file goes through the bridge as text, or base64 for a zip.
 */
import type { ImportResult } from '../../../../shared/domain';
import { ApiError } from '../../../../shared/errors';
import type { ReplyMessage } from '../../../../shared/contract';
import type { ClientApi } from '../../lib/api/connect';

export interface UploadOptions {
  symbol?: string;
  timeframe?: string;
  job: string;
}

export async function uploadFile(api: ClientApi, file: File, options: UploadOptions): Promise<ImportResult> {
  const isZip = /\.zip$/i.test(file.name);
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
  const text = isZip ? toBase64(new Uint8Array(await file.arrayBuffer())) : await file.text();
  return api.call('datasets.importText', {
    fileName: file.name,
    text,
    job: options.job,
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
