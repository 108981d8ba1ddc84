/**
 * The worker side: receives one JobRequest, runs the named task, posts progress and the
 * result (or a typed error). Shared by the app's task worker and test workers.
 */
import { parentPort } from 'node:worker_threads';
import { ApiError } from '../../../shared/errors';
import type { JobMessage, JobRequest, TaskContext, TaskFunction } from './protocol';

export function serveTasks(tasks: Record<string, TaskFunction>): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks must run in a worker thread');
  port.once('message', async (request: JobRequest) => {
    const post = (message: JobMessage): void => port.postMessage(message);
    const task = tasks[request.task];
    if (!task) {
      post({ type: 'error', code: 'unknown_method', message: `no task "${request.task}"` });
      return;
    }
    let lastPost = 0;
    const context: TaskContext = {
      progress(done, total, label) {
        // At most ~20 messages a second, plus the last one.
        const now = performance.now();
        if (done < total && now - lastPost < 50) return;
        lastPost = now;
        post({ type: 'progress', done, total, label });
      },
    };
    try {
      const output = await (task as (input: unknown, context: TaskContext) => unknown)(request.input, context);
      post({ type: 'done', output });
    } catch (err) {
      if (err instanceof ApiError) post({ type: 'error', code: err.code, message: err.message, ...(err.where.field ? { field: err.where.field } : {}) });
      else post({ type: 'error', code: 'internal', message: (err as Error)?.stack ?? String(err) });
    }
  });
}
