/**
 * Datasets as the UI sees them: the stored list, the selection, and imports with their
 * outcome. One owner for this state; components read it and call its methods.
 */
import type { Dataset } from '../../../../shared/domain';
import { timeframeName } from '../../../../shared/domain';
import { ApiError, describeError } from '../../../../shared/errors';
import { formatCount } from '../../../../shared/format';
import type { ClientApi } from '../api/connect';
import { announce } from './status.svelte';

/** A file whose import needs the user to say what it holds (symbol or bar size). */
export interface PendingImport {
  file: File;
  text: string;
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

  constructor(private readonly api: ClientApi) {}

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
      const text = await file.text();
      const ok = await this.importOne(file, text, {});
      if (!ok) return;
    }
  }

  /** Retries the pending import with what the user entered. */
  async completePending(options: { symbol?: string; timeframe?: string }): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    await this.importOne(pending.file, pending.text, options);
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

  private async importOne(file: File, text: string, options: { symbol?: string; timeframe?: string }): Promise<boolean> {
    this.busy = true;
    this.error = null;
    this.status = `Importing ${file.name}…`;
    try {
      const result = await this.api.call('datasets.importText', { fileName: file.name, text, ...options });
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
        this.pending = { file, text, message: error.message, field };
        this.status = `${file.name}: ${error.message}`;
      } else {
        this.error = describeError(error);
        this.status = `Import failed: ${this.error}`;
      }
      return false;
    } finally {
      this.busy = false;
    }
  }
}
