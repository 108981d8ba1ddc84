/**
 * Progress of one backend job: its id, the progress pushes filtered by that id, and cancel.
 * Engine jobs cancel through `jobs.cancel`; a domain with its own cancel method passes it.
 */
import type { ClientApi } from '../api/connect';

export class JobProgress {
  job = $state<string | null>(null);
  done = $state(0);
  total = $state(0);
  label = $state('');

  constructor(
    private readonly api: ClientApi,
    private readonly cancelJob: (job: string) => Promise<unknown> = (job) => api.call('jobs.cancel', { job }),
  ) {}

  get running(): boolean {
    return this.job !== null;
  }

  /** Start following a new job id; returns the id to send with the request. */
  start(prefix: string): string {
    this.job = `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
    this.done = 0;
    this.total = 0;
    this.label = 'starting…';
    return this.job;
  }

  /** Subscribe to pushes; returns the unsubscribe function. */
  listen(): () => void {
    return this.api.subscribe((event) => {
      if (event.type === 'progress' && event.job === this.job) {
        this.done = event.done;
        this.total = event.total;
        this.label = event.label;
      }
    });
  }

  async cancel(): Promise<void> {
    if (this.job) await this.cancelJob(this.job);
  }

  finish(): void {
    this.job = null;
  }
}
