/**
 * End to end, as a user, in Debian Chromium (browser mode as `npm run web` starts it): build a
 * portfolio in the form (with an invalid value rejected beside its field, and undo/redo), read
 * its liquidation prices, run a shock and read the survivors — checked against Binance's isolated
 * formula computed here — run a sensitivity grid and a Monte Carlo with progress, cancel a long
 * Monte Carlo, reload and find the stored runs again. The real 2020-03 BTC window is read in
 * place from ../shared/data. Screenshots go to test-results/e2e/portfolio-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApi } from '../helpers/http-api';
import { artifactPath, SHARED_DATA, startWebApp, type WebApp, openPage, closeAll } from './harness';

let app: WebApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/**
 * Binance USDⓈ-M isolated one-way liquidation price (Binance "Liquidation Price Calculation" FAQ;
 * DESIGN.md §3.1), WB = margin = qty·entry/leverage, tier 1 of BTCUSDT: MMR 0.4%, cum 0.
 *   LP = (WB + cum − side·Q·EP) / (Q·MMR − side·Q)
 */
const lp = (side: 1 | -1, qty: number, entry: number, leverage: number): number => {
  const margin = (qty * entry) / leverage;
  return (margin + 0 - side * qty * entry) / (qty * 0.004 - side * qty);
};

const BOOK = [
  { id: 'L5', side: 'long', qty: 1, entry: 8000, leverage: 5 },
  { id: 'L10', side: 'long', qty: 1, entry: 8000, leverage: 10 },
  { id: 'L25', side: 'long', qty: 1, entry: 8000, leverage: 25 },
  { id: 'S10', side: 'short', qty: 1, entry: 8000, leverage: 10 },
] as const;

const shot = (name: string) => page.screenshot({ path: artifactPath(`portfolio-${name}.png`), fullPage: true });

beforeAll(async () => {
  app = await startWebApp();
  // The crash window, read in place and sent through the API (the import UI has its own e2e test).
  const api = createHttpApi(app.url, app.token);
  const file = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';
  await api.call('datasets.importText', { fileName: path.basename(file), text: fs.readFileSync(path.join(SHARED_DATA, file), 'utf8') });
  ({ browser, page } = await openPage({ viewport: { width: 1500, height: 1900 } }, pageErrors));
});

afterAll(() => closeAll(browser, app));

async function setPosition(i: number, p: (typeof BOOK)[number]): Promise<void> {
  await page.getByTestId(`pos-0-${i}-id`).fill(p.id);
  await page.getByTestId(`pos-0-${i}-symbol`).fill('BTCUSDT');
  await page.getByTestId(`pos-0-${i}-side`).selectOption(p.side);
  await page.getByTestId(`pos-0-${i}-qty`).fill(String(p.qty));
  await page.getByTestId(`pos-0-${i}-entry`).fill(String(p.entry));
  await page.getByTestId(`pos-0-${i}-leverage`).fill(String(p.leverage));
}

