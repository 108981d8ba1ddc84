/**
 * End to end, as a user: browser mode started as `npm run web` starts it, Debian Chromium
 * driven by playwright-core. Import the real 2020-03 BTC crash window through the Import
 * button, see it in the rail with 5,760 rows, select it, and check that the chart canvas
 * really shows candles (pixels in the candle colours, not just DOM). Then drop a second file
 * and a bad one. Screenshots go to test-results/e2e/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, SHARED_DATA, startWebApp, type WebApp, openPage, closeAll } from './harness';
import { dropFile } from './page-actions';

let app: WebApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  app = await startWebApp();
  ({ browser, page } = await openPage({ viewport: { width: 1400, height: 820 } }, pageErrors));
});

afterAll(() => closeAll(browser, app));

/** Counts pixels close to a colour over all canvases inside the chart element. */
async function countChartPixels(color: [number, number, number]): Promise<number> {
  return page.evaluate((rgb) => {
    let n = 0;
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>('[data-testid=chart] canvas')) {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - rgb[0]) < 12 && Math.abs(data[i + 1]! - rgb[1]) < 12 && Math.abs(data[i + 2]! - rgb[2]) < 12 && data[i + 3]! > 200) n++;
      }
    }
    return n;
  }, color);
}


describe('import a crash window and see its candles', () => {
  it('first start shows an empty workspace that says what to do', async () => {
    await page.goto(app.appUrl);
    await page.getByText('Start by importing candles').waitFor();
    expect(await page.getByTestId('empty-state').textContent()).toContain('Drop a candle file');
    await page.screenshot({ path: artifactPath('01-empty.png') });
  });

  it('imports the 2020-03-12 BTC window through the Import button and lists 5,760 rows', async () => {
    await page.getByTestId('import-input').setInputFiles(path.join(SHARED_DATA, 'events/btcusdt_1m_2020-03-11_2020-03-14.csv'));
    await page.getByTestId('dataset-item').first().waitFor();
    expect(await page.getByTestId('dataset-rows').first().textContent()).toBe('5,760 rows');
    expect(await page.getByTestId('status').textContent()).toContain('Imported btcusdt_1m_2020-03-11_2020-03-14.csv: BTCUSDT 1m, 5,760 rows.');
  });

  it('draws the candles on the canvas', async () => {
    await page.getByTestId('dataset-item').first().click();
    await page.getByText('5,760 bars drawn').waitFor();
    await page.waitForTimeout(300); // one animation frame or two for the canvas
    const up = await countChartPixels([0x26, 0xa6, 0x9a]);
    const down = await countChartPixels([0xef, 0x53, 0x50]);
    // Thousands of candles in both colours; an empty chart has none of either.
    expect(up).toBeGreaterThan(2000);
    expect(down).toBeGreaterThan(2000);
    expect(await page.getByTestId('dataset-details').textContent()).toContain('2020-03-11 00:00 UTC');
    await page.screenshot({ path: artifactPath('02-btc-2020-03.png') });
  });

  it('imports a dropped file, and refuses a bad one naming file and line, storing nothing', async () => {
    const eth = fs.readFileSync(path.join(SHARED_DATA, 'events/ethusdt_1h_2020-03-11_2020-03-14.csv'), 'utf8');
    await dropFile(page, 'ethusdt_1h_2020-03-11_2020-03-14.csv', eth);
    await page.getByText('Imported ethusdt_1h_2020-03-11_2020-03-14.csv').waitFor();
    expect(await page.getByTestId('dataset-item').count()).toBe(2);

    const lines = eth.split('\n');
    lines[7] = lines[7]!.replace(/^(\d+),([^,]+),([^,]+),/, '$1,$2,oops,');
    await dropFile(page, 'ethusdt_1h_broken.csv', lines.join('\n'));
    const error = page.getByTestId('import-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('ethusdt_1h_broken.csv:8 field "high": high "oops" is not a number');
    expect(await page.getByTestId('dataset-item').count()).toBe(2);
    await page.screenshot({ path: artifactPath('03-bad-file.png') });
  });

  it('keeps the datasets after a reload (the database persists)', async () => {
    await page.reload();
    await page.getByTestId('dataset-item').nth(1).waitFor();
    expect(await page.getByTestId('dataset-item').count()).toBe(2);
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
