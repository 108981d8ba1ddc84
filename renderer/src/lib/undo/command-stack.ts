/**
 * The app-level undo/redo stack: a pure command stack over immutable snapshots. Each edit is
 * recorded with a label ("Change qty of p1"); undo and redo move between snapshots; a new
 * edit after an undo drops the redo branch; edits with the same `mergeKey` in a row (typing
 * into one field) merge into one step. No DOM, no Svelte: unit-tested in test/unit/what-if.
 */

export interface UndoEntry<T> {
  readonly label: string;
  readonly before: T;
  readonly after: T;
  readonly mergeKey?: string;
}

export interface CommandStackState<T> {
  readonly past: readonly UndoEntry<T>[];
  readonly future: readonly UndoEntry<T>[];
}

export class CommandStack<T> {
  private past: UndoEntry<T>[] = [];
  private future: UndoEntry<T>[] = [];

  constructor(private readonly limit = 200) {}

  /** Record an edit from `before` to `after`. Returns `after`. */
  record(label: string, before: T, after: T, mergeKey?: string): T {
    const last = this.past[this.past.length - 1];
    if (mergeKey !== undefined && last && last.mergeKey === mergeKey && this.future.length === 0) {
      this.past[this.past.length - 1] = { label, before: last.before, after, mergeKey };
    } else {
      this.past.push({ label, before, after, ...(mergeKey !== undefined ? { mergeKey } : {}) });
      if (this.past.length > this.limit) this.past.shift();
    }
    this.future = [];
    return after;
  }

  /** The state before the last edit, or undefined when there is nothing to undo. */
  undo(): { state: T; label: string } | undefined {
    const entry = this.past.pop();
    if (!entry) return undefined;
    this.future.push(entry);
    return { state: entry.before, label: entry.label };
  }

  /** The state after the last undone edit, or undefined when there is nothing to redo. */
  redo(): { state: T; label: string } | undefined {
    const entry = this.future.pop();
    if (!entry) return undefined;
    this.past.push(entry);
    return { state: entry.after, label: entry.label };
  }

  /** Stops merging: the next edit starts a new step even with the same merge key. */
  seal(): void {
    const last = this.past[this.past.length - 1];
    if (last?.mergeKey !== undefined) this.past[this.past.length - 1] = { label: last.label, before: last.before, after: last.after };
  }

  clear(): void {
    this.past = [];
    this.future = [];
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** Label of the edit that undo would revert. */
  get undoLabel(): string | undefined {
    return this.past[this.past.length - 1]?.label;
  }

  get redoLabel(): string | undefined {
    return this.future[this.future.length - 1]?.label;
  }

  snapshot(): CommandStackState<T> {
    return { past: [...this.past], future: [...this.future] };
  }
}

/** The key a keyboard event means: Ctrl/Cmd+Z undo, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redo. */
export function undoShortcut(event: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }): 'undo' | 'redo' | null {
  if (event.altKey || !(event.ctrlKey || event.metaKey)) return null;
  const key = event.key.toLowerCase();
  if (key === 'z') return event.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && event.ctrlKey && !event.shiftKey) return 'redo';
  return null;
}