describe('portfolio what-if lab', () => {
  it('builds a portfolio in the form, rejects a bad value beside its field, undoes and redoes, saves', async () => {
    await page.goto(app.appUrl);
    await page.getByTestId('tab-portfolio').click();
    await page.getByTestId('portfolio-new').click();
    await page.getByTestId('portfolio-name').fill('E2E desk');
    await setPosition(0, BOOK[0]);
    for (let i = 1; i < BOOK.length; i++) {
      await page.getByTestId('add-position-0').click();
      await setPosition(i, BOOK[i]!);
    }
    // A negative quantity is refused with its field and reason, and Save is disabled.
    await page.getByTestId('pos-0-1-qty').fill('-2');
    const qtyError = page.getByTestId('error-accounts.0.positions.1.qty');
    await qtyError.waitFor();
    expect(await qtyError.textContent()).toContain('qty must be above zero');
    expect(await page.getByTestId('portfolio-save').isDisabled()).toBe(true);
    await shot('01-invalid-field');
    // Ctrl+Z takes the bad value back; Shift+Ctrl+Z brings it again; Ctrl+Z once more.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    expect(await page.getByTestId('pos-0-1-qty').inputValue()).toBe('1');
    await page.keyboard.press('Control+Shift+z');
    expect(await page.getByTestId('pos-0-1-qty').inputValue()).toBe('-2');
    await page.getByTestId('portfolio-undo').click();
    expect(await page.getByTestId('pos-0-1-qty').inputValue()).toBe('1');
    await qtyError.waitFor({ state: 'detached' });
    await page.getByTestId('portfolio-save').click();
    await page.getByTestId('portfolio-item').filter({ hasText: 'E2E desk' }).waitFor();
    expect(await page.getByTestId('status').textContent()).toContain('Saved portfolio E2E desk');
    // Export JSON downloads what was saved (in the browser; Electron uses its Save dialog).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('portfolio-export-json').click()]);
    expect(download.suggestedFilename()).toBe('E2E_desk.json');
    const file = path.join(app.dir, download.suggestedFilename());
    await download.saveAs(file);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; accounts: { positions: { qty: number }[] }[] };
    expect(exported.name).toBe('E2E desk');
    expect(exported.accounts[0]!.positions.map((p) => p.qty)).toContain(1);
  });

  it('shows live metrics with the isolated-formula liquidation prices and σ from the dataset', async () => {
    await page.getByTestId('lab-dataset').selectOption({ index: 1 });
    await page.getByTestId('mark-BTCUSDT').fill('8000');
    for (const p of BOOK) {
      const cell = page.getByTestId(`metrics-liq-${p.id}`);
      await cell.waitFor();
      const expected = lp(p.side === 'long' ? 1 : -1, p.qty, p.entry, p.leverage);
      await expect.poll(async () => Number((await cell.textContent())!.replace(/,/g, ''))).toBeCloseTo(expected, 1);
    }
    expect(await page.getByTestId('metrics-table').textContent()).toContain('σ');
    await shot('02-metrics');
  });

  it('runs a −8% instant shock and reads the survivors the formula predicts', async () => {
    await page.getByTestId('lab-impact').selectOption('none');
    await page.getByTestId('lab-lookback').fill('720');
    await page.getByTestId('shock-move-0').fill('-8');
    await page.getByTestId('shock-shape-0').selectOption('instant');
    await page.getByTestId('shock-price-0').fill('8000');
    await page.getByTestId('shock-run').click();
    await page.getByTestId('survivors-table').waitFor();
    const low = 8000 * (1 - 0.08);
    for (const p of BOOK) {
      const side = p.side === 'long' ? 1 : -1;
      const dies = side > 0 && low <= lp(side, p.qty, p.entry, p.leverage);
      expect(await page.getByTestId(`survivor-${p.id}`).getAttribute('data-status'), p.id).toBe(dies ? 'liquidated' : 'survived');
    }
    // Without impact there is no spiral: amplification exactly 1.
    expect(await page.getByTestId('shock-amplification').textContent()).toBe('×1.000');
    await page.waitForTimeout(300);
    await shot('03-shock');
  });

  it('runs a shock with impact: the cascade amplifies the move and the chart shows both paths', async () => {
    await page.getByTestId('lab-impact').selectOption('linear');
    await page.getByTestId('lab-depth').fill('300000');
    await page.getByTestId('shock-shape-0').selectOption('exponential');
    await page.getByTestId('shock-move-0').fill('-10');
    await page.getByTestId('shock-run').click();
    await expect.poll(async () => page.getByTestId('shock-amplification').textContent()).not.toBe('×1.000');
    const amp = Number((await page.getByTestId('shock-amplification').textContent())!.slice(1));
    expect(amp).toBeGreaterThan(1);
    await page.getByTestId('waterfall-table').waitFor();
    await page.waitForTimeout(300);
    await shot('04-shock-impact');
  });

  it('runs a sensitivity grid in two workers with progress', async () => {
    await page.getByTestId('lab-tab-sweep').click();
    await page.getByTestId('lab-depth').fill('2000000');
    await page.getByTestId('sweep-leverages').fill('2, 3, 5, 8, 10, 15, 20, 25, 50, 100');
    await page.getByTestId('sweep-moves').fill('-2, -4, -6, -8, -10, -12, -15, -20, -25, -30');
    await page.getByTestId('sweep-depths').fill('0.5, 1');
    await page.getByTestId('sweep-price').fill('8000');
    await page.getByTestId('lab-lookback').fill('1440');
    await page.getByTestId('sweep-run').click();
    await page.getByTestId('sweep-progress').waitFor();
    await page.getByTestId('sweep-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('sweep-cell').count()).toBe(200);
    await shot('05-sweep');
  });

  it('runs a Monte Carlo with progress, and cancels a long one (nothing stored)', async () => {
    await page.getByTestId('lab-tab-montecarlo').click();
    await page.getByTestId('lab-lookback').fill('360');
    await page.getByTestId('mc-paths').fill('400');
    await page.getByTestId('mc-steps').fill('240');
    await page.getByTestId('mc-price').fill('8000');
    await page.getByTestId('mc-run').click();
    await page.getByTestId('mc-result').waitFor({ timeout: 120_000 });
    const var95 = Number((await page.getByTestId('mc-var95').textContent())!.replace(/,/g, ''));
    const var99 = Number((await page.getByTestId('mc-var99').textContent())!.replace(/,/g, ''));
    expect(var99).toBeGreaterThanOrEqual(var95);
    await page.waitForTimeout(200);
    await shot('06-montecarlo');

    await page.getByTestId('mc-paths').fill('100000');
    await page.getByTestId('mc-steps').fill('1440');
    await page.getByTestId('mc-run').click();
    await expect.poll(async () => Number(((await page.getByTestId('mc-progress-text').textContent()) ?? '0/0').split('/')[0]), { timeout: 60_000 }).toBeGreaterThan(0);
    await shot('07-montecarlo-progress');
    await page.getByTestId('mc-cancel').click();
    const err = page.getByTestId('mc-error');
    await err.waitFor();
    expect(await err.textContent()).toContain('cancelled');
  });

  it('finds the stored runs again after a reload and re-opens them', async () => {
    await page.reload();
    await page.getByTestId('tab-portfolio').click();
    const items = page.getByTestId('whatif-run-item');
    await items.first().waitFor();
    expect(await items.count()).toBe(4); // two shocks, one grid, one Monte Carlo; the cancelled one is not stored
    expect(await page.locator('[data-testid=whatif-run-item][data-kind=montecarlo]').count()).toBe(1);
    await page.locator('[data-testid=whatif-run-item][data-kind=montecarlo]').click();
    await page.getByTestId('mc-result').waitFor();
    await page.locator('[data-testid=whatif-run-item][data-kind=sweep]').click();
    await page.getByTestId('sweep-result').waitFor();
    await shot('08-reloaded');
    // The same screens in the dark scheme ("system" theme follows it).
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('[data-testid=whatif-run-item][data-kind=shock]').first().click();
    await page.getByTestId('shock-result').waitFor();
    await page.waitForTimeout(300);
    await shot('09-shock-dark');
    await page.locator('[data-testid=whatif-run-item][data-kind=montecarlo]').click();
    await page.getByTestId('mc-result').waitFor();
    await shot('10-montecarlo-dark');
  });

  it('duplicates a portfolio and deletes the copy', async () => {
    await page.getByTestId('portfolio-item').filter({ hasText: 'E2E desk' }).click();
    await page.getByTestId('portfolio-duplicate').click();
    await page.getByTestId('portfolio-item').filter({ hasText: 'E2E desk (copy)' }).waitFor();
    expect(await page.getByTestId('portfolio-name').inputValue()).toBe('E2E desk (copy)');
    expect(await page.getByTestId('position-row').count()).toBe(BOOK.length);
    await page.getByTestId('portfolio-delete').click();
    await page.getByTestId('portfolio-item').filter({ hasText: 'E2E desk (copy)' }).waitFor({ state: 'detached' });
    expect(await page.getByTestId('portfolio-item').count()).toBe(1);
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
