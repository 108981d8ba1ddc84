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
import { artifactPath, SHARED_DATA, startWebApp, type WebApp, openPage, closeAll } from './harness';
import { readSharedCsv } from '../helpers/temp';
import { MARKER_BLOCK } from '../../renderer/src/lib/chart/event-markers-primitive';

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

/** Price axis of the first chart over the whole liquidation map (true) or back to fitting the candles. */
async function zoomPriceToMap(on: boolean): Promise<void> {
  await page.evaluate((zoom) => {
    type Replay = { player: { run: { overlay: { map: { priceLow: number; priceHigh: number } } } }; charts: { chart: { priceScale(id: string): { setVisibleRange(r: { from: number; to: number }): void; applyOptions(o: { autoScale: boolean }): void } } }[] };
    const r = (window as unknown as { __undertowReplay: Replay }).__undertowReplay;
    const scale = r.charts[0]!.chart.priceScale('right');
    const map = r.player.run.overlay.map;
    if (zoom) scale.setVisibleRange({ from: map.priceLow, to: map.priceHigh });
    else scale.applyOptions({ autoScale: true });
  }, on);
}

async function seek(index: number): Promise<void> {
  await page.getByTestId('scrubber').fill(String(index));
  await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain(`bar ${(index + 1).toLocaleString('en-US')} /`);
  await expect.poll(() => page.getByTestId('twin').getAttribute('data-index')).toBe(String(index));
}

beforeAll(async () => {
  app = await startWebApp();
  ({ browser, page } = await openPage({ viewport: { width: 1500, height: 1000 } }, pageErrors));
});

