/**
 * Replay screen benchmark, in Debian Chromium (playwright-core) against browser mode, as a user
 * would open it: the 4-day 1m BTC window ../shared/data/events/btcusdt_1m_2020-03-11_2020-03-14.csv
 * (read in place), a portfolio of 500 isolated positions (1,000 position lines: a liquidation
 * and a margin-call line each), an estimated market population (the heat band, 60 bins) with
 * linear impact, and the three panes. Prints one JSON document:
 * - openToFirstPaintMs: from the replay screen mounting (click on the run) to the first frame
 *   after its chart holds the data (performance marks replay-open-start → replay-open-painted);
 * - step latency per ±1 bar, p50/p95/max, split into the synchronous script of the step
 *   (performance mark pair around the chart update), the chart's paint in the next frame, their
 *   sum (the work a step costs), and the wall time to the end of that frame (which includes
 *   waiting for the next vsync, at most one frame).
 * Software rendering (--disable-gpu), on whatever machine runs it: figures, not a test.
 *
 * Run: npx tsx test/bench/replay-ui.ts [--positions 500] [--steps 300]
 */
import path from 'node:path';
import { benchInBrowser, FILE, numberArg as arg, openStoredReplay, quantiles, storeBookReplay } from './_replay-book';

const POSITIONS = arg('--positions', 500);
const STEPS = arg('--steps', 300);

benchInBrowser(async (app, browser) => {
  const { api, bars, run } = await storeBookReplay(app, POSITIONS);
  const { page, errors } = await openStoredReplay(browser, app);
  await page.waitForFunction(`performance.getEntriesByName('replay-open').length > 0`, undefined, { timeout: 60_000 });
  const openMs = await page.evaluate<number>(`performance.getEntriesByName('replay-open').at(-1).duration`);

  // In-page code as a string: tsx would wrap inner functions with a `__name` helper the page lacks.
  const measure = async (start: number, direction: 1 | -1, steps: number): Promise<{ script: number[]; paint: number[]; work: number[]; toFrameEnd: number[] }> =>
    page.evaluate(`(async () => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      const player = window.__undertowReplay.player;
      player.seek(${start});
      await frame();
      await frame();
      const script = [], paint = [], work = [], toFrameEnd = [];
      for (let i = 0; i < ${steps}; i++) {
        const t0 = performance.now();
        player.step(${direction});
        const t1 = performance.now();
        // Our callback was queued after the chart's, so it runs once the chart has painted.
        const frameStart = await frame();
        const t2 = performance.now();
        const p = t2 - Math.max(frameStart, t1);
        script.push(t1 - t0);
        paint.push(p);
        work.push(t1 - t0 + p);
        toFrameEnd.push(t2 - t0);
      }
      return { script, paint, work, toFrameEnd };
    })()`);
  // Through the crash (bar 500 ≈ 2020-03-12 08:20 onwards), forward with update(), then back with pop().
  const forward = await measure(500, 1, STEPS);
  const back = await measure(500 + STEPS, -1, Math.min(STEPS, 100));
  const summarise = (r: typeof forward) => ({ script: quantiles(r.script), paint: quantiles(r.paint), work: quantiles(r.work), toFrameEnd: quantiles(r.toFrameEnd) });
  const overlay = await api.call('runs.liquidationMap', { id: run.id, bins: 60 });
  const all = { script: [...forward.script, ...back.script], work: [...forward.work, ...back.work] };
  const result = {
    window: path.basename(FILE),
    bars: bars.time.length,
    replayedBars: run.summary.bars,
    positionLines: overlay.positions.reduce((n, p) => n + (p.liquidationPrice !== null ? 1 : 0) + (p.marginCallPrice !== null ? 1 : 0), 0),
    heatBand: overlay.map ? { bins: overlay.map.bins, estimatedPositions: overlay.map.positions } : null,
    panes: 3,
    openToFirstPaintMs: Math.round(openMs * 10) / 10,
    stepForward: summarise(forward),
    stepBack: summarise(back),
    stepWorkP95Ms: quantiles(all.work).p95,
    stepScriptP95Ms: quantiles(all.script).p95,
    targets: { stepP95Ms: 16, openToFirstPaintMs: 1000 },
    meets: { stepWorkP95: quantiles(all.work).p95 <= 16, openToFirstPaint: openMs <= 1000 },
    note: 'work = synchronous step script + the chart paint of the next frame; toFrameEnd adds the wait for vsync (≤ one 16.7 ms frame). Headless Chromium, --disable-gpu.',
    pageErrors: errors,
  };
  return result;
});
