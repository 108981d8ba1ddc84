/**
 * End to end, the New Replay form's estimated-population options in browser mode + Debian Chromium,
 * on the real 2020-03-12 BTC window (imported through the UI from ../shared/data): aged entries and
 * positions opening during the window, entered in the form, are stored exactly in the run's
 * scenario; with inflow on the estimated SHORT liquidations over the window (summed from the runs'
 * per-bar series) exceed those without it — the rebound after the low liquidates shorts opened
 * during the fall; a bad value shows the schema's message next to its field and stores nothing; with
 * no validation run stored "Use the validated fit" is disabled and says why. Screenshots go to
 * test-results/e2e/population-*.png.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, SHARED_DATA, startWebApp, type WebApp, openPage, closeAll } from './harness';
import { createHttpApi } from '../helpers/http-api';
import type { Api } from '../../shared/contract';

const FILE = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';
let app: WebApp;
let browser: Browser;
let page: Page;
let api: Api;
const pageErrors: string[] = [];

beforeAll(async () => {
  app = await startWebApp();
  api = createHttpApi(app.url, app.token);
  ({ browser, page } = await openPage({ viewport: { width: 1500, height: 1000 } }, pageErrors));
});

afterAll(() => closeAll(browser, app));

async function replayRuns(): Promise<number> {
  return (await api.call('runs.list', {})).filter((r) => r.kind === 'replay').length;
}

async function runReplay(): Promise<number> {
  const before = await page.getByTestId('run-item').count();
  await page.getByTestId('replay-run').click();
  await expect.poll(() => page.getByTestId('run-item').count(), { timeout: 120_000 }).toBe(before + 1);
  return (await api.call('runs.list', {})).filter((r) => r.kind === 'replay').sort((a, b) => b.id - a.id)[0]!.id;
}

const shortNotional = async (id: number): Promise<number> => (await api.call('runs.get', { id })).series.liquidatedNotionalShort.reduce((a, b) => a + b, 0);

describe('estimated population options in the New Replay form', () => {
  let withInflow = 0;
  let withoutInflow = 0;

  it('imports the 2020-03-12 window and shows the options once the population is ticked', async () => {
    await page.goto(app.appUrl);
    await page.getByTestId('import-input').setInputFiles([path.join(SHARED_DATA, FILE)]);
    await expect.poll(() => page.getByTestId('dataset-item').count(), { timeout: 60_000 }).toBe(1);
    await page.getByTestId('tab-replay').click();
    await page.getByTestId('replay-impact').selectOption('none');
    expect(await page.getByTestId('population-options').count()).toBe(0);
    await page.getByTestId('replay-population').check();
    await page.getByTestId('population-options').waitFor();
    // No validation run stored: the fit button is disabled and says to run the validation first.
    const fit = page.getByTestId('population-use-fit');
    expect(await fit.isDisabled()).toBe(true);
    expect(await fit.getAttribute('title')).toContain('run the validation first');
    expect(await page.getByTestId('population-fit-note').textContent()).toContain('run the validation first');
    await page.locator('form[aria-label="New replay"]').screenshot({ path: artifactPath('population-01-form-defaults.png') });
  }, 120_000);

  it('a bad value (holding days 0) shows the schema’s message next to the field and stores nothing', async () => {
    await page.getByTestId('population-entries-aged').check();
    await page.getByTestId('population-mean-age').fill('30');
    await page.getByTestId('population-inflow').check();
    await page.getByTestId('population-holding-days').fill('0');
    const message = 'inflow.meanHoldingDays must be > 0 days (how long a position is held at the look-back’s average volume)';
    await expect.poll(() => page.getByTestId('population-error-meanHoldingDays').textContent()).toBe(message);
    expect(await page.getByTestId('population-holding-days').getAttribute('aria-invalid')).toBe('true');
    const before = await replayRuns();
    await page.getByTestId('replay-run').click();
    await expect.poll(() => page.getByTestId('population-blocked').textContent()).toContain(message);
    await page.waitForTimeout(500);
    expect(await replayRuns()).toBe(before);
    expect(await page.getByTestId('run-item').count()).toBe(0);
    await page.locator('form[aria-label="New replay"]').screenshot({ path: artifactPath('population-02-form-bad-value.png') });
  });

  it('runs with aged entries and inflow on: the stored scenario holds exactly the options entered', async () => {
    await page.getByTestId('population-holding-days').fill('2');
    await expect.poll(() => page.getByTestId('population-error-meanHoldingDays').count()).toBe(0);
    expect(await page.getByTestId('population-blocked').count()).toBe(0);
    await page.locator('form[aria-label="New replay"]').screenshot({ path: artifactPath('population-03-form-aged-inflow.png') });
    const id = await runReplay();
    const run = (await api.call('runs.list', {})).find((r) => r.id === id)!;
    expect((run.params.scenario as { population?: unknown }).population).toEqual({ lookbackBars: 1440, meanAgeDays: 30, inflow: { meanHoldingDays: 2 } });
    expect(run.summary.inflow?.openedNotional).toBeGreaterThan(0);
    withInflow = await shortNotional(id);
    // The run description states the population used; the outcome fold shows the inflow figures.
    const described = await page.getByTestId('run-population').textContent();
    expect(described).toContain('entries aged (mean 30 days), volatility from a 1,440-bar look-back');
    expect(described).toContain('positions turn over and reopen during the window (mean holding 2 days)');
    await page.getByTestId('run-outcome').locator('summary').click();
    await expect.poll(() => page.getByTestId('run-inflow').textContent()).toContain('positions');
    await page.getByTestId('run-summary').screenshot({ path: artifactPath('population-04-run-description.png') });
  }, 180_000);

  it('the same options without inflow liquidate fewer shorts over the window (per-bar series)', async () => {
    await page.getByTestId('population-inflow').uncheck();
    const id = await runReplay();
    const run = (await api.call('runs.list', {})).find((r) => r.id === id)!;
    expect((run.params.scenario as { population?: unknown }).population).toEqual({ lookbackBars: 1440, meanAgeDays: 30 });
    expect(run.summary.inflow).toBeNull();
    withoutInflow = await shortNotional(id);
    expect(withoutInflow).toBeGreaterThan(0);
    expect(withInflow).toBeGreaterThan(withoutInflow);
    expect(await page.getByTestId('run-population').textContent()).toContain('no positions opened during the window');
    expect(await page.getByTestId('run-inflow').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('What if… turns inflow on for the run without it: the counterfactual stores the inflow run’s population and liquidates the same shorts', async () => {
    await page.getByTestId('compare-inflow').selectOption('on');
    await page.getByTestId('compare-inflow-days').fill('2');
    const before = (await api.call('runs.list', {})).length;
    await page.getByTestId('compare-run').click();
    await expect.poll(async () => (await api.call('runs.list', {})).length, { timeout: 120_000 }).toBe(before + 1);
    const run = (await api.call('runs.list', {})).sort((a, b) => b.id - a.id)[0]!;
    expect(run.name).toContain('what if: inflow 2 d');
    expect((run.params.scenario as { population?: unknown }).population).toEqual({ lookbackBars: 1440, meanAgeDays: 30, inflow: { meanHoldingDays: 2 } });
    expect(await shortNotional(run.id)).toBe(withInflow);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('the mark price model: a bad damped wick shows the schema’s message and stores nothing; the 1m closes are stored and liquidate less than the candle path', async () => {
    const before = await replayRuns();
    await page.getByTestId('replay-mark').selectOption('damped');
    await page.getByTestId('replay-mark-wick').fill('1.5');
    await expect.poll(() => page.locator('#mark-err').textContent()).toBe('mark.wick must be ≤ 1 (1: the mark is the candle path)');
    await page.locator('form[aria-label="New replay"]').screenshot({ path: artifactPath('population-06-mark-bad-wick.png') });
    await page.getByTestId('replay-run').click();
    await page.waitForTimeout(500);
    expect(await replayRuns()).toBe(before);

    // The same population with the candle path, then with the closes.
    await page.getByTestId('replay-mark').selectOption('candle-path');
    const pathRun = await runReplay();
    await page.getByTestId('replay-mark').selectOption('close');
    const closeRun = await runReplay();
    const runs = await api.call('runs.list', {});
    const stored = (id: number) => runs.find((r) => r.id === id)!;
    expect((stored(pathRun).params.scenario as { mark?: unknown }).mark).toBeUndefined();
    expect((stored(closeRun).params.scenario as { mark?: unknown }).mark).toEqual({ source: 'close' });
    expect(stored(closeRun).summary.markSource).toBe('close');
    const longs = async (id: number): Promise<number> => (await api.call('runs.get', { id })).series.liquidatedNotionalLong.reduce((a, b) => a + b, 0);
    expect(await longs(closeRun)).toBeLessThan(await longs(pathRun));
    await page.getByTestId('replay-mark').selectOption('candle-path');
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
