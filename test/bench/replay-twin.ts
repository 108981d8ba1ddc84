/**
 * Replay twin benchmark: what one update of the replay screen's semantic twin (the positions and
 * events tables under the chart, refreshed at most every TWIN_MS while the replay steps) costs
 * the main thread, in Debian Chromium (playwright-core) against browser mode. Same setup as
 * replay-ui.ts: the 4-day 1m BTC window ../shared/data/events/btcusdt_1m_2020-03-11_2020-03-14.csv
 * (read in place), 500 isolated positions, an estimated market population, linear impact.
 *
 * The mouse rests over the tables (Chrome re-runs the hover hit test after a layout change under
 * a stationary mouse). Each sample: step the replay one bar, let the chart paint, wait for the
 * twin to follow (its data-index changes; a MutationObserver marks that moment), then two more
 * frames. A Chrome trace (devtools.timeline, toplevel, blink) of the whole loop gives, per
 * sample, the main-thread time of every top-level task from the one that updated the twin up to
 * the next step: the twin's script, style, layout, hit test, pre-paint and paint.
 * Also reports how many table rows the twin keeps in the DOM. Figures, not a test.
 *
 * Run: npx tsx test/bench/replay-twin.ts [--positions 500] [--samples 60] [--shots <dir>]
 * (--shots: PNGs of the screen and the twin after the loop, to look at.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { benchInBrowser, FILE, numberArg as arg, openStoredReplay, quantiles, storeBookReplay } from './_replay-book';

const POSITIONS = arg('--positions', 500);
const SAMPLES = arg('--samples', 60);

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; cat: string; args?: { name?: string } }

benchInBrowser(async (app, browser) => {
  const { api, bars, run } = await storeBookReplay(app, POSITIONS);
  const detail = await api.call('runs.get', { id: run.id });
  const { page, errors } = await openStoredReplay(browser, app);
  // (The page's CSP forbids string predicates in waitForFunction: poll with evaluate.)
  const until = async (expr: string): Promise<void> => {
    for (let i = 0; i < 600 && !(await page.evaluate<boolean>(expr)); i++) await page.waitForTimeout(100);
  };
  await until(`performance.getEntriesByName('replay-open').length > 0`);
  // Start deep in the crash (bar 1,500 ≈ 2020-03-12 01:00 + 25 h): many events up to the cursor.
  const START = Math.min(1500, run.summary.bars - SAMPLES - 2);
  await page.evaluate(`window.__undertowReplay.player.seek(${START})`);
  await until(`document.querySelector('[data-testid=twin]')?.getAttribute('data-index') === '${START}'`);
  // The mouse rests over the positions table (or the twin when it has none).
  const table = page.getByTestId('positions-table');
  await table.scrollIntoViewIfNeeded();
  const box = (await table.boundingBox()) ?? (await page.getByTestId('twin').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + Math.min(60, box.height / 2));
  await page.waitForTimeout(300);

  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'blink', 'blink.user_timing'] });
  const rowsInDom = await page.evaluate<number[]>(`(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const player = window.__undertowReplay.player;
    const twin = document.querySelector('[data-testid=twin]');
    const rows = [];
    for (let i = 0; i < ${SAMPLES}; i++) {
      const want = String(${START} + i + 1);
      const updated = new Promise((resolve) => {
        const mo = new MutationObserver(() => {
          if (twin.getAttribute('data-index') === want) { mo.disconnect(); performance.mark('twin-updated-' + i); resolve(); }
        });
        mo.observe(twin, { attributes: true, attributeFilter: ['data-index'] });
      });
      performance.mark('step-' + i);
      player.step(1);
      await frame();
      await frame();
      await updated;
      await frame();
      await frame();
      await new Promise((resolve) => setTimeout(resolve, 20));
      performance.mark('settled-' + i);
      rows.push(document.querySelectorAll('[data-testid=twin] tbody tr').length);
    }
    return rows;
  })()`);
  const buffer = await browser.stopTracing();
  const shots = process.argv.indexOf('--shots') >= 0 ? process.argv[process.argv.indexOf('--shots') + 1]! : null;
  if (shots) {
    fs.mkdirSync(shots, { recursive: true });
    await page.mouse.move(5, 5);
    await page.screenshot({ path: path.join(shots, 'twin-screen.png') });
    await page.getByTestId('twin').screenshot({ path: path.join(shots, 'twin.png') });
    await page.evaluate(`document.querySelectorAll('[data-testid=twin] [role=region]').forEach((b) => { b.scrollTop = b.scrollHeight; })`);
    await page.waitForTimeout(300);
    await page.getByTestId('twin').screenshot({ path: path.join(shots, 'twin-scrolled-to-end.png') });
  }
  const trace = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  const mainThread = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && x.name.startsWith('twin-updated-')));
  if (!mainThread) throw new Error('no renderer main thread with the marks in the trace');
  const onMain = events.filter((e) => e.pid === mainThread.pid && e.tid === mainThread.tid);
  const mark = (name: string): number => onMain.find((e) => e.name === name)!.ts;
  const tasks = onMain.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.dur !== undefined).sort((a, b) => a.ts - b.ts);
  const PHASES: Record<string, string> = { UpdateLayoutTree: 'style', Layout: 'layout', HitTest: 'hitTest', PrePaint: 'prePaint', Paint: 'paint', Layerize: 'layerize', FunctionCall: 'script', TimerFire: 'timer' };
  const totals: number[] = [];
  const phases: Record<string, number[]> = {};
  const byName: Record<string, number> = {};
  for (let i = 0; i < SAMPLES; i++) {
    const updated = mark(`twin-updated-${i}`);
    const settled = mark(`settled-${i}`);
    // The task that ran the twin's update (its timer) holds the mark; from its start to settled.
    const first = tasks.find((k) => k.ts <= updated && k.ts + k.dur! >= updated);
    const from = first ? first.ts : updated;
    const inWindow = tasks.filter((k) => k.ts >= from && k.ts < settled);
    totals.push(inWindow.reduce((n, k) => n + k.dur!, 0) / 1000);
    const perPhase: Record<string, number> = {};
    for (const e of onMain) {
      if (e.ph === 'X' && e.dur !== undefined && e.ts >= from && e.ts < settled) byName[e.name] = (byName[e.name] ?? 0) + e.dur / 1000 / SAMPLES;
      const phase = PHASES[e.name];
      if (!phase || e.ph !== 'X' || e.dur === undefined || e.ts < from || e.ts >= settled) continue;
      perPhase[phase] = (perPhase[phase] ?? 0) + e.dur / 1000;
    }
    for (const [k, v] of Object.entries(perPhase)) (phases[k] ??= []).push(v);
  }
  const result = {
    window: path.basename(FILE),
    positions: POSITIONS,
    eventsInRun: detail.events.length,
    startBar: START,
    samples: SAMPLES,
    twinUpdateMainThreadMs: quantiles(totals),
    byPhaseMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, quantiles(v)])),
    tableRowsInDom: quantiles(rowsInDom),
    // Mean per update of every trace event in the window, by name (nested events counted in their parents too).
    meanByTraceEventMs: Object.fromEntries(Object.entries(byName).sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => [k, Math.round(v * 100) / 100])),
    note: 'per twin update: main-thread time of the top-level tasks from the one that updated the twin to two frames later (mouse resting over the positions table). Phases can nest (a hit test inside a task), so they need not sum to the total. Headless Chromium, --disable-gpu.',
    pageErrors: errors,
  };
  return result;
});
