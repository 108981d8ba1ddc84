/**
 * The validation and design-lab services through the in-process API (JSON in and out, as over a
 * wire) with the engine in worker threads, on the six real crash windows read in place: progress
 * pushes for the caller's job, cancel (nothing stored), concurrent calls sharing one computation,
 * stored results returned again unchanged, the design matrix's shape and its amplification
 * re-derived from each cell's moves, a cell opened as a replay run that agrees with its matrix
 * cell and is stored once, and errors by field. Not covered: the model's numbers (unit tests)
 * and the screens (e2e). No wall-clock assertions.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { createInProcessApi } from '../../electron/backend/services/in-process';
import type { Api, PushEvent } from '../../shared/contract';
import { ApiError } from '../../shared/errors';
import { tempDir } from '../helpers/temp';

const dir = tempDir();
const backends: Backend[] = [];
afterAll(() => backends.forEach((b) => b.close()));

function fresh(name: string): Api & { pushes: PushEvent[] } {
  const backend = new Backend({ dbPath: path.join(dir, `${name}.db`), now: () => 1_700_000_000 });
  backends.push(backend);
  const api = createInProcessApi(backend, { trusted: false });
  const pushes: PushEvent[] = [];
  api.subscribe((e) => pushes.push(e));
  return Object.assign(api, { pushes });
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('validation.run', () => {
  it('cancel stops the worker: the call rejects as cancelled and nothing is stored', async () => {
    const api = fresh('cancel');
    api.subscribe((e) => {
      if (e.type === 'progress' && e.job === 'v-cancel' && e.done === 1) void api.call('validation.cancel', { job: 'v-cancel' });
    });
    const err = await rejection(api.call('validation.run', { job: 'v-cancel' }));
    expect(err.code).toBe('cancelled');
    // Nothing stored: a fresh database's first run would be #1 (runs.list leaves validation runs out).
    expect((await rejection(api.call('runs.get', { id: 1 }))).code).toBe('not_found');
    // A job that is not running is not cancelled.
    expect(await api.call('validation.cancel', { job: 'v-cancel' })).toEqual({ cancelled: false });
    // The next call computes afresh (progress for its job) and stores run #1.
    const report = await api.call('validation.run', { job: 'v-after' });
    expect(api.pushes.some((e) => e.type === 'progress' && e.job === 'v-after')).toBe(true);
    expect(report.runId).toBe(1);
  });

  it('reports progress for the caller’s job, stores the report once, and returns it again unchanged', async () => {
    const api = fresh('run');
    const [a, b] = await Promise.all([api.call('validation.run', { job: 'v-1' }), api.call('validation.run', {})]);
    // Concurrent callers share one computation and one stored run.
    expect(b).toEqual(a);
    expect((await api.call('runs.get', { id: a.runId })).run.kind).toBe('validation');
    expect((await rejection(api.call('runs.get', { id: a.runId + 1 }))).code).toBe('not_found');
    const progress = api.pushes.filter((e): e is Extract<PushEvent, { type: 'progress' }> => e.type === 'progress' && e.job === 'v-1');
    expect(progress.length).toBeGreaterThan(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
    // Six events, three calibrated and three out of sample, as the catalog says; the score counts them.
    expect(a.events.map((e) => e.sample).sort()).toEqual(['in', 'in', 'in', 'out', 'out', 'out']);
    expect(a.score.within2x).toBe(a.events.filter((e) => e.within2x).length);
    expect(a.score.within2xOutOfSample).toBe(a.events.filter((e) => e.within2x && e.sample === 'out').length);
    for (const e of a.events) {
      expect(e.ratio).toBeCloseTo(e.estimate.estimated.total / e.observed.btcNotional, 12);
      expect(e.within2x).toBe(e.ratio >= 0.5 && e.ratio <= 2);
      expect(e.estimate.series.time.length).toBe(e.estimate.series.long.length);
    }
    // Asked again: the stored report, the same bits, no new run.
    const before = api.pushes.length;
    expect(await api.call('validation.run', { job: 'v-2' })).toEqual(a);
    expect(api.pushes.slice(before).filter((e) => e.type === 'progress' && e.job === 'v-2')).toEqual([]);
    expect((await rejection(api.call('runs.get', { id: a.runId + 1 }))).code).toBe('not_found');
  });

  it('lists the assumptions, the circuit-breaker finding among them', async () => {
    const api = fresh('assumptions');
    const list = await api.call('validation.assumptions', {});
    expect(list.find((a) => a.topic === 'Circuit breakers (finding)')?.text).toContain('nothing is liquidated while halted');
  });
});

describe('design.run and design.openCell', () => {
  const api = fresh('design');

  it('runs every mechanism on every event in a worker, amplification from each cell’s own moves', async () => {
    const m = await api.call('design.run', { job: 'd-1' });
    expect(m.cells).toHaveLength(m.mechanisms.length * m.events.length);
    expect(m.events).toHaveLength(6);
    for (const c of m.cells) {
      expect(c.amplification).toBeCloseTo(Math.abs(c.effectiveMove) / Math.abs(c.exogenousMove), 12);
      expect(c.liquidatedNotional).toBeCloseTo(c.liquidatedLong + c.liquidatedShort, 3);
    }
    expect(api.pushes.some((e) => e.type === 'progress' && e.job === 'd-1' && e.done === e.total)).toBe(true);
    // The design lab needs the validation's fitted parameters, so both are stored (runs.list leaves them out).
    expect((await api.call('runs.get', { id: m.runId })).run.kind).toBe('design');
    expect(await api.call('runs.list', {})).toEqual([]);
    expect(await api.call('design.run', {})).toEqual(m);
  });

  it('opens a cell as a stored replay run that agrees with its matrix cell, once', async () => {
    const m = await api.call('design.run', {});
    const cell = m.cells.find((c) => c.eventId === '2022-11-08' && c.mechanismId === 'breaker-5-5-15')!;
    const run = await api.call('design.openCell', { eventId: cell.eventId, mechanismId: cell.mechanismId, job: 'c-1' });
    expect(run.kind).toBe('replay');
    expect(run.name).toContain('Design: 2022-11-08 × Halt at −5% over 5 min for 15 min');
    const detail = await api.call('runs.get', { id: run.id });
    expect((detail.run.summary as unknown as { designOutcome: unknown }).designOutcome).toEqual(cell);
    const again = await api.call('design.openCell', { eventId: cell.eventId, mechanismId: cell.mechanismId });
    expect(again.id).toBe(run.id);
    expect((await api.call('runs.list', {})).filter((r) => r.kind === 'replay')).toHaveLength(1);
  });

  it('names the field of a bad cell', async () => {
    const unknown = await rejection(api.call('design.openCell', { eventId: '2022-11-08', mechanismId: 'no-such-thing' }));
    expect(unknown.code).toBe('not_found');
    expect(unknown.where.field).toBe('mechanismId');
    const noEvent = await rejection(api.call('design.openCell', { eventId: '1999-01-01', mechanismId: 'baseline' }));
    expect(noEvent.where.field).toBe('eventId');
    const malformed = await rejection(api.call('design.openCell', { eventId: 'yesterday', mechanismId: 'baseline' }));
    expect(malformed.code).toBe('bad_request');
  });
});
