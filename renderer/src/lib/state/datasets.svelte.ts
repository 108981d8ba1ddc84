/**
 * Datasets as the UI sees them: the stored list, the selection, and imports with their
 * outcome. One owner for this state; components read it and call its methods.
 */
import type { Dataset } from '../../../../shared/domain';
import type { CrashReport } from '../../../../shared/market-data';
import { uploadFile } from '../../features/datasets/upload';
import { timeframeName } from '../../../../shared/domain';
import { ApiError, describeError } from '../../../../shared/errors';
import { formatCount } from '../../../../shared/format';
import type { ClientApi } from '../api/connect';
import type { ImportProgress } from '../../../../shared/market-data';
import { announce } from './status.svelte';

/** A file whose import needs the user to say what it holds (symbol or bar size). */
export interface PendingImport {
  file: File;
  message: string;
  field: 'symbol' | 'timeframe';
}

export class DatasetsState {
  list = $state<Dataset[]>([]);
  selectedId = $state<number | null>(null);
  selected = $derived(this.list.find((d) => d.id === this.selectedId) ?? null);
  busy = $state(false);
  /** Last outcome; also announced on the app's status line. */
  #status = $state('Ready.');
  get status(): string {
    return this.#status;
  }
  set status(text: string) {
    this.#status = text;
    announce(text);
  }
  error = $state<string | null>(null);
  pending = $state<PendingImport | null>(null);
  /** The running import, as the backend reports it (null when none). */
  progress = $state<ImportProgress | null>(null);
  /** A time range the chart should show (set by the crash finder), with its timeframe. */
  focus = $state<{ from: number; to: number; seq: number } | null>(null);
  private focusSeq = 0;

  constructor(private readonly api: ClientApi) {
    api.subscribe((event) => {
      if (event.type !== 'progress' || !this.progress || event.job !== this.progress.job) return;
      this.progress = {
        job: event.job,
        label: event.label,
        phase: event.phase ?? 'reading',
        done: event.done,
        total: event.total,
        rows: event.rows ?? 0,
        rowsPerSecond: event.rowsPerSecond ?? 0,
        etaSeconds: event.etaSeconds ?? null,
      };
    });
  }

  /** Asks the backend to stop the running import; it then stores nothing. */
  async cancelImport(): Promise<void> {
    if (this.progress) await this.api.call('imports.cancel', { job: this.progress.job });
  }

  async rename(id: number, name: string): Promise<void> {
    await this.api.call('datasets.rename', { id, name: name.trim() === '' ? null : name.trim() });
    await this.refresh();
  }

  crashes(id: number): Promise<CrashReport> {
    return this.api.call('datasets.crashes', { id, windows: [3600, 86400], limit: 5 });
  }

  /** Moves the chart to [from, to] (UTC seconds). */
  showRange(from: number, to: number): void {
    this.focus = { from, to, seq: ++this.focusSeq };
  }

  async refresh(): Promise<void> {
    this.list = await this.api.call('datasets.list', {});
    if (this.selectedId !== null && !this.list.some((d) => d.id === this.selectedId)) this.selectedId = null;
  }

  select(id: number): void {
    this.selectedId = id;
  }

  /** Imports files one after another; stops at the first that fails and says why. */
  async importFiles(files: readonly File[]): Promise<void> {
    for (const file of files) {
      const ok = await this.importOne(file, {});
      if (!ok) return;
    }
  }

  /** Retries the pending import with what the user entered. */
  async completePending(options: { symbol?: string; timeframe?: string }): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    await this.importOne(pending.file, options);
  }

  cancelPending(): void {
    this.pending = null;
    this.status = 'Import cancelled.';
  }

  async remove(id: number): Promise<void> {
    await this.api.call('datasets.delete', { id });
    await this.refresh();
    this.status = `Dataset ${id} deleted.`;
  }

  private async importOne(file: File, options: { symbol?: string; timeframe?: string }): Promise<boolean> {
    this.busy = true;
    this.error = null;
    this.status = `Importing ${file.name}…`;
    const job = `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.progress = { job, label: file.name, phase: 'reading', done: 0, total: file.size, rows: 0, rowsPerSecond: 0, etaSeconds: null };
    try {
      const result = await uploadFile(this.api, file, { ...options, job });
      await this.refresh();
      const d = result.dataset;
      this.selectedId = d.id;
      this.status = result.alreadyImported
        ? `${file.name} was already imported (dataset ${d.id}); nothing new stored.`
        : `Imported ${file.name}: ${d.symbol} ${timeframeName(d.barSeconds)}, ${formatCount(result.added)} rows.` +
          (result.warnings.length ? ` ${result.warnings.join('; ')}` : '');
      return true;
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError('internal', String(err));
      const field = error.where.field;
      if (error.code === 'invalid_input' && (field === 'symbol' || field === 'timeframe') && error.where.line === undefined) {
        this.pending = { file, message: error.message, field };
        this.status = `${file.name}: ${error.message}`;
      } else if (error.code === 'cancelled') {
        this.status = `Import of ${file.name} cancelled; nothing was stored.`;
      } else {
        this.error = describeError(error);
        this.status = `Import failed: ${this.error}`;
      }
      return false;
    } finally {
      this.busy = false;
      this.progress = null;
    }
  }
}

export type { ImportProgress };
