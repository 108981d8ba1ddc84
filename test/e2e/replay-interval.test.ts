/**
 * End to end, the replay interval (issue 6): a stored 1m run of the real 2020-03-12 window
 * (read in place from ../shared/data) viewed at 1h. Stepping to a bar in the middle of an
 * hour, the forming hour must be built from the 1m bars up to the cursor only: its O/H/L/C and
 * volume are computed here from the CSV and compared with what the screen says
 * (data-testid=forming-bar) and with the candles the chart holds (nothing after the cursor).
 * Screenshots go to test-results/e2e/replay-interval-*.png.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, collectPageErrors, launchChromium, SHARED_DATA, startWebApp, type WebApp } from './harness';
import { readSharedCsv } from '../helpers/temp';

const FILE = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';
const BARS = readSharedCsv(FILE);
const HOUR = 3600;

let app: WebApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const money = (x: number): string => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The hour forming at stored bar `i`: the CSV's 1m bars from the hour's start up to i. */
function expectedHour(i: number): { time: number; open: number; high: number; low: number; close: number; volume: number } {
  const start = Math.floor(BARS.time[i]! / HOUR) * HOUR;
  const idx: number[] = [];
  for (let j = 0; j <= i; j++) if (BARS.time[j]! >= start) idx.push(j);
  return {
    time: start,
    open: BARS.open[idx[0]!]!,
    high: Math.max(...idx.map((j) => BARS.high[j]!)),
    low: Math.min(...idx.map((j) => BARS.low[j]!)),
    close: BARS.close[i]!,
    volume: idx.reduce((s, j) => s + BARS.volume[j]!, 0),
  };
}

interface ChartState { index: number; firstBar: number; candles: { time: number; open: number; high: number; low: number; close: number }[]; longs: number }

async function chartState(): Promise<ChartState> {
  return page.evaluate(() => {
    type S = { data(): readonly { time: unknown; open?: number; high?: number; low?: number; close?: number }[] };
    const r = (window as unknown as { __undertowReplay: { player: { index: number; run: { firstBar: number } }; charts: { chart: { panes(): { getSeries(): S[] }[] } }[] } }).__undertowReplay;
    const panes = r.charts[0]!.chart.panes();
    const candles = panes[0]!.getSeries()[0]!.data().map((d) => ({ time: d.time as number, open: d.open!, high: d.high!, low: d.low!, close: d.close! }));
    return { index: r.player.index, firstBar: r.player.run.firstBar, candles, longs: panes[1]!.getSeries()[0]!.data().length };
  });
}

async function seek(index: number): Promise<void> {
  await page.getByTestId('scrubber').fill(String(index));
  await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain(`bar ${(index + 1).toLocaleString('en-US')} /`);
  await expect.poll(() => page.getByTestId('twin').getAttribute('data-index')).toBe(String(index));
}

