/**
 * End to end, the crash replay screen as a user drives it: browser mode + Debian Chromium.
 * Import the real 2020-03-12 and 2025-10-10 BTC windows (read in place from ../shared/data),
 * upload a portfolio JSON written here, replay with an estimated market population, step with
 * the transport and the keyboard to bars chosen from the data, and check what the positions
 * table and the status line say — which positions are liquidated by then and at what price —
 * against Binance's isolated formula computed here (tier 1: MMR 0.4%, cum 0). Then compare with
 * a counterfactual run, and export (PNG, CSV, JSON from the UI; CSV from the CLI).
 * Screenshots of each state go to test-results/e2e/replay-*.png.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, REPO, SHARED_DATA, startWebApp, type WebApp, openPage, closeAll } from './harness';
import { readSharedCsv } from '../helpers/temp';
import { createHttpApi } from '../helpers/http-api';
import { allTableRows, lastDrawnRowIndex } from './page-actions';

let app: WebApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const LOOKBACK = 1440;

/**
 * Binance USDⓈ-M isolated liquidation price (FAQ "How to Calculate Liquidation Price of
 * USDⓈ-M Futures Contracts"): LP = (WB + cum − side·Q·EP) / (Q·MMR − side·Q), WB = the
 * isolated margin = Q·EP/leverage; tier 1 of BTCUSDT (notional < 50,000): MMR 0.4%, cum 0.
 */
function lp(side: 1 | -1, qty: number, entry: number, leverage: number): number {
  const wb = (qty * entry) / leverage;
  return (wb + 0 - side * qty * entry) / (qty * 0.004 - side * qty);
}

const money = (x: number): string => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

interface Window {
  file: string;
  bars: ReturnType<typeof readSharedCsv>;
  qty: number;
  leverages: number[];
}

const W2020: Window = { file: 'events/btcusdt_1m_2020-03-11_2020-03-14.csv', bars: readSharedCsv('events/btcusdt_1m_2020-03-11_2020-03-14.csv'), qty: 1, leverages: [2, 3, 5, 10] };
const W2025: Window = { file: 'events/btcusdt_1m_2025-10-09_2025-10-12.csv', bars: readSharedCsv('events/btcusdt_1m_2025-10-09_2025-10-12.csv'), qty: 0.2, leverages: [5, 10, 20] };

/** Own positions opened at the first replayed bar's open; a 10× short too. */
function portfolioOf(w: Window, name: string): object {
  const t = w.bars.time[LOOKBACK]!;
  const entry = w.bars.open[LOOKBACK]!;
  return {
    name,
    accounts: [{ id: 'iso', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [
      ...w.leverages.map((leverage) => ({ id: `L${leverage}`, symbol: 'BTCUSDT', side: 'long', qty: w.qty, entry, leverage, openedAt: t })),
      { id: 'S10', symbol: 'BTCUSDT', side: 'short', qty: w.qty, entry, leverage: 10, openedAt: t },
    ] }],
  };
}

/** Replayed-bar index where the real low first reaches a long's LP (impact off: the engine's trigger), or −1. */
function liquidationBar(w: Window, price: number): number {
  for (let i = LOOKBACK; i < w.bars.low.length; i++) if (w.bars.low[i]! <= price) return i - LOOKBACK;
  return -1;
}

beforeAll(async () => {
  app = await startWebApp();
  ({ browser, page } = await openPage({ viewport: { width: 1500, height: 1000 }, acceptDownloads: true }, pageErrors));
});

afterAll(() => closeAll(browser, app));

async function seek(index: number): Promise<void> {
  await page.getByTestId('scrubber').fill(String(index));
  await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain(`bar ${(index + 1).toLocaleString('en-US')} /`);
  // The tables and the status line follow the chart a few times a second.
  await expect.poll(() => page.getByTestId('twin').getAttribute('data-index')).toBe(String(index));
  await expect.poll(() => page.getByTestId('status').textContent()).toContain(`Bar ${(index + 1).toLocaleString('en-US')} of`);
}

async function statusOf(id: string): Promise<string | null> {
  return page.locator(`[data-testid=position-row][data-position=${id}]`).getAttribute('data-status');
}

