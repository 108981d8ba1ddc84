/**
 * What the replay screen benchmarks share (a file starting with "_" is not a benchmark of its
 * own: test/bench/run.ts skips it): the 4-day 1m BTC window of 2020-03-12, read in place from
 * ../shared/data, imported through the HTTP API with a book of isolated positions on both sides
 * (leverages 2…51×: their lines spread over the whole crash range) and replayed with an estimated
 * market population (the heat band) and linear impact; then the browser page showing it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, SHARED_DATA, startWebApp, type WebApp } from '../e2e/harness';
import { createHttpApi } from '../helpers/http-api';
import { readSharedCsv } from '../helpers/temp';

export const FILE = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';
export const LOOKBACK = 1440;

/** A number-valued command-line option (`--name 12`). */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export function quantiles(xs: number[]): { p50: number; p95: number; max: number; mean: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { p50: r(q(0.5)), p95: r(q(0.95)), max: r(s[s.length - 1] ?? 0), mean: r(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)), n: s.length };
}

/** Imports the window, saves a book of `positions` and stores the replay; returns the API, the bars and the run. */
export async function storeBookReplay(app: WebApp, positions: number) {
  const bars = readSharedCsv(FILE);
  const api = createHttpApi(app.url, app.token);
  const imported = await api.call('datasets.importText', { fileName: path.basename(FILE), text: fs.readFileSync(path.join(SHARED_DATA, FILE), 'utf8') });
  const t = bars.time[LOOKBACK]!;
  const entry = bars.open[LOOKBACK]!;
  const book = Array.from({ length: positions }, (_, i) => ({
    id: `p${i}`,
    symbol: 'BTCUSDT',
    side: i % 2 === 0 ? ('long' as const) : ('short' as const),
    qty: 0.5,
    entry: entry * (1 + ((i % 7) - 3) * 0.002),
    leverage: 2 + (i % 50),
    openedAt: t + 60 * (i % 240),
  }));
  const portfolio = await api.call('portfolios.save', { portfolio: { name: 'bench', accounts: [{ id: 'iso', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: book }] } });
  const run = await api.call('runs.replay', {
    datasetId: imported.dataset.id,
    portfolioId: portfolio.id,
    scenario: { venue: 'binance-usdm', impact: { model: 'linear', depth1Pct: 5_000_000 }, population: { lookbackBars: LOOKBACK } },
    seed: 1,
  });
  return { api, bars, run };
}

/** A 1500×1000 page on the Replay tab with the first stored run open, and the page errors it raises. */
export async function openStoredReplay(browser: Browser, app: WebApp): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.appUrl);
  await page.getByTestId('tab-replay').click();
  await page.getByTestId('run-item').first().click();
  await page.getByTestId('transport').waitFor({ timeout: 60_000 });
  return { page, errors };
}

/** Runs a browser benchmark against a fresh web app and prints the document it returns as JSON (exit code 1 on failure). */
export function benchInBrowser(body: (app: WebApp, browser: Browser) => Promise<object>): void {
  const run = async (): Promise<void> => {
    const app = await startWebApp();
    const browser = await launchChromium();
    try {
      process.stdout.write(`${JSON.stringify(await body(app, browser), null, 2)}\n`);
    } finally {
      await browser.close();
      await app.stop();
    }
  };
  run().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
