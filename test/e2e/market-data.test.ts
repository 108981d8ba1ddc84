/**
 * End to end, market data, as a user in Debian Chromium: drop the real 2020-03 BTC window,
 * drop a year-sized file built from real rows (shifted in time) and watch its progress
 * (rows/s, ETA), switch timeframes (1h, 1d: resampled by the backend), open the crash finder
 * and jump to the worst 1h drop of Black Thursday. Screenshots go to test-results/e2e/.
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
  ({ browser, page } = await openPage({ viewport: { width: 1400, height: 860 } }, pageErrors));
});

afterAll(() => closeAll(browser, app));

/** Waits until the chart header says exactly `n bars drawn`. */
async function barsDrawn(n: string): Promise<void> {
  await page.getByTestId('chart-bars').filter({ hasText: new RegExp(`^${n} bars drawn$`) }).waitFor();
}


/** 400,000 one-minute bars: the real rows of the shared 1m windows, shifted to consecutive minutes from 2023-01-01. */
function yearLikeFile(): string {
  const rows: string[] = [];
  for (const f of fs.readdirSync(path.join(SHARED_DATA, 'events')).filter((x) => /^btcusdt_1m_/.test(x)).sort()) {
    for (const line of fs.readFileSync(path.join(SHARED_DATA, 'events', f), 'utf8').trim().split('\n').slice(1)) rows.push(line.slice(line.indexOf(',')));
  }
  const out = ['time,open,high,low,close,volume'];
  for (let i = 0; i < 400_000; i++) out.push(`${1672531200 + i * 60}${rows[i % rows.length]}`);
  return `${out.join('\n')}\n`;
}

describe('market data in the browser', () => {
  it('drops the real 2020-03 BTC window and lists it', async () => {
    await page.goto(app.appUrl);
    await page.getByText('Start by importing candles').waitFor();
    await dropFile(page, 'btcusdt_1m_2020-03-11_2020-03-14.csv', fs.readFileSync(path.join(SHARED_DATA, 'events/btcusdt_1m_2020-03-11_2020-03-14.csv'), 'utf8'));
    await page.getByText('Imported btcusdt_1m_2020-03-11_2020-03-14.csv').waitFor();
    expect(await page.getByTestId('dataset-rows').first().textContent()).toBe('5,760 rows');
  });

  it('shows progress with rows/s and ETA while a large file streams in, then lists it', async () => {
    await dropFile(page, 'btcusdt_1m_2023-shifted.csv', yearLikeFile());
    const text = page.getByTestId('import-progress-text');
    await text.filter({ hasText: 'rows/s' }).waitFor({ timeout: 20_000 });
    const shown = (await text.textContent()) ?? '';
    expect(shown).toMatch(/\d+% · (reading|storing…) · [\d,]+ rows · [\d,]+ rows\/s/);
    await page.screenshot({ path: artifactPath('md-01-progress.png') });
    await page.getByText('Imported btcusdt_1m_2023-shifted.csv').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-progress').count()).toBe(0);
    expect(await page.getByTestId('dataset-rows').nth(1).textContent()).toBe('400,000 rows');
  });

  it('switches timeframes: 1m, 1h and 1d bars of the same window', async () => {
    await page.getByTestId('dataset-item').first().click();
    expect(await page.getByTestId('dataset-item').first().getAttribute('aria-current')).toBe('true');
    await barsDrawn('5,760');
    await page.getByTestId('timeframe-1h').click();
    await barsDrawn('96');
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('md-02-btc-1h.png') });
    await page.getByTestId('timeframe-1d').click();
    await barsDrawn('4');
    expect(await page.getByTestId('timeframe-1d').getAttribute('aria-pressed')).toBe('true');
  });

  it('finds the worst drops and jumps to the 24.8% hour of 2020-03-12 in one click', async () => {
    const first = page.getByTestId('crash-drop').first();
    await first.waitFor();
    // ../shared/data/README.md: largest 1h drop 24.8% (2020-03-12 09:53 → 10:48).
    expect(await first.textContent()).toContain('−24.8%');
    expect(await first.textContent()).toContain('2020-03-12 09:53 → 10:48');
    expect(await page.getByTestId('crash-event').first().textContent()).toContain('Black Thursday');
    await first.click();
    await barsDrawn('5,760');
    expect(await page.getByTestId('timeframe-1m').getAttribute('aria-pressed')).toBe('true');
    await page.waitForTimeout(400);
    await page.screenshot({ path: artifactPath('md-03-crash-jump.png') });
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
