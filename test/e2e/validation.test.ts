/**
 * End to end, as a user, in Debian Chromium (browser mode as `npm run web` starts it): open the
 * Validation tab, start the validation and cancel it, run it to the end, and check that every
 * number of the estimated-vs-observed table is what `validation.run` returns over the HTTP API for
 * the same inputs (formatted by the screen's own formatter, and the raw value exactly). See a
 * chart per event, the lending check and the assumptions; open the design matrix, sort it by
 * amplification both ways (against the API's cells), click the worst cell through to the Replay
 * tab and see that run open as a full replay (candles of its own, drawn and stepped; the observed
 * path beside the de-impacted one), and a cell stored before cells kept candles open as a summary
 * with a note. The crash files are read in place from ../shared/data.
 * Screenshots go to test-results/e2e/validation-*.png. Not covered: the model's numbers
 * themselves (test/unit/validation) and the worker plumbing (test/integration).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../shared/contract';
import type { DesignMatrixInfo, ValidationReportInfo } from '../../shared/validation';
import { amplification, ratio, usd } from '../../renderer/src/features/validation/format';
import { createHttpApi } from '../helpers/http-api';
import { openDatabase } from '../../electron/backend/store/db';
import { RunStore } from '../../electron/backend/store/runs';
import { artifactPath, startWebApp, type WebApp, openPage, closeAll } from './harness';

let app: WebApp;
let api: Api;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const shot = (name: string, fullPage = false) => page.screenshot({ path: artifactPath(`validation-${name}.png`), fullPage });

beforeAll(async () => {
  app = await startWebApp();
  api = createHttpApi(app.url, app.token);
  ({ browser, page } = await openPage({ viewport: { width: 1500, height: 1000 } }, pageErrors));
});

afterAll(() => closeAll(browser, app));

/** Pixels close to a colour over the canvases of the event chart. */
async function chartPixels(rgb: [number, number, number]): Promise<number> {
  return page.evaluate((c) => {
    let n = 0;
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>('[data-testid=validation-chart] canvas')) {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
      const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - c[0]) < 14 && Math.abs(d[i + 1]! - c[1]) < 14 && Math.abs(d[i + 2]! - c[2]) < 14 && d[i + 3]! > 100) n++;
    }
    return n;
  }, rgb);
}

const UP: [number, number, number] = [38, 166, 154];
const DOWN: [number, number, number] = [239, 83, 80];

/** Pixels close to a colour over the canvases of the replay chart. */
async function replayPixels(rgb: [number, number, number]): Promise<number> {
  return page.evaluate((c) => {
    let n = 0;
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>('[data-testid=replay-chart] canvas')) {
      const ctx = canvas.getContext('2d');
      // Panes only: the price axes' last-value label takes the last candle's colour, the time axis has none.
      if (!ctx || canvas.width < 200 || canvas.height < 60) continue;
      const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - c[0]) < 12 && Math.abs(d[i + 1]! - c[1]) < 12 && Math.abs(d[i + 2]! - c[2]) < 12 && d[i + 3]! > 200) n++;
    }
    return n;
  }, rgb);
}

/** What the replay chart holds: panes, candles up to the cursor, the last candle's close, markers shown. */
async function chartState(): Promise<{ panes: number; candles: number; lastClose: number | undefined; markers: number }> {
  return page.evaluate(() => {
    type Chart = { chart: { panes(): { getSeries(): { data(): { close?: number }[] }[] }[] }; markers: { markers(): unknown[] } };
    const r = (window as unknown as { __undertowReplay: { charts: Chart[] } }).__undertowReplay;
    const c = r.charts[0]!;
    const data = c.chart.panes()[0]!.getSeries()[0]!.data();
    return { panes: c.chart.panes().length, candles: data.length, lastClose: data.at(-1)?.close, markers: c.markers.markers().length };
  });
}

