/**
 * The job runner: work runs in a worker thread (the caller's event loop stays free), reports
 * progress, returns typed errors, and is cancelled at once, even when the task never yields.
 */
import { describe, expect, it } from 'vitest';
import { runInWorker } from '../../electron/backend/jobs/job-runner';
import { ApiError } from '../../shared/errors';

const entry = new URL('../helpers/workers/test-tasks.ts', import.meta.url);

describe('runInWorker', () => {
  it('returns the result and reports progress', async () => {
    const progress: number[] = [];
    const result = await runInWorker<{ total: number }>('sum', { values: [1, 2, 3, 4] }, { entry, onProgress: (done) => progress.push(done) });
    expect(result).toEqual({ total: 10 });
    expect(progress.at(-1)).toBe(4);
  });

  it('turns a task error into a typed ApiError with its field', async () => {
    const error = await runInWorker('refuse', {}, { entry }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('invalid_input');
    expect((error as ApiError).where.field).toBe('depth');
  });

  it('cancels a task that never yields, while this thread keeps answering', async () => {
    const controller = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const running = runInWorker('forever', {}, {
      entry,
      signal: controller.signal,
      onProgress: () => setTimeout(() => controller.abort(), 100),
    });
    const error = await running.catch((e: unknown) => e);
    clearInterval(timer);
    expect((error as ApiError).code).toBe('cancelled');
    // The busy loop ran in the worker: this event loop ticked meanwhile.
    expect(ticks).toBeGreaterThan(5);
  });

  it('names an unknown task', async () => {
    const error = (await runInWorker('nope', {}, { entry }).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('unknown_method');
  });
});
