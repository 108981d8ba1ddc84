/**
 * Runs long engine work in a worker thread, so the process that answers the UI never blocks.
 * One worker per job; cancelling terminates it at once (the engine holds no resources that
 * need closing, and nothing is stored until a job returns). Progress is throttled by the task.
 */
import { Worker } from 'node:worker_threads';
import { ApiError, type ErrorCode, ERROR_CODES } from '../../../shared/errors';
import type { JobMessage, JobRequest } from './protocol';

export interface RunOptions {
  onProgress?: (done: number, total: number, label: string) => void;
  signal?: AbortSignal;
  /** Worker module; default: the app's task worker. Tests pass their own. */
  entry?: URL;
}

const fromSource = import.meta.url.endsWith('.ts');

/** The task worker next to this module: source (.ts, through tsx) or built (out/main/worker.js). */
function defaultEntry(): URL {
  return fromSource ? new URL('./worker-entry.ts', import.meta.url) : new URL('./worker.js', import.meta.url);
}

function startWorker(entry: URL): Worker {
  if (entry.pathname.endsWith('.ts')) {
    return new Worker(new URL('./ts-worker-boot.mjs', import.meta.url), { workerData: { entry: entry.href } });
  }
  return new Worker(entry);
}

export function runInWorker<T>(task: string, input: unknown, options: RunOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (options.signal?.aborted) return reject(new ApiError('cancelled', `${task} was cancelled`));
    const worker = startWorker(options.entry ?? defaultEntry());
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => finish(() => reject(new ApiError('cancelled', `${task} was cancelled`)));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: JobMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.done, message.total, message.label);
      else if (message.type === 'done') finish(() => resolve(message.output as T));
      else {
        const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(message.code) ? (message.code as ErrorCode) : 'internal';
        finish(() => reject(new ApiError(code, message.message, message.field ? { field: message.field } : {})));
      }
    });
    worker.on('error', (err) => finish(() => reject(new ApiError('internal', `${task} failed in its worker: ${err.message}`))));
    worker.on('exit', (code) => finish(() => reject(new ApiError('internal', `${task} worker exited (${code}) without a result`))));
    const request: JobRequest = { task, input };
    worker.postMessage(request);
  });
}
