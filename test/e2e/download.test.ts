/**
 * Download on demand in the UI: pick a catalog crash, download from a local HTTP server that
 * serves Binance daily kline zips (built in memory from the real 2020-03-12 BTC bars), and
 * see the dataset in the rail; offline, the panel says so.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { strToU8, zipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSharedCsv } from '../helpers/temp';
import { artifactPath, startWebApp, type WebApp, openPage, closeAll } from './harness';

const bars = readSharedCsv('events/btcusdt_1m_2020-03-11_2020-03-14.csv');
const DAY = 86_400;
const server = http.createServer((req, res) => {
  const m = /\/BTCUSDT-1m-(\d{4}-\d{2}-\d{2})\.zip$/.exec(req.url ?? '');
  const day = m ? Date.parse(`${m[1]}T00:00:00Z`) / 1000 : NaN;
  const rows = bars.time.flatMap((t, i) =>
    t >= day && t < day + DAY ? [[t * 1000, bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i], t * 1000 + 59_999, 0, 0, 0, 0, 0].join(',')] : [],
  );
  if (rows.length === 0) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/zip' }).end(Buffer.from(zipSync({ [`BTCUSDT-1m-${m![1]}.csv`]: strToU8(rows.join('\n')) })));
});

let app: WebApp;
let browser: Browser;
let page: Page;
let baseUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = await startWebApp();
  ({ browser, page } = await openPage({ viewport: { width: 1400, height: 820 } }));
});

afterAll(async () => {
  await closeAll(browser, app);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('download on demand', () => {
  it('says the machine looks offline when the server cannot be reached', async () => {
    await page.goto(app.appUrl);
    await page.getByTestId('download-toggle').click();
    await page.getByTestId('download-event').selectOption('2020-03-12');
    await page.getByTestId('download-base').fill('http://127.0.0.1:9');
    await page.getByTestId('download-run').click();
    expect(await page.getByTestId('download-error').textContent()).toMatch(/looks offline — import files you already have instead/);
  });

  it('downloads the two days of Black Thursday and lists 2,880 rows', async () => {
    await page.getByTestId('download-base').fill(baseUrl);
    await page.getByTestId('download-run').click();
    await page.getByTestId('dataset-item').first().waitFor();
    expect(await page.getByTestId('dataset-rows').first().textContent()).toBe('2,880 rows');
    expect(await page.getByTestId('status').textContent()).toBe('Downloaded 2880 bars of BTCUSDT.');
    await page.getByText('2,880 bars drawn').waitFor();
    await page.screenshot({ path: artifactPath('download-2020-03-12.png') });
  });
});
