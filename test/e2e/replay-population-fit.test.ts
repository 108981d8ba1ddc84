/**
 * End to end, "Use the validated fit" in the New Replay form (browser mode + Debian Chromium) with a
 * stored validation run: the database is seeded before the app starts with one run of kind
 * 'validation' holding the population the calibration fitted (leverage ×2, mean age 90 days,
 * reaction 60 min, leveraged share 100%, no inflow) — the stored shape the Validation tab writes,
 * reduced to what the form reads (recomputing the real validation takes minutes). One click fills
 * the fields; the leveraged share is named as not applicable; the replay on the real 2020-03-12
 * window stores exactly the schema's equivalent (the default mix ×2 capped at 125×, aged 90 days,
 * reaction 0.5/60 min). Screenshot: test-results/e2e/population-05-form-fit.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, SHARED_DATA, startWebApp, type WebApp, openPage, closeAll } from './harness';
import { createHttpApi } from '../helpers/http-api';
import { Backend } from '../../electron/backend/services/backend';
import type { PopulationParametersInfo } from '../../shared/validation';

const FILE = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';
const FIT: PopulationParametersInfo = { leveragedShare: 1, leverageScale: 2, longShare: 0.5, positionsPerBucket: 1, meanAgeDays: 90, reactionMinutes: 60, inflow: false };
let app: WebApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  const dbPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-fit-e2e-')), 'undertow.db');
  const seed = new Backend({ dbPath });
  seed.runs.insert(
    {
      kind: 'validation',
      name: 'Model validation: six crashes',
      datasetId: null,
      portfolioId: null,
      params: { key: 'validation/e2e-fixture' },
      engineVersion: '0.4.0',
      seed: 1,
      summary: { parameters: FIT, calibration: { inSample: ['a', 'b', 'c'], outOfSample: ['d', 'e', 'f'], grid: [], parameters: FIT }, engineVersion: '0.4.0' },
      series: {},
      events: [],
    },
    1_700_000_000,
  );
  seed.close();
  app = await startWebApp({ dbPath });
  ({ browser, page } = await openPage({ viewport: { width: 1500, height: 1200 } }, pageErrors));
});

afterAll(() => closeAll(browser, app));

describe('Use the validated fit', () => {
  it('fills the form with the stored fit, names what it cannot apply, and the run stores its scenario equivalent', async () => {
    await page.goto(app.appUrl);
    await page.getByTestId('import-input').setInputFiles([path.join(SHARED_DATA, FILE)]);
    await expect.poll(() => page.getByTestId('dataset-item').count(), { timeout: 60_000 }).toBe(1);
    await page.getByTestId('tab-replay').click();
    await page.getByTestId('replay-impact').selectOption('none');
    await page.getByTestId('replay-population').check();
    const fit = page.getByTestId('population-use-fit');
    await expect.poll(() => fit.isEnabled()).toBe(true);
    const note = await page.getByTestId('population-fit-note').textContent();
    expect(note).toContain('Not applied (no replay equivalent): the leveraged share 100.0% (a replay sizes its population by the look-back’s traded volume, not by open interest)');
    await fit.click();
    expect(await page.getByTestId('population-leverage').inputValue()).toBe('2');
    expect(await page.getByTestId('population-entries-aged').isChecked()).toBe(true);
    expect(await page.getByTestId('population-mean-age').inputValue()).toBe('90');
    expect(await page.getByTestId('population-reaction').isChecked()).toBe(true);
    expect(await page.getByTestId('population-reaction-loss').inputValue()).toBe('0.5');
    expect(await page.getByTestId('population-reaction-minutes').inputValue()).toBe('60');
    expect(await page.getByTestId('population-inflow').isChecked()).toBe(false);
    expect(await page.getByTestId('population-lookback').inputValue()).toBe('1440');
    await page.locator('form[aria-label="New replay"]').screenshot({ path: artifactPath('population-05-form-fit.png') });

    const before = await page.getByTestId('run-item').count();
    await page.getByTestId('replay-run').click();
    await expect.poll(() => page.getByTestId('run-item').count(), { timeout: 120_000 }).toBe(before + 1);
    const api = createHttpApi(app.url, app.token);
    const run = (await api.call('runs.list', {})).filter((r) => r.kind === 'replay').sort((a, b) => b.id - a.id)[0]!;
    expect((run.params.scenario as { population?: unknown }).population).toEqual({
      lookbackBars: 1440,
      buckets: [{ leverage: 10, weight: 0.3 }, { leverage: 20, weight: 0.3 }, { leverage: 50, weight: 0.2 }, { leverage: 100, weight: 0.12 }, { leverage: 125, weight: 0.08 }],
      meanAgeDays: 90,
      reaction: { lossShare: 0.5, minutes: 60 },
    });
    expect(await page.getByTestId('run-population').textContent()).toContain('leverage mix 10×/20×/50×/100×/125×, long share 50%, entries aged (mean 90 days)');
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
