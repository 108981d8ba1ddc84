/**
 * Download on demand: Binance's public market data (data.binance.vision) publishes one zip of
 * 1-day klines per symbol, bar size and day, at
 *   {base}/data/spot/daily/klines/{SYMBOL}/{interval}/{SYMBOL}-{interval}-{YYYY-MM-DD}.zip
 *   {base}/data/futures/um/daily/klines/{SYMBOL}/{interval}/{SYMBOL}-{interval}-{YYYY-MM-DD}.zip
 * This module plans those URLs and fetches them; the importer then treats the zips exactly as
 * files the user brought. The base URL is configurable (a mirror, or a local server in tests).
 */
import { ApiError } from '../../../shared/errors';

export const BINANCE_PUBLIC_DATA = 'https://data.binance.vision';
/** Most days fetched by one download (two months of daily files). */
export const MAX_DOWNLOAD_DAYS = 62;
/** Largest zip accepted (a day of 1s klines is about 5 MB zipped). */
const MAX_ZIP_BYTES = 64 * 1024 * 1024;
const DAY = 86_400;

export interface DailyFile {
  url: string;
  /** The Binance file name, which the importer reads symbol, bar size and day from. */
  name: string;
}

/** The daily zips covering the UTC days from `fromDay` to `toDay` (both included). */
export function binanceDailyFiles(
  baseUrl: string,
  market: 'spot' | 'perp',
  symbol: string,
  interval: string,
  fromDay: number,
  toDay: number,
): DailyFile[] {
  const first = Math.floor(fromDay / DAY) * DAY;
  const last = Math.floor(toDay / DAY) * DAY;
  if (last < first) throw new ApiError('invalid_input', 'the last day is before the first', { field: 'to' });
  const days = (last - first) / DAY + 1;
  if (days > MAX_DOWNLOAD_DAYS) {
    throw new ApiError('invalid_input', `${days} days asked; download at most ${MAX_DOWNLOAD_DAYS} at a time`, { field: 'to' });
  }
  const root = baseUrl.replace(/\/+$/, '');
  const path = market === 'spot' ? 'data/spot/daily/klines' : 'data/futures/um/daily/klines';
  const files: DailyFile[] = [];
  for (let day = first; day <= last; day += DAY) {
    const name = `${symbol}-${interval}-${new Date(day * 1000).toISOString().slice(0, 10)}.zip`;
    files.push({ url: `${root}/${path}/${symbol}/${interval}/${name}`, name });
  }
  return files;
}

/** Fetches one file whole; network failures say the machine looks offline. */
export async function fetchFile(file: DailyFile, signal?: AbortSignal): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(file.url, { signal: signal ?? null, redirect: 'follow' });
  } catch (err) {
    if (signal?.aborted) throw new ApiError('cancelled', 'download cancelled');
    const host = new URL(file.url).host;
    throw new ApiError(
      'unavailable',
      `cannot reach ${host} (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}): this machine looks offline — import files you already have instead`,
      { field: 'baseUrl' },
    );
  }
  if (response.status === 404) {
    await response.body?.cancel();
    throw new ApiError('not_found', `${file.name} is not published (404): the symbol, bar size or day does not exist there`, { file: file.url });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ApiError('unavailable', `${file.name}: the server answered ${response.status}`, { file: file.url });
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > MAX_ZIP_BYTES) {
    await response.body?.cancel();
    throw new ApiError('invalid_input', `${file.name} is ${declared} bytes; the limit is ${MAX_ZIP_BYTES}`, { file: file.url });
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_ZIP_BYTES) throw new ApiError('invalid_input', `${file.name} is larger than ${MAX_ZIP_BYTES} bytes`, { file: file.url });
  return bytes;
}
