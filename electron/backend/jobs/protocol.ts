/** Messages between the job runner and a worker thread. */

export interface JobRequest {
  task: string;
  input: unknown;
}

export type JobMessage =
  | { type: 'progress'; done: number; total: number; label: string }
  | { type: 'done'; output: unknown }
  | { type: 'error'; code: string; message: string; field?: string };

/** What a task function receives besides its input. */
export interface TaskContext {
  progress(done: number, total: number, label: string): void;
}

export type TaskFunction = (input: never, context: TaskContext) => unknown;