beforeAll(async () => {
  app = await startWebApp();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
  page = await context.newPage();
  collectPageErrors(page, pageErrors);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('replay at a higher interval than the stored bars', () => {
  it('shows the forming 1h candle of a 1m run from the 1m bars up to the cursor only', async () => {
    await page.goto(app.appUrl);
    await page.getByTestId('import-input').setInputFiles([path.join(SHARED_DATA, FILE)]);
    await expect.poll(() => page.getByTestId('dataset-item').count(), { timeout: 60_000 }).toBe(1);
    await page.getByTestId('tab-replay').click();
    await page.getByTestId('replay-impact').selectOption('none');
    await page.getByTestId('replay-run').click();
    await expect.poll(() => page.getByTestId('run-item').count(), { timeout: 60_000 }).toBe(1);
    await page.getByTestId('transport').waitFor();
    await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain('bar 1 /');

    // Only the stored size and its multiples are offered.
    const options = await page.getByTestId('replay-interval').locator('option').allTextContents();
    expect(options).toEqual(['1m (stored)', '5m', '15m', '1h', '4h', '1d']);
    await page.getByTestId('replay-interval').selectOption({ label: '1h' });

    // 2020-03-12 13:37 UTC: 37 minutes into the hour, in the crash.
    const target = Date.UTC(2020, 2, 12, 13, 37) / 1000;
    const stored = BARS.time.indexOf(target);
    expect(stored).toBeGreaterThan(0);
    const { firstBar } = await chartState();
    const index = stored - firstBar;
    await seek(index);

    const want = expectedHour(stored);
    expect(want.time).toBe(Date.UTC(2020, 2, 12, 13) / 1000);
    // The hour so far differs from the whole hour (else this would not show look-ahead).
    const whole = expectedHour(BARS.time.indexOf(Date.UTC(2020, 2, 12, 13, 59) / 1000));
    expect([whole.high, whole.low, whole.close].join()).not.toBe([want.high, want.low, want.close].join());

    const text = (await page.getByTestId('forming-bar').textContent())!;
    expect(text).toContain('1h 2020-03-12 13:00');
    expect(text).toContain(`O ${money(want.open)} H ${money(want.high)} L ${money(want.low)} C ${money(want.close)}`);
    expect(text).toContain(`V ${want.volume.toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 })}`);

    // The chart: hourly candles up to the forming one, nothing later; the last is the forming hour.
    let s = await chartState();
    const last = s.candles[s.candles.length - 1]!;
    expect(last).toEqual({ time: want.time, open: want.open, high: want.high, low: want.low, close: want.close });
    expect(s.candles.length).toBe(new Set(BARS.time.slice(0, stored + 1).map((t) => Math.floor(t / HOUR))).size);
    expect(s.candles.every((c) => c.time % HOUR === 0)).toBe(true);
    expect(s.longs).toBeLessThanOrEqual(s.candles.length);
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('replay-interval-01-1h-forming.png') });

    // One bar forward: the same hour, updated in place.
    await page.getByTestId('step-forward').click();
    await expect.poll(() => page.getByTestId('twin').getAttribute('data-index')).toBe(String(index + 1));
    s = await chartState();
    const next = expectedHour(stored + 1);
    expect(s.candles.length).toBe(new Set(BARS.time.slice(0, stored + 2).map((t) => Math.floor(t / HOUR))).size);
    expect(s.candles[s.candles.length - 1]).toEqual({ time: next.time, open: next.open, high: next.high, low: next.low, close: next.close });

    // Across the hour boundary: 14:00 starts a new candle holding only the 14:00 bar.
    const at14 = BARS.time.indexOf(Date.UTC(2020, 2, 12, 14, 0) / 1000);
    await seek(at14 - firstBar);
    s = await chartState();
    expect(s.candles[s.candles.length - 1]).toEqual({ time: BARS.time[at14], open: BARS.open[at14], high: BARS.high[at14], low: BARS.low[at14], close: BARS.close[at14] });
    expect(s.candles[s.candles.length - 2]).toEqual({ time: whole.time, open: whole.open, high: whole.high, low: whole.low, close: whole.close });

    // And back into 13:xx with the step button: the 14:00 candle goes, 13:00 is cut at the cursor again.
    await page.getByTestId('step-back').click();
    await expect.poll(() => page.getByTestId('twin').getAttribute('data-index')).toBe(String(at14 - firstBar - 1));
    s = await chartState();
    expect(s.candles[s.candles.length - 1]).toEqual({ time: whole.time, open: whole.open, high: whole.high, low: whole.low, close: whole.close });
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('replay-interval-02-1h-boundary.png') });

    // Back to the stored interval: one candle per 1m bar up to the cursor.
    await page.getByTestId('replay-interval').selectOption({ label: '1m (stored)' });
    s = await chartState();
    expect(s.candles.length).toBe(at14);
    expect(await page.getByTestId('forming-bar').count()).toBe(0);
  }, 180_000);

  it('with an estimated market population: liquidated notional summed per hour up to the cursor, markers at their hour', async () => {
    await page.getByTestId('replay-population').check();
    await page.getByTestId('replay-run').click();
    await expect.poll(() => page.getByTestId('run-item').count(), { timeout: 60_000 }).toBe(2);
    await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain('bar 1 /');
    await page.getByTestId('replay-interval').selectOption({ label: '1h' });
    const at = BARS.time.indexOf(Date.UTC(2020, 2, 12, 13, 37) / 1000);
    const { firstBar } = await chartState();
    await seek(at - firstBar);
    const sums = await page.evaluate(() => {
      type S = { data(): readonly { time: unknown; value?: number }[] };
      const r = (window as unknown as { __undertowReplay: { player: { index: number; run: { firstBar: number; detail: { series: { time: number[]; liquidatedNotionalLong: number[] } } } }; charts: { chart: { panes(): { getSeries(): S[] }[] } }[] } }).__undertowReplay;
      const shown = r.charts[0]!.chart.panes()[1]!.getSeries()[0]!.data().map((d) => ({ time: d.time as number, value: d.value ?? 0 }));
      const s = r.player.run.detail.series;
      const want = new Map<number, number>();
      for (let k = 0; k <= r.player.index; k++) {
        const h = Math.floor(s.time[k]! / 3600) * 3600;
        want.set(h, (want.get(h) ?? 0) + s.liquidatedNotionalLong[k]!);
      }
      return { shown, want: [...want].map(([time, value]) => ({ time, value })) };
    });
    expect(sums.shown.map((x) => x.time)).toEqual(sums.want.map((x) => x.time));
    sums.shown.forEach((x, j) => expect(x.value).toBeCloseTo(sums.want[j]!.value, 6));
    expect(sums.want.some((x) => x.value > 0)).toBe(true);
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('replay-interval-03-1h-population.png') });
  }, 120_000);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
