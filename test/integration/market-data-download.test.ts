/**
 * Download on demand against a local HTTP server on 127.0.0.1 that serves Binance public-data
 * daily kline zips in Binance's own layout (built here, in memory, from the real 2020-03 BTC
 * window: 12-column rows, millisecond open times, one zip per day). Checks the stored rows
 * against the source, the futures path and market, a missing day (404) and an unreachable
 * host (offline) — each a typed error, with nothing stored.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { createInProcessApi } from '../../electron/backend/services/in-process';
import { ApiError } from '../../shared/errors';
import { readSharedCsv, tempDir } from '../helpers/temp';
import { snapshot } from '../helpers/db-snapshot';

const dir = tempDir();
const bars = readSharedCsv('events/btcusdt_1m_2020-03-11_2020-03-14.csv');
const DAY = 86_400;

/** One day of the real bars as a Binance daily kline zip (ETH: the BTC bars scaled, so the content differs). */
function dailyZip(symbol: string, day: number): Uint8Array {
  const k = symbol === 'BTCUSDT' ? 1 : 0.025;
  const rows: string[] = [];
  bars.time.forEach((t, i) => {
    if (t < day || t >= day + DAY) return;
    const ms = t * 1000;
    rows.push([ms, bars.open[i]! * k, bars.high[i]! * k, bars.low[i]! * k, bars.close[i]! * k, bars.volume[i], ms + 59_999, 0, 0, 0, 0, 0].join(','));
  });
  const name = `${symbol}-1m-${new Date(day * 1000).toISOString().slice(0, 10)}`;
  return zipSync({ [`${name}.csv`]: strToU8(`${rows.join('\n')}\n`) });
}

const served: string[] = [];
const server = http.createServer((req, res) => {
  served.push(req.url ?? '');
  const m = /^\/data\/(spot|futures\/um)\/daily\/klines\/([A-Z0-9]+)\/1m\/\2-1m-(\d{4}-\d{2}-\d{2})\.zip$/.exec(req.url ?? '');
  const day = m ? Date.parse(`${m[3]}T00:00:00Z`) / 1000 : NaN;
  if (!m || !bars.time.some((t) => t >= day && t < day + DAY)) {
    res.writeHead(404).end('not found');
    return;
  }
  const body = dailyZip(m[2]!, day);
  res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(Buffer.from(body));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const backend = new Backend({ dbPath: path.join(dir, 'download.db'), now: () => 1 });
const api = createInProcessApi(backend, { trusted: false });
const MAR12 = Date.UTC(2020, 2, 12) / 1000;

describe('datasets.download', () => {
  it('fetches the daily zips of a window and stores them as one dataset, row for row', async () => {
    const result = await api.call('datasets.download', { symbol: 'BTCUSDT', market: 'spot', timeframe: '1m', from: MAR12, to: MAR12 + DAY, baseUrl });
    expect(served).toEqual([
      '/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2020-03-12.zip',
      '/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2020-03-13.zip',
    ]);
    expect(result.dataset).toMatchObject({ symbol: 'BTCUSDT', barSeconds: 60, rows: 2880, firstTime: MAR12, lastTime: MAR12 + 2 * DAY - 60, venue: 'binance', market: 'spot' });
    const stored = await api.call('datasets.candles', { id: result.dataset.id });
    const from = bars.time.indexOf(MAR12);
    expect(stored.close).toEqual(bars.close.slice(from, from + 2880));
    expect(stored.low).toEqual(bars.low.slice(from, from + 2880));
    // Downloading the same days again stores nothing new.
    const again = await api.call('datasets.download', { symbol: 'BTCUSDT', market: 'spot', timeframe: '1m', from: MAR12, to: MAR12 + DAY, baseUrl });
    expect(again.added).toBe(0);
  });

  it('takes USDⓈ-M futures from their own path and marks the dataset perp', async () => {
    served.length = 0;
    const result = await api.call('datasets.download', { symbol: 'ETHUSDT', market: 'perp', timeframe: '1m', from: MAR12, to: MAR12, baseUrl });
    expect(served).toEqual(['/data/futures/um/daily/klines/ETHUSDT/1m/ETHUSDT-1m-2020-03-12.zip']);
    expect(result.dataset).toMatchObject({ symbol: 'ETHUSDT', market: 'perp', rows: 1440 });
  });

  it('names a day that is not published, and stores nothing', async () => {
    const before = snapshot(backend.db);
    const error = (await api
      .call('datasets.download', { symbol: 'BTCUSDT', market: 'spot', timeframe: '1m', from: MAR12 + 3 * DAY, to: MAR12 + 4 * DAY, baseUrl })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(/BTCUSDT-1m-2020-03-15\.zip is not published/);
    expect(snapshot(backend.db)).toBe(before);
  });

  it('says the machine looks offline when the host cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = (await api
      .call('datasets.download', { symbol: 'BTCUSDT', market: 'spot', timeframe: '1m', from: MAR12, to: MAR12, baseUrl: `http://127.0.0.1:${port}` })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/looks offline — import files you already have instead/);
    expect(error.where.field).toBe('baseUrl');
  });

  it('refuses absurd windows and other schemes by field', async () => {
    const long = (await api.call('datasets.download', { symbol: 'BTCUSDT', market: 'spot', timeframe: '1m', from: MAR12, to: MAR12 + 100 * DAY, baseUrl }).catch((e: unknown) => e)) as ApiError;
    expect(long.where.field).toBe('to');
    const file = (await api.call('datasets.download', { symbol: 'BTCUSDT', market: 'spot', timeframe: '1m', from: MAR12, to: MAR12, baseUrl: 'file:///etc' }).catch((e: unknown) => e)) as ApiError;
    expect(file.code).toBe('bad_request');
    expect(file.where.field).toBe('baseUrl');
  });
});