async function replay(w: Window, portfolioName: string, positions = w.leverages.length + 1): Promise<void> {
  await page.getByTestId('tab-replay').click();
  const datasetLabel = await page.getByTestId('replay-dataset').locator('option', { hasText: new Date(w.bars.time[0]! * 1000).toISOString().slice(0, 10) }).first().getAttribute('value');
  await page.getByTestId('replay-dataset').selectOption(datasetLabel!);
  await page.getByTestId('replay-portfolio').selectOption({ label: `${portfolioName} (${positions})` });
  await page.getByTestId('replay-impact').selectOption('none');
  const population = page.getByTestId('replay-population');
  if (!(await population.isChecked())) await population.check();
  const before = await page.getByTestId('run-item').count();
  await page.getByTestId('replay-run').click();
  await expect.poll(() => page.getByTestId('run-item').count(), { timeout: 60_000 }).toBe(before + 1);
  await page.getByTestId('transport').waitFor();
  await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain('bar 1 /');
  await page.waitForTimeout(300);
}

describe('the crash replay screen', () => {
  it('imports both crash windows and uploads a portfolio for each', async () => {
    await page.goto(app.appUrl);
    await page.getByTestId('import-input').setInputFiles([path.join(SHARED_DATA, W2020.file), path.join(SHARED_DATA, W2025.file)]);
    await expect.poll(() => page.getByTestId('dataset-item').count(), { timeout: 60_000 }).toBe(2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-replay-e2e-'));
    const files = [path.join(dir, 'crash-2020.json'), path.join(dir, 'crash-2025.json')];
    fs.writeFileSync(files[0]!, JSON.stringify(portfolioOf(W2020, 'crash-2020')));
    fs.writeFileSync(files[1]!, JSON.stringify(portfolioOf(W2025, 'crash-2025')));
    await page.getByTestId('tab-portfolio').click();
    await page.getByTestId('portfolio-input').setInputFiles(files);
    await expect.poll(() => page.getByTestId('portfolio-item').count()).toBe(2);
  });

  it('replays 2020-03-12: at the bar before each long is reached it is not liquidated, at that bar it is, at its formula price', async () => {
    await replay(W2020, 'crash-2020');
    await page.screenshot({ path: artifactPath('replay-01-opened-2020.png') });
    const entry = W2020.bars.open[LOOKBACK]!;
    // The short's LP is above the window's highest high after the start: never liquidated.
    const shortLp = lp(-1, 1, entry, 10);
    expect(Math.max(...W2020.bars.high.slice(LOOKBACK))).toBeLessThan(shortLp);
    const checked: string[] = [];
    for (const leverage of [10, 5, 3]) {
      const price = lp(1, 1, entry, leverage);
      const bar = liquidationBar(W2020, price);
      expect(bar, `${leverage}× is reached in this window`).toBeGreaterThan(0);
      await seek(bar - 1);
      expect(await statusOf(`L${leverage}`)).not.toBe('liquidated');
      await seek(bar);
      expect(await statusOf(`L${leverage}`)).toBe('liquidated');
      const row = page.locator(`[data-testid=position-row][data-position=L${leverage}]`);
      // Impact off: filled at its own liquidation price unless the bar opened through it.
      const fill = W2020.bars.open[LOOKBACK + bar]! > price ? price : W2020.bars.open[LOOKBACK + bar]!;
      expect(await row.getByTestId('liquidated-at').textContent()).toContain(money(fill));
      expect(await row.textContent()).toContain('✖ liquidated');
      const status = await page.getByTestId('status').textContent();
      expect(status).toContain(`L${leverage} at ${money(fill)}`);
      checked.push(`L${leverage}`);
    }
    expect(await statusOf('S10')).toBe('healthy');
    expect(await page.locator('[data-testid=position-row][data-position=S10]').textContent()).toContain('✔ healthy');
    await page.screenshot({ path: artifactPath('replay-02-2020-liquidated.png') });
    // The events table shows only events up to the cursor (all of them, scrolled through: it draws those in view).
    const rows = await allTableRows(page, 'events-table');
    expect(await page.locator('section[aria-label="Events up to the cursor"] h2').textContent()).toContain(`(${rows.length.toLocaleString('en-US')} of`);
    expect(rows.some((r) => r.includes('L10'))).toBe(true);
    expect(checked).toEqual(['L10', 'L5', 'L3']);
  }, 120_000);

  it('steps with the keyboard and the transport, and never shows a later bar', async () => {
    // The whole window's outcome (its real low, who is liquidated) is folded until asked for.
    const outcome = page.getByTestId('run-outcome');
    expect(await outcome.getAttribute('open')).toBeNull();
    expect(await outcome.locator('dl').isVisible()).toBe(false);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain('bar 1 /');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain('bar 13 /');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain('bar 12 /');
    // The clock shows the bar's UTC open time from the data.
    const t = new Date(W2020.bars.time[LOOKBACK + 11]! * 1000).toISOString().slice(0, 16).replace('T', ' ');
    expect(await page.getByTestId('replay-clock').textContent()).toContain(t);
    // Keys typed into a field do not move the replay.
    await page.locator('input[aria-label="Free speed (bars per second)"]').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('replay-clock').textContent()).toContain('bar 12 /');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    // Next event jumps forward to a bar with an event.
    await page.getByTestId('next-event').click();
    await expect.poll(async () => (await page.getByTestId('replay-clock').textContent())!.includes('bar 12 /')).toBe(false);
    // The chart holds exactly the look-back plus the bars up to the cursor: nothing later.
    const counts = await page.evaluate(() => {
      const r = (window as unknown as { __undertowReplay: { player: { index: number }; charts: { chart: { panes(): { getSeries(): { data(): unknown[] }[] }[] } }[] } }).__undertowReplay;
      const series = r.charts[0]!.chart.panes()[0]!.getSeries()[0]!;
      return { index: r.player.index, candles: series.data().length };
    });
    expect(counts.candles).toBe(LOOKBACK + counts.index + 1);
    // Play a moment at 60 bars/s, then pause with Space.
    await page.getByTestId('speed').selectOption('60');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press(' ');
    await page.waitForTimeout(400);
    await page.keyboard.press(' ');
    const after = await page.evaluate(() => {
      const p = (window as unknown as { __undertowReplay: { player: { index: number; playing: boolean } } }).__undertowReplay.player;
      return { index: p.index, playing: p.playing };
    });
    expect(after.playing).toBe(false);
    expect(after.index).toBeGreaterThan(counts.index);
    await page.screenshot({ path: artifactPath('replay-03-2020-stepped.png') });
  });

  it('shows a crosshair tooltip with OHLC, rounds and notional of the hovered bar', async () => {
    await seek(liquidationBar(W2020, lp(1, 1, W2020.bars.open[LOOKBACK]!, 10)) + 30);
    const box = (await page.getByTestId('replay-chart').first().boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    const tip = page.getByTestId('replay-tooltip');
    await tip.waitFor();
    const text = (await tip.textContent())!;
    expect(text).toMatch(/O [\d,]+\.\d\d {2}H [\d,]+\.\d\d {2}L [\d,]+\.\d\d {2}C [\d,]+\.\d\d/);
    expect(text).toMatch(/cascade rounds \d+|look-back bar/);
    await page.screenshot({ path: artifactPath('replay-04-2020-tooltip.png') });
    await page.mouse.move(box.x - 50, box.y - 50);
  });

  it('compares with a counterfactual run (linear impact, depth ×0.5) side by side', async () => {
    await page.getByTestId('compare-impact').selectOption('linear');
    await page.getByTestId('compare-linear-depth').fill('5000000');
    await page.getByTestId('compare-depth').fill('0.5');
    await page.getByTestId('compare-run').click();
    await page.locator('[data-testid=diff-table], [role=alert]').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('[role=alert]').allTextContents()).toEqual([]);
    await expect.poll(() => page.getByTestId('replay-chart').count()).toBe(2);
    await page.keyboard.press('End');
    await expect.poll(() => page.getByTestId('replay-clock').textContent()).toContain(`bar ${(W2020.bars.time.length - LOOKBACK).toLocaleString('en-US')} /`);
    await expect.poll(() => page.getByTestId('twin').getAttribute('data-index')).toBe(String(W2020.bars.time.length - LOOKBACK - 1));
    const cell = async (measure: string, col: number): Promise<number> => Number(((await page.locator(`[data-testid=diff-table] tr[data-measure=${measure}] td`).nth(col).textContent()) ?? '').replace(/,/g, ''));
    // Impact pushes the effective price below the real path: at least as many estimated positions
    // liquidated (DESIGN.md §3.3: less depth never liquidates less), a lower worst price. (The
    // notional can be lower: the same positions fill at lower prices.)
    expect(await cell('liquidations', 2)).toBeGreaterThanOrEqual(await cell('liquidations', 1));
    expect(await cell('worst', 2)).toBeLessThan(await cell('worst', 1));
    // Impact off: run A's worst effective price is the real low after the start.
    expect(await cell('worst', 1)).toBeCloseTo(Math.min(...W2020.bars.low.slice(LOOKBACK)), 2);
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('replay-05-2020-compare.png') });
  }, 120_000);

  it('exports PNG, events CSV, series CSV and run JSON from the UI, and CSV from the CLI', async () => {
    const save = async (testId: string): Promise<string> => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
      const file = path.join(app.dir, download.suggestedFilename());
      await download.saveAs(file);
      return file;
    };
    const png = fs.readFileSync(await save('export-png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const events = fs.readFileSync(await save('export-events'), 'utf8').trim().split('\n');
    expect(events[0]).toBe('time,utc,kind,ref,side,price,notional,pnl,count,detail');
    expect(events.some((l) => l.includes(',liquidation,L10,'))).toBe(true);
    const series = fs.readFileSync(await save('export-series'), 'utf8').trim().split('\n');
    expect(series.length).toBe(1 + W2020.bars.time.length - LOOKBACK);
    const json = JSON.parse(fs.readFileSync(await save('export-json'), 'utf8')) as { run: { id: number; params: { scenario: { population: { lookbackBars: number } }; seed: number } }; events: unknown[] };
    expect(json.run.params.scenario.population.lookbackBars).toBe(LOOKBACK);
    expect(json.events.length).toBe(events.length - 1);
    const out = path.join(app.dir, 'cli-events.csv');
    execFileSync(path.join(REPO, 'node_modules/.bin/tsx'), ['electron/backend/cli/main.ts', 'export-run', String(json.run.id), '--format', 'csv', '--out', out, '--db', app.dbPath], { cwd: REPO });
    expect(fs.readFileSync(out, 'utf8').trim().split('\n')).toEqual(events);
  });

  it('replays 2025-10-10 and liquidates exactly the longs whose formula price the real low reached', async () => {
    await replay(W2025, 'crash-2025');
    const entry = W2025.bars.open[LOOKBACK]!;
    expect(W2025.qty * entry).toBeLessThan(50_000); // tier 1 premise of the formula above
    await seek(W2025.bars.time.length - LOOKBACK - 1);
    const status = (await page.getByTestId('status').textContent())!;
    for (const leverage of W2025.leverages) {
      const price = lp(1, W2025.qty, entry, leverage);
      const bar = liquidationBar(W2025, price);
      if (bar < 0) {
        expect(await statusOf(`L${leverage}`), `L${leverage}: the low never reached ${price}`).not.toBe('liquidated');
        continue;
      }
      expect(await statusOf(`L${leverage}`)).toBe('liquidated');
      const fill = W2025.bars.open[LOOKBACK + bar]! > price ? price : W2025.bars.open[LOOKBACK + bar]!;
      expect(status).toContain(`L${leverage} at ${money(fill)}`);
      await seek(bar - 1);
      expect(await statusOf(`L${leverage}`)).not.toBe('liquidated');
      await seek(bar);
      expect(await statusOf(`L${leverage}`)).toBe('liquidated');
    }
    // At least the 20× long died on 10 October 2025 (a −1/20 move is far smaller than the crash).
    expect(liquidationBar(W2025, lp(1, W2025.qty, entry, 20))).toBeGreaterThan(0);
    await seek(liquidationBar(W2025, lp(1, W2025.qty, entry, 20)) + 60);
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('replay-06-2025.png') });
  }, 120_000);

  it('a big book: the tables reach every position and every event up to the cursor by scrolling, drawing only the rows in view', async () => {
    const BIG = 300;
    const t = W2020.bars.time[LOOKBACK]!;
    const entry = W2020.bars.open[LOOKBACK]!;
    const book = {
      name: 'crash-2020-big',
      accounts: [{ id: 'iso', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: Array.from({ length: BIG }, (_, i) => ({
        id: `p${i}`, symbol: 'BTCUSDT', side: i % 2 === 0 ? 'long' : 'short', qty: 0.5, entry: entry * (1 + ((i % 7) - 3) * 0.002), leverage: 2 + (i % 50), openedAt: t + 60 * (i % 240),
      })) }],
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-replay-e2e-')), 'crash-2020-big.json');
    fs.writeFileSync(file, JSON.stringify(book));
    await page.getByTestId('tab-portfolio').click();
    await page.getByTestId('portfolio-input').setInputFiles([file]);
    await expect.poll(() => page.getByTestId('portfolio-item').count()).toBe(3);
    await replay(W2020, 'crash-2020-big', BIG);
    const api = createHttpApi(app.url, app.token);
    const stored = (await api.call('runs.list', {})).filter((r) => r.kind === 'replay').sort((a, b) => b.id - a.id)[0]!;
    const detail = await api.call('runs.get', { id: stored.id });
    // An event belongs to the last bar that opened at or before it; by bar N, those of bars ≤ N.
    const upTo = (bar: number): number => detail.events.filter((e) => bar + 1 >= detail.series.time.length || e.time < detail.series.time[bar + 1]!).length;
    const utcMinute = (time: number): string => new Date(time * 1000).toISOString().slice(0, 16).replace('T', ' ');
    // Deep in the crash (2020-03-13): hundreds of events up to the cursor, not all of the run's.
    const deep = 2200;
    await seek(deep);
    const count = upTo(deep);
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThanOrEqual(detail.events.length);
    const positions = page.getByTestId('positions-table');
    const events = page.getByTestId('events-table');
    // The tables say how long they are (header row = 1) and draw a few dozen rows, not hundreds.
    expect(await positions.getAttribute('aria-rowcount')).toBe(String(BIG + 1));
    expect(await events.getAttribute('aria-rowcount')).toBe(String(count + 1));
    expect(await page.getByTestId('position-row').count()).toBeLessThanOrEqual(30);
    expect(await page.getByTestId('event-row').count()).toBeLessThanOrEqual(30);
    expect(await events.locator('thead th[aria-sort=descending]').textContent()).toContain('Time');
    // Every event up to the cursor is reachable: the latest first, the run's oldest last.
    const all = await allTableRows(page, 'events-table');
    expect(all).toHaveLength(count);
    const oldest = detail.events[0]!;
    expect(all[count - 1]).toContain(utcMinute(oldest.time));
    expect(all[count - 1]).toContain(oldest.ref ?? '—');
    // With the keyboard: the focused box (named, focusable) goes to its top with Home and its end
    // with End — the replay's cursor stays where it is.
    const box = events.locator('xpath=..');
    expect(await box.getAttribute('tabindex')).toBe('0');
    expect(await box.getAttribute('aria-label')).toContain('Events');
    await box.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => box.evaluate((el) => el.scrollTop)).toBe(0);
    await page.keyboard.press('End');
    await expect.poll(() => lastDrawnRowIndex(page, 'events-table')).toBe(count + 1);
    expect(await page.getByTestId('twin').getAttribute('data-index')).toBe(String(deep));
    const last = page.locator(`[data-testid=event-row][aria-rowindex="${count + 1}"]`);
    expect(await last.textContent()).toContain(utcMinute(oldest.time));
    expect(await page.getByTestId('event-row').count()).toBeLessThanOrEqual(30);
    await page.waitForTimeout(200);
    await page.screenshot({ path: artifactPath('replay-07-big-book-events-end.png') });
    // Stepping back below the scroll offset: the box shows the end of the shorter list, not a blank.
    const earlier = 700;
    await seek(earlier);
    const fewer = upTo(earlier);
    expect(fewer).toBeLessThan(count);
    expect(await events.getAttribute('aria-rowcount')).toBe(String(fewer + 1));
    if (fewer > 0) await expect.poll(() => lastDrawnRowIndex(page, 'events-table')).toBe(fewer + 1);
    // The oldest event's row (time button) jumps the replay to its bar.
    const bar = Math.max(0, detail.series.time.filter((time) => time <= oldest.time).length - 1);
    await page.locator(`[data-testid=event-row][aria-rowindex="${fewer + 1}"] button`).click();
    await expect.poll(() => page.getByTestId('twin').getAttribute('data-index')).toBe(String(bar));
    // Every position too: a big book opens nearest to liquidation first; sorted by position, in book order.
    await seek(deep);
    const ranked = await allTableRows(page, 'positions-table');
    expect(ranked).toHaveLength(BIG);
    expect(ranked.at(-1)).toMatch(/✖ liquidated|○ not open yet|—/);
    await positions.getByRole('button', { name: 'Position', exact: true }).click();
    expect(await positions.locator('thead th').first().getAttribute('aria-sort')).toBe('ascending');
    const byBook = await allTableRows(page, 'positions-table');
    expect(byBook.map((r) => /^p\d+/.exec(r)![0])).toEqual(book.accounts[0]!.positions.map((p) => p.id));
    expect(await page.locator('[data-testid=position-row][aria-rowindex="301"]').getAttribute('data-position')).toBe(`p${BIG - 1}`);
    expect(await page.getByTestId('position-row').count()).toBeLessThanOrEqual(30);
    await page.screenshot({ path: artifactPath('replay-08-big-book-positions-end.png') });
  }, 180_000);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
