/**
 * Soak: does memory stay flat over a long session? Browser mode (the real HTTP server and
 * backend, in this process so its memory is ours to read) + Debian Chromium on the built
 * renderer. The 2022-05 BTC 1m file (8 days, LUNA/UST crash) is imported in place; the page
 * replays it once from the Replay view; then, until the time is up, each loop
 *
 *   - replays a 7-day window through the API from inside the page (`runs.replay`), reads the
 *     stored run whole (`runs.get`, parsed in the page) and deletes the previous one, so the
 *     database stays one run large and what grows is only what leaks;
 *   - steps through the run shown in the Replay view: ←/→, Shift+←/→ and scrubber seeks.
 *
 * Every SAMPLE_SECONDS it records the backend's RSS and V8 heap (after a GC when the process
 * runs with --expose-gc, as `npm run bench` does) and the page's JS heap (CDP
 * `Runtime.getHeapUsage` after `HeapProfiler.collectGarbage`, plus `performance.memory`).
 * Prints one JSON document: start/end/max and the least-squares slope (MB per minute) of each,
 * over all samples and over the second half (after warm-up).
 *
 * Run: npx tsx test/bench/soak.ts   (SOAK_SECONDS=120 for a short one; default 600)
 * Needs: `npm run build` (out/renderer) and Chromium at /usr/bin/chromium.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Backend } from '../../electron/backend/services/backend';
import { startHttpServer } from '../../electron/backend/server/http-server';
import type { ImportResult } from '../../shared/domain';
import type { RunInfo } from '../../shared/runs';
import { launchChromium, REPO, SHARED_DATA } from '../e2e/harness';

const FILE = path.join(SHARED_DATA, 'events/btcusdt_1m_2022-05-07_2022-05-14.csv');
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 5);
const MB = 1024 * 1024;

interface Sample {
  t: number;
  backendRssMb: number;
  backendHeapMb: number;
  pageHeapMb: number;
  pagePerformanceMemoryMb: number | null;
}

interface Trend {
  start: number;
  end: number;
  max: number;
  /** Least-squares slope over all samples, MB per minute. */
  slopeMbPerMin: number;
  /** The same over the second half of the run (after warm-up). */
  slopeSecondHalfMbPerMin: number;
}

function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

function trend(samples: Sample[], pick: (s: Sample) => number): Trend {
  const values = samples.map(pick);
  const points = samples.map((s): [number, number] => [s.t / 60, pick(s)]);
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    start: round(values[0]!),
    end: round(values.at(-1)!),
    max: round(Math.max(...values)),
    slopeMbPerMin: round(slope(points)),
    slopeSecondHalfMbPerMin: round(slope(points.slice(Math.floor(points.length / 2)))),
  };
}

/** One loop's API work, run inside the page: replay, read the run whole, delete the previous one. */
const IN_PAGE_LOOP = `async ({ token, params, previous }) => {
  const call = async (method, p) => {
    const response = await fetch('/api/call', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-undertow-token': token },
      body: JSON.stringify({ id: 1, method, params: p }),
    });
    const reply = await response.json();
    if (!reply.ok) throw new Error(method + ': ' + reply.error.message);
    return reply.result;
  };
  const info = await call('runs.replay', params);
  const detail = await call('runs.get', { id: info.id });
  if (previous !== null) await call('runs.delete', { id: previous });
  return { id: info.id, events: detail.events.length };
}`;