describe('the Validation tab', () => {
  let report: ValidationReportInfo;
  let matrix: DesignMatrixInfo;
  let cellRunId = 0;

  it('opens with a Run button and the assumptions already listed', async () => {
    await page.goto(app.appUrl);
    await page.getByTestId('tab-validation').click();
    await page.getByTestId('validation-run').waitFor();
    expect(await page.getByTestId('tab-validation').getAttribute('aria-selected')).toBe('true');
    await shot('01-empty');
  });

  it('shows progress while validating, and Cancel stops it with nothing stored', async () => {
    await page.getByTestId('validation-run').click();
    await page.getByTestId('validation-cancel').click();
    await page.getByTestId('status').filter({ hasText: 'cancelled; nothing stored' }).waitFor();
    // Nothing stored: this fresh database's first run would be #1 (runs.list leaves validation runs out).
    await expect(api.call('runs.get', { id: 1 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('runs the validation; each figure in the table is what validation.run returns over the API', async () => {
    await page.getByTestId('validation-run').click();
    await page.getByTestId('validation-table').waitFor({ timeout: 120_000 });
    report = await api.call('validation.run', {});
    const rows = page.getByTestId('validation-row');
    expect(await rows.count()).toBe(report.events.length);
    expect(report.events.length).toBe(6);
    for (const [i, e] of report.events.entries()) {
      const row = rows.nth(i);
      expect(await row.getAttribute('data-event')).toBe(e.id);
      const cell = (id: string) => row.getByTestId(id);
      expect(Number(await cell('estimated').getAttribute('data-value'))).toBe(e.estimate.estimated.total);
      expect(await cell('estimated').textContent()).toContain(usd(e.estimate.estimated.total));
      expect(await cell('estimated').textContent()).toContain('estimated');
      expect(Number(await cell('observed').getAttribute('data-value'))).toBe(e.observed.btcNotional);
      expect(await cell('observed').textContent()).toContain(usd(e.observed.btcNotional));
      expect(await cell('observed').textContent()).toContain('observed');
      expect(Number(await cell('ratio').getAttribute('data-value'))).toBe(e.ratio);
      expect((await cell('ratio').textContent())?.trim()).toBe(ratio(e.ratio));
      expect((await cell('within2x').textContent())?.trim()).toBe(e.within2x ? 'yes' : 'no (miss)');
      expect((await cell('sample').textContent())?.trim()).toBe(e.sample === 'in' ? 'in sample' : 'out of sample');
      // The source and the scaling rule of the observed figure are beside it.
      expect(await row.textContent()).toContain(e.observed.source);
      expect(await row.textContent()).toContain(e.observed.btcRule);
    }
    const score = (await page.getByTestId('validation-score').textContent())!.replace(/\s+/g, ' ');
    expect(score).toContain(`${report.score.within2x} of ${report.score.events}`);
    expect(score).toContain(`(${report.score.within2xOutOfSample} out of sample)`);
    expect(score).toContain(report.score.met ? '— met' : '— NOT met');
    // Then the other calibration splits (reverse and leave-one-out), as validation.robustness returns them.
    await page.getByTestId('robustness').waitFor({ timeout: 120_000 });
    const robust = await api.call('validation.robustness', {});
    expect(await page.getByTestId('loo-row').count()).toBe(6);
    for (const s of robust.leaveOneOut) {
      const held = s.ratios.find((x) => x.sample === 'out')!;
      const row = page.locator(`[data-testid=loo-row][data-event="${held.id}"]`);
      expect(await row.locator('td').nth(1).textContent()).toBe(ratio(held.ratio));
    }
    expect(await page.getByTestId('loo-score').textContent()).toBe(`${robust.leaveOneOutWithin2x} of 6`);
    await expect.poll(() => page.getByTestId('status').textContent()).toContain(`within 2× for ${report.score.within2x} of 6 events`);
    expect(await page.getByTestId('status').textContent()).toContain(`leave-one-out within 2× for ${robust.leaveOneOutWithin2x} of 6`);
    await page.getByTestId('robustness').scrollIntoViewIfNeeded();
    await shot('02b-robustness');
  }, 300_000);

  it('draws estimated liquidations per bar under the observed price, per event', async () => {
    const chart = page.getByTestId('validation-chart');
    expect(await chart.getAttribute('data-event')).toBe(report.events[0]!.id);
    await page.waitForTimeout(300);
    // Long liquidation bars (red, #ef5350) and the price line (light grey, #c5ccd6) are on the
    // canvas; an empty chart has neither colour. The bars are thin (2,880 one-minute bars wide).
    expect(await chartPixels([239, 83, 80])).toBeGreaterThan(100);
    expect(await chartPixels([197, 204, 214])).toBeGreaterThan(200);
    await shot('02-report', true);
    await page.getByRole('button', { name: 'Show chart of 2025-10-10' }).click();
    await page.locator('[data-testid=validation-chart][data-event="2025-10-10"]').waitFor();
    expect(await page.getByTestId('validation-chart').textContent()).toContain('observed peak minute 21:15 UTC');
    await page.waitForTimeout(300);
    await page.getByTestId('validation-chart').screenshot({ path: artifactPath('validation-03-chart-2025-10-10.png') });
  });

  it('shows the lending check and every assumption, including the circuit-breaker finding', async () => {
    await page.getByTestId('validation-section-lending').click();
    await page.getByTestId('lending-check').waitFor();
    const lending = await api.call('validation.lending', {});
    for (const f of lending.findings) expect(await page.getByTestId('lending-check').textContent()).toContain(f);
    await shot('04-lending', true);
    await page.getByTestId('validation-section-assumptions').click();
    const assumptions = await api.call('validation.assumptions', {});
    const topics = await page.locator('[data-testid=assumptions] dt').allTextContents();
    expect(topics).toEqual(assumptions.map((a) => a.topic));
    expect(topics).toContain('Circuit breakers (finding)');
    await shot('05-assumptions', true);
  });

  it('runs the design matrix and sorts it by amplification both ways', async () => {
    await page.getByTestId('validation-section-design').click();
    await page.getByTestId('design-run').click();
    await page.getByTestId('design-matrix').waitFor({ timeout: 120_000 });
    matrix = await api.call('design.run', {});
    expect(await page.getByTestId('matrix-row').count()).toBe(matrix.cells.length);
    const amplifications = () => page.locator('[data-testid=matrix-row] td[data-col=amplification]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    await page.getByTestId('sort-amplification').click();
    expect(await page.locator('th[aria-sort=descending]').textContent()).toContain('Amplification');
    const descending = matrix.cells.map((c) => c.amplification).sort((a, b) => b - a);
    expect(await amplifications()).toEqual(descending);
    await page.getByTestId('sort-amplification').click();
    expect(await amplifications()).toEqual([...descending].reverse());
    await page.getByTestId('sort-amplification').click();
    const top = matrix.cells.find((c) => c.amplification === descending[0])!;
    const first = page.getByTestId('matrix-row').first();
    expect(await first.getAttribute('data-event')).toBe(top.eventId);
    expect((await first.locator('td[data-col=amplification]').textContent())?.trim()).toContain(amplification(top.amplification));
    await shot('06-design-matrix');
  });

  it('clicks a cell through to the Replay tab with that run selected', async () => {
    const first = page.getByTestId('matrix-row').first();
    const eventId = (await first.getAttribute('data-event'))!;
    const mechanismId = (await first.getAttribute('data-mechanism'))!;
    const label = matrix.mechanisms.find((m) => m.id === mechanismId)!.label;
    await first.locator('td[data-col=liquidatedNotional] button').click();
    await page.locator('[data-testid=tab-replay][aria-selected=true]').waitFor({ timeout: 120_000 });
    const summary = page.getByTestId('run-summary');
    await summary.waitFor();
    const name = `Design: ${eventId} × ${label}`;
    expect(await summary.locator('h1').textContent()).toContain(name);
    const run = (await api.call('runs.list', {})).find((r) => r.name.startsWith(name))!;
    expect(run.kind).toBe('replay');
    expect(await page.locator('[data-testid=run-item].selected').textContent()).toContain(`#${run.id}`);
    // The replay screen opens on the cell's first bar and says so (after "Opened run #… in Replay").
    await expect.poll(() => page.getByTestId('status').textContent()).toContain(`Bar 1 of ${run.summary.bars.toLocaleString('en-US')}`);
    cellRunId = run.id;
  });

  it('opens the cell as a full replay: candles of the event window, markers, panes, events; stepping draws more bars', async () => {
    const detail = await api.call('runs.get', { id: cellRunId });
    const s = detail.series;
    const bars = s.time.length;
    expect(detail.run.datasetId).toBeNull();
    await page.getByTestId('transport').waitFor();
    await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain(`bar 1 / ${bars.toLocaleString('en-US')}`);
    // Which path the candles are, and the heat band drawn (its reason is shown when it is not).
    expect(await page.getByTestId('candle-path-legend').textContent()).toContain('de-impacted path');
    expect(await page.getByTestId('replay-chart').locator('xpath=..').textContent()).not.toContain('no liquidation map');
    expect(await page.getByTestId('own-candles-note').textContent()).toContain(detail.run.summary.ownCandles!.source!);
    await page.waitForTimeout(300);
    const atStart = { up: await replayPixels(UP), down: await replayPixels(DOWN) };
    // Step with the transport: one bar, then to the end with the scrubber.
    await page.getByTestId('step-forward').click();
    await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain('bar 2 /');
    await page.getByTestId('scrubber').fill(String(bars - 1));
    await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain(`bar ${bars.toLocaleString('en-US')} /`);
    await expect.poll(() => page.getByTestId('twin').getAttribute('data-index')).toBe(String(bars - 1));
    await page.waitForTimeout(300);
    const atEnd = { up: await replayPixels(UP), down: await replayPixels(DOWN) };
    // Up and down candles (and the liquidation bars, in the same colours) fill the chart once stepped
    // through. (The dashed last-price line takes the last candle's colour: compare the two colours' sum.)
    expect(atEnd.up + atEnd.down).toBeGreaterThan(atStart.up + atStart.down + 1000);
    expect(Math.min(atEnd.up, atEnd.down)).toBeGreaterThan(300);
    // The chart holds the replayed bars up to the cursor (no look-back: the run's own candles), the replayed path's closes.
    const chart = await chartState();
    expect(chart.panes).toBe(3);
    expect(chart.candles).toBe(bars);
    expect(chart.lastClose).toBe(s.exogenousClose[bars - 1]);
    expect(chart.markers).toBeGreaterThan(0);
    // The events table lists the run's events up to the cursor: all of them at the end (header row = 1),
    // drawn as they scroll into view; the latest first.
    expect(await page.getByTestId('events-table').getAttribute('aria-rowcount')).toBe(String(detail.events.length + 1));
    const drawn = await page.getByTestId('event-row').count();
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThanOrEqual(Math.min(detail.events.length, 30));
    const latest = [...detail.events].sort((a, b) => b.time - a.time)[0]!;
    expect(await page.locator('[data-testid=event-row][aria-rowindex="2"]').textContent()).toContain(new Date(latest.time * 1000).toISOString().slice(0, 16).replace('T', ' '));
    await shot('07-replay-of-cell');
    // Back a bar: the chart loses the last candle.
    await page.getByTestId('step-back').click();
    await expect.poll(async () => (await chartState()).candles).toBe(bars - 1);
    // The observed path instead: same bars, the observed closes.
    await page.getByTestId('candle-path-observed').check();
    await expect.poll(async () => (await chartState()).lastClose).toBe(s.observedClose![bars - 2]);
    expect(await page.getByTestId('candle-path-legend').textContent()).toContain('observed path');
    expect((await chartState()).candles).toBe(bars - 1);
    await page.waitForTimeout(300);
    await shot('08-replay-of-cell-observed');
    await page.getByTestId('replay-chart').hover({ position: { x: 700, y: 200 } });
    await page.getByTestId('replay-tooltip').waitFor();
    expect(await page.getByTestId('replay-tooltip').textContent()).toContain('replayed (de-impacted)');
    await shot('09-replay-of-cell-tooltip');
  });

  it('a cell stored before cells kept their candles opens as a summary with a note', async () => {
    const fresh = await api.call('runs.get', { id: cellRunId });
    const { ownCandles: _own, ...summary } = fresh.run.summary;
    const steps = Object.fromEntries(Object.entries(fresh.series).filter(([name]) => !/^(exogenous(Open|High|Low)|volume|observed.*)$/.test(name)));
    const { designCell } = fresh.run.params.scenario as { designCell: { eventId: string; mechanism: unknown; parameters: unknown; file: string } };
    const db = openDatabase(app.dbPath);
    const oldId = new RunStore(db).insert(
      { kind: 'replay', name: `Old ${fresh.run.name}`, datasetId: null, portfolioId: null, params: { ...fresh.run.params, key: 'old', scenario: { designCell: { eventId: designCell.eventId, mechanism: designCell.mechanism, parameters: designCell.parameters, file: designCell.file } } }, engineVersion: fresh.run.engineVersion, seed: fresh.run.seed, summary, series: steps, events: fresh.events },
      1_600_000_000,
    );
    db.close();
    await page.reload();
    await page.getByTestId('tab-replay').click();
    await page.getByTestId('run-item').filter({ hasText: `#${oldId}` }).click();
    await page.getByTestId('no-replay-note').waitFor();
    expect(await page.getByTestId('no-replay-note').textContent()).toContain('Open the cell again from the Validation tab');
    expect(await page.getByTestId('run-summary').locator('h1').textContent()).toContain('Old Design:');
    expect(await page.getByTestId('replay-chart').count()).toBe(0);
    // With no chart to step through, the outcome is shown unfolded.
    expect(await page.getByTestId('run-outcome').locator('dl').isVisible()).toBe(true);
    await shot('10-old-cell-summary');
  });

  it('switches the lab between the calibrated depth and the resting depth (stress), each its own stored matrix', async () => {
    await page.getByTestId('tab-validation').click();
    await page.getByTestId('validation-section-design').click();
    // After the reload above the matrix is not shown yet: running it again returns the stored one.
    await page.getByTestId('design-run').click();
    const note = page.getByTestId('design-liquidity-note');
    await expect.poll(() => note.textContent()).toContain(`depth ×${matrix.depthMultiplier}`);
    expect(matrix.depthMultiplier).toBeGreaterThan(1);
    await page.getByTestId('design-liquidity').selectOption('resting');
    await expect.poll(() => note.textContent(), { timeout: 120_000 }).toContain('resting depth as reported');
    const resting = await api.call('design.run', { liquidity: 'resting' });
    expect(resting.runId).not.toBe(matrix.runId);
    // The table now shows the resting matrix's figures.
    const shown = await page.locator('[data-testid=matrix-row] td[data-col=amplification]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    expect([...shown].sort((a, b) => a - b)).toEqual(resting.cells.map((c) => c.amplification).sort((a, b) => a - b));
    await shot('11-design-matrix-resting');
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
