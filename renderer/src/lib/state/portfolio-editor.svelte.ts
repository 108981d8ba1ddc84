/**
 * The portfolio being edited: a draft (plain data, the portfolio file's shape), its undo stack,
 * and its validation against the same schema the API uses (field → reason for every rejected
 * value). Saving goes through `portfolios.save`; the API validates again.
 */
import { CommandStack } from '../undo/command-stack';
import { portfolioSchema, type AccountSpec, type PortfolioSpec, type PositionSpec } from '../../../../shared/portfolio';

export type Draft = PortfolioSpec;

/** "accounts.0.positions.1.qty" → reason, from the shared schema. */
export function validateDraft(draft: Draft): Record<string, string> {
  const parsed = portfolioSchema.safeParse(draft);
  const out: Record<string, string> = {};
  if (parsed.success) return out;
  for (const issue of parsed.error.issues) {
    const key = issue.path.join('.');
    out[key] ??= issue.message;
  }
  return out;
}

export function newPosition(existing: readonly PositionSpec[], symbol = 'BTCUSDT', entry = 60000): PositionSpec {
  let n = existing.length + 1;
  while (existing.some((p) => p.id === `p${n}`)) n++;
  return { id: `p${n}`, symbol, side: 'long', qty: 0.1, entry, leverage: 10 };
}

export function newAccount(existing: readonly AccountSpec[]): AccountSpec {
  let n = existing.length + 1;
  while (existing.some((a) => a.id === `a${n}`)) n++;
  return { id: `a${n}`, venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [] };
}

export function blankPortfolio(name = 'New portfolio'): Draft {
  return { name, accounts: [{ id: 'a1', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [] }] };
}

const clone = (d: Draft): Draft => JSON.parse(JSON.stringify(d)) as Draft;

export class PortfolioEditor {
  draft = $state<Draft>(blankPortfolio());
  /** Database id of the portfolio being edited (null: not saved yet). */
  id = $state<number | null>(null);
  dirty = $state(false);
  canUndo = $state(false);
  canRedo = $state(false);
  undoLabel = $state<string | undefined>(undefined);
  redoLabel = $state<string | undefined>(undefined);
  readonly errors = $derived(validateDraft(this.draft));
  private readonly stack = new CommandStack<Draft>();

  /** Start editing a portfolio (clears the history). */
  load(draft: Draft, id: number | null): void {
    this.draft = clone(draft);
    this.id = id;
    this.dirty = false;
    this.stack.clear();
    this.sync();
  }

  /** Apply an edit to a copy of the draft, recorded for undo. */
  edit(label: string, change: (d: Draft) => void, mergeKey?: string): void {
    const before = clone($state.snapshot(this.draft) as Draft);
    const after = clone(before);
    change(after);
    this.stack.record(label, before, after, mergeKey);
    this.draft = after;
    this.dirty = true;
    this.sync();
  }

  /** Ends a run of merged keystrokes (on blur). */
  seal(): void {
    this.stack.seal();
  }

  undo(): string | undefined {
    const r = this.stack.undo();
    if (!r) return undefined;
    this.draft = clone(r.state);
    this.dirty = true;
    this.sync();
    return r.label;
  }

  redo(): string | undefined {
    const r = this.stack.redo();
    if (!r) return undefined;
    this.draft = clone(r.state);
    this.dirty = true;
    this.sync();
    return r.label;
  }

  /** The draft as plain data (for the API). */
  plain(): Draft {
    return clone($state.snapshot(this.draft) as Draft);
  }

  private sync(): void {
    this.canUndo = this.stack.canUndo;
    this.canRedo = this.stack.canRedo;
    this.undoLabel = this.stack.undoLabel;
    this.redoLabel = this.stack.redoLabel;
  }
}