export async function main(): Promise<void> {
  const rendererDir = path.join(REPO, 'out', 'renderer');
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) throw new Error('no built renderer: run `npm run build` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-soak-'));
  const backend = new Backend({ dbPath: path.join(dir, 'soak.db') });
  const server = await startHttpServer({ backend, rendererDir });
  const browser = await launchChromium();
  const gc = (globalThis as { gc?: () => void }).gc;
  try {
    const imported = (await backend.dispatch('datasets.importFile', { path: FILE }, { trusted: true })) as ImportResult;
    const dataset = imported.dataset;
    const portfolio = (await backend.dispatch(
      'portfolios.save',
      {
        portfolio: {
          name: 'soak book',
          accounts: [
            {
              id: 'iso',
              venue: 'binance-usdm',
              mode: 'isolated',
              wallet: 0,
              positions: [3, 5, 10, 20].map((leverage) => ({ id: `L${leverage}`, symbol: 'BTCUSDT', side: 'long', qty: 0.5, entry: 34_000, leverage })),
            },
          ],
        },
      },
      { trusted: false },
    )) as { id: number };
    // A 7-day window: the last seven days of the file (the first day is the population's look-back).
    const to = dataset.lastTime;
    const from = to - 7 * 86_400 + 60;
    const replayParams = {
      datasetId: dataset.id,
      portfolioId: portfolio.id,
      scenario: { venue: 'binance-usdm', impact: { model: 'none' }, population: { lookbackBars: 1440 } },
      seed: 1,
      from,
      to,
    };

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const cdp = await context.newCDPSession(page);
    await page.goto(server.appUrl);

    // One replay from the Replay view, so the chart, tables and transport are live.
    await page.getByTestId('tab-replay').click();
    const option = await page.getByTestId('replay-dataset').locator('option', { hasText: '2022-05-07' }).first().getAttribute('value');
    await page.getByTestId('replay-dataset').selectOption(option!);
    await page.getByTestId('replay-portfolio').selectOption({ label: 'soak book (4)' });
    await page.getByTestId('replay-impact').selectOption('none');
    await page.getByTestId('replay-run').click();
    await page.getByTestId('transport').waitFor({ timeout: 120_000 });
    const bars = Number(await page.getByTestId('scrubber').getAttribute('max'));

    const samples: Sample[] = [];
    const started = performance.now();
    const elapsed = (): number => (performance.now() - started) / 1000;
    const sample = async (): Promise<void> => {
      gc?.();
      const memory = process.memoryUsage();
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      const perf = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null);
      samples.push({
        t: Math.round(elapsed() * 10) / 10,
        backendRssMb: memory.rss / MB,
        backendHeapMb: memory.heapUsed / MB,
        pageHeapMb: heap.usedSize / MB,
        pagePerformanceMemoryMb: perf === null ? null : perf / MB,
      });
    };

    await sample();
    let nextSample = SAMPLE_SECONDS;
    let loops = 0;
    let previousRun: number | null = null;
    let replayMsTotal = 0;
    let stepKeys = 0;
    while (elapsed() < SOAK_SECONDS) {
      const t0 = performance.now();
      // A string, not a function: tsx would wrap a function's inner helpers in `__name`, which the page lacks.
      const run = (await page.evaluate(`(${IN_PAGE_LOOP})(${JSON.stringify({ token: server.token, params: replayParams, previous: previousRun })})`)) as {
        id: number;
        events: number;
      };
      replayMsTotal += performance.now() - t0;
      previousRun = run.id;
      // Step through the run on screen: arrows, ten-bar steps, and a seek.
      await page.locator('body').click({ position: { x: 3, y: 3 } });
      for (const key of ['ArrowRight', 'ArrowRight', 'Shift+ArrowRight', 'ArrowLeft', 'Shift+ArrowRight', 'Shift+ArrowLeft']) {
        await page.keyboard.press(key);
        stepKeys++;
      }
      await page.getByTestId('scrubber').fill(String(Math.floor(Math.random() * bars)));
      loops++;
      if (elapsed() >= nextSample) {
        await sample();
        nextSample += SAMPLE_SECONDS;
      }
    }
    await sample();

    const result = {
      seconds: Math.round(elapsed()),
      sampleSeconds: SAMPLE_SECONDS,
      loops,
      replayBars: Math.round((to - from) / 60) + 1,
      replayAndReadMsMean: Math.round(replayMsTotal / Math.max(1, loops)),
      stepKeys,
      gcBeforeBackendSamples: gc !== undefined,
      pageErrors,
      backendRssMb: trend(samples, (s) => s.backendRssMb),
      backendHeapMb: trend(samples, (s) => s.backendHeapMb),
      pageHeapMb: trend(samples, (s) => s.pageHeapMb),
      pagePerformanceMemoryMb: samples.every((s) => s.pagePerformanceMemoryMb !== null)
        ? trend(samples, (s) => s.pagePerformanceMemoryMb!)
        : null,
      samples: samples.map((s) => ({
        t: s.t,
        backendRssMb: Math.round(s.backendRssMb * 10) / 10,
        backendHeapMb: Math.round(s.backendHeapMb * 10) / 10,
        pageHeapMb: Math.round(s.pageHeapMb * 10) / 10,
      })),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await browser.close();
    await server.close();
    backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Run when executed directly (npx tsx test/bench/soak.ts; npm run bench spawns it so).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