afterAll(() => closeAll(browser, app));

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
      type S = { data(): readonly { time: unknown; long?: number; short?: number }[] };
      const r = (window as unknown as { __undertowReplay: { player: { index: number; run: { firstBar: number; detail: { series: { time: number[]; liquidatedNotionalLong: number[]; liquidatedNotionalShort: number[] } } } }; charts: { chart: { panes(): { getSeries(): S[] }[] } }[] } }).__undertowReplay;
      const shown = r.charts[0]!.chart.panes()[1]!.getSeries()[0]!.data().map((d) => ({ time: d.time as number, long: d.long ?? 0, short: d.short ?? 0 }));
      const s = r.player.run.detail.series;
      const want = new Map<number, { long: number; short: number }>();
      for (let k = 0; k <= r.player.index; k++) {
        const h = Math.floor(s.time[k]! / 3600) * 3600;
        const w = want.get(h) ?? { long: 0, short: 0 };
        want.set(h, { long: w.long + s.liquidatedNotionalLong[k]!, short: w.short + s.liquidatedNotionalShort[k]! });
      }
      return { shown, want: [...want].map(([time, v]) => ({ time, ...v })) };
    });
    expect(sums.shown.map((x) => x.time)).toEqual(sums.want.map((x) => x.time));
    sums.shown.forEach((x, j) => {
      expect(x.long).toBeCloseTo(sums.want[j]!.long, 6);
      expect(x.short).toBeCloseTo(sums.want[j]!.short, 6);
    });
    expect(sums.want.some((x) => x.long > 0)).toBe(true);
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('replay-interval-03-1h-population.png') });
  }, 120_000);

  it('draws the liquidation map at 1h: one column per hour, the forming hour as of the cursor (positions liquidated later in the hour still shown)', async () => {
    // Same population run, 1h. 2020-03-12 10:37 UTC: the low so far is 6,810; the hour goes on
    // to 5,550 at 10:48 (CSV), so bins between them hold positions at 10:37 that are gone by
    // 10:59 — the forming column must still show them, a completed-hour column would not.
    const at = BARS.time.indexOf(Date.UTC(2020, 2, 12, 10, 37) / 1000);
    const { firstBar } = await chartState();
    await seek(at - firstBar);
    // The price axis fits the candles, and the longs still open sit below the lowest low so far:
    // zoom the axis out to the whole map (what dragging the price scale does) to see them.
    await zoomPriceToMap(true);
    await page.waitForTimeout(300);
    const band = await page.evaluate(() => {
      type Series = { data(): readonly { time: unknown; high?: number; low?: number }[]; priceToCoordinate(p: number): number | null };
      type Replay = {
        player: { index: number; run: { firstBar: number; eventBar: number[]; detail: { series: { time: number[] }; events: { price: number }[] }; overlay: { map: { bins: number; priceLow: number; priceHigh: number; long: number[]; short: number[] } } } };
        charts: { heatBandShown(): { firstLogical: number; columnBars: number[] } | null; screenshot(): HTMLCanvasElement; chart: { options(): { layout: { background: { color: string } } }; panes(): { getSeries(): Series[]; getHeight(): number }[]; timeScale(): { logicalToCoordinate(l: number): number | null } } }[];
      };
      const r = (window as unknown as { __undertowReplay: Replay }).__undertowReplay;
      const chart = r.charts[0]!;
      const shown = chart.heatBandShown()!;
      const run = r.player.run;
      const map = run.overlay.map;
      const index = r.player.index;
      const s = run.detail.series;
      const hour = (k: number): number => Math.floor(s.time[k]! / 3600);
      let lastOfHour = index;
      while (lastOfHour + 1 < s.time.length && hour(lastOfHour + 1) === hour(index)) lastOfHour++;
      const series = chart.chart.panes()[0]!.getSeries()[0]!;
      const paneHeight = chart.chart.panes()[0]!.getHeight();
      const ts = chart.chart.timeScale();
      const formingLogical = shown.firstLogical + shown.columnBars.length - 1;
      const x = Math.round(ts.logicalToCoordinate(formingLogical)!);
      // Right of the cursor (in the chart's right offset): what the pane looks like without the band.
      const xRight = Math.round(ts.logicalToCoordinate(formingLogical + 4)!);
      const forming = series.data().at(-1)!;
      const yHigh = series.priceToCoordinate(forming.high!)!;
      const yLow = series.priceToCoordinate(forming.low!)!;
      // Event markers of the hour so far sit on the band: leave their rows out.
      const markerY = run.detail.events.filter((_, i) => hour(run.eventBar[i]!) === hour(index) && run.eventBar[i]! <= index).map((e) => series.priceToCoordinate(e.price));
      const canvas = chart.screenshot();
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const rgb = (cx: number, cy: number): number[] => [0, 1, 2].map((c) => px[(cy * canvas.width + cx) * 4 + c]!);
      const hex = chart.chart.options().layout.background.color;
      const background = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const step = (map.priceHigh - map.priceLow) / map.bins;
      const rows: { bin: number; now: number; endOfHour: number; tinted: boolean }[] = [];
      for (let b = 0; b < map.bins; b++) {
        const y = series.priceToCoordinate(map.priceLow + (b + 0.5) * step);
        if (y === null || y < 4 || y > paneHeight - 4) continue;
        if (y > yHigh - 4 && y < yLow + 4) continue; // the candle
        if (markerY.some((m) => m !== null && Math.abs(m - y) < 10)) continue;
        const a = rgb(x, Math.round(y));
        const ref = rgb(xRight, Math.round(y));
        if (ref.join() !== background.join()) continue; // a grid line: drawn over the band
        rows.push({
          bin: b,
          now: map.long[index * map.bins + b]! + map.short[index * map.bins + b]!,
          endOfHour: map.long[lastOfHour * map.bins + b]! + map.short[lastOfHour * map.bins + b]!,
          tinted: a.reduce((sum, v, c) => sum + Math.abs(v - ref[c]!), 0) > 12
        });
      }
      return { index, columnBars: shown.columnBars, firstLogical: shown.firstLogical, candles: series.data().length, rows };
    });
    // As data: one column per hour from the first replayed hour to the cursor's, each at its
    // last replayed bar, the forming one at the cursor; the last column is the last candle.
    const replayedHours = new Set(BARS.time.slice(firstBar, at + 1).map((t) => Math.floor(t / HOUR)));
    expect(band.columnBars.length).toBe(replayedHours.size);
    expect(band.columnBars.at(-1)).toBe(band.index);
    expect(band.columnBars.every((k) => k <= band.index)).toBe(true);
    expect(band.firstLogical + band.columnBars.length).toBe(band.candles);
    // As pixels in the forming column: tinted exactly where the map at the cursor holds positions.
    expect(band.rows.filter((r) => r.now > 0).length).toBeGreaterThan(3);
    const laterGone = band.rows.filter((r) => r.now > 0 && r.endOfHour === 0);
    expect(laterGone.length).toBeGreaterThan(0);
    for (const r of band.rows) expect({ bin: r.bin, tinted: r.tinted }).toEqual({ bin: r.bin, tinted: r.now > 0 });
    await page.screenshot({ path: artifactPath('replay-interval-04-1h-heat-band.png') });

    // The stored interval at the same cursor, for comparison (one column per 1m bar).
    await page.getByTestId('replay-interval').selectOption({ label: '1m (stored)' });
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('replay-interval-05-1m-heat-band.png') });
    const stored = await page.evaluate(() => (window as unknown as { __undertowReplay: { charts: { heatBandShown(): { columnBars: number[] } | null }[] } }).__undertowReplay.charts[0]!.heatBandShown()!.columnBars.length);
    expect(stored).toBe(at - firstBar + 1);
    await zoomPriceToMap(false);
  }, 120_000);

  it('draws settled candles and liquidation bars from its cache exactly as a fresh draw would, stepping forward and back, at 1m and 1h', async () => {
    // The candle and liquidation series keep bars before the last block as a bitmap
    // (settled-bars-series.ts), the event markers those before their last block (event-markers-primitive.ts). After stepping (update() forward, pop() back, across block
    // boundaries) the chart must hold the same pixels as after handing the series the same data
    // anew (new objects: the cache is thrown away and every bar drawn again).
    // At 1h the window's 32nd hour (block boundary: BLOCK = 32) is 2020-03-12 07:00: from 07:30
    // forward the 07:00 hour first forms, then settles into the cache; back, it leaves it again.
    // At 1m, from 10:20 through the 10:30–10:45 liquidations (more markers than a block) to
    // 11:30, then back to 10:45, across candle blocks both ways. (The policy itself, for any
    // sequence of moves, is unit-tested in test/unit/replay/settled-plan.test.ts.)
    const plans = [['1m (stored)', 10, 20, 70, 45], ['1h', 7, 30, 70, 45]] as const;
    for (const [label, hour, minute, forward, back] of plans) {
      await page.getByTestId('replay-interval').selectOption({ label });
      const { firstBar } = await chartState();
      await seek(BARS.time.indexOf(Date.UTC(2020, 2, 12, hour, minute) / 1000) - firstBar);
      for (const [steps, dir] of [[forward, 1], [back, -1]] as const) {
        const r = await page.evaluate(async ({ steps, dir }) => {
          type Series = { data(): readonly object[]; setData(d: object[]): void };
          type Replay = { player: { index: number; step(d: number): void }; charts: { screenshot(): HTMLCanvasElement; cacheRedraws(): number; markers: { forgetCache(): void; markers(): unknown[] }; chart: { panes(): { getSeries(): Series[] }[] } }[] };
          const replay = (window as unknown as { __undertowReplay: Replay }).__undertowReplay;
          const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));
          const pixels = (): Uint8ClampedArray => {
            const c = replay.charts[0]!.screenshot();
            return c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          };
          const before = pixels();
          const chart = replay.charts[0]!;
          // Steps drawn from the cache (no redraw from scratch): most, or this would test nothing.
          let cachedSteps = 0;
          for (let i = 0; i < steps; i++) {
            const redraws = chart.cacheRedraws();
            replay.player.step(dir);
            await frame();
            if (chart.cacheRedraws() === redraws) cachedSteps++;
          }
          await frame();
          await frame();
          const cached = pixels();
          for (const pane of [0, 1]) {
            const series = replay.charts[0]!.chart.panes()[pane]!.getSeries()[0]!;
            series.setData(series.data().map((d) => ({ ...d })));
          }
          chart.markers.forgetCache();
          await frame();
          await frame();
          const fresh = pixels();
          let differ = 0;
          let moved = 0;
          for (let i = 0; i < fresh.length; i += 4) {
            if (cached[i] !== fresh[i] || cached[i + 1] !== fresh[i + 1] || cached[i + 2] !== fresh[i + 2]) differ++;
            if (before[i] !== cached[i] || before[i + 1] !== cached[i + 1] || before[i + 2] !== cached[i + 2]) moved++;
          }
          return { differ, moved, cachedSteps, markers: chart.markers.markers().length, index: replay.player.index };
        }, { steps, dir });
        // The steps changed the picture (else the comparison would prove nothing), and the cached draw equals the fresh one.
        expect(r.moved, `${label} ${dir > 0 ? 'forward' : 'back'}`).toBeGreaterThan(100);
        expect(r.cachedSteps, `${label} ${dir > 0 ? 'forward' : 'back'}`).toBeGreaterThan(steps / 2);
        if (label !== '1h') expect(r.markers).toBeGreaterThan(MARKER_BLOCK);
        expect(r.differ, `${label} ${dir > 0 ? 'forward' : 'back'} at bar ${r.index}`).toBe(0);
      }
    }
    await page.getByTestId('replay-interval').selectOption({ label: '1m (stored)' });
  }, 120_000);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
