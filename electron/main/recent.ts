/**
 * File ▸ Recent: the datasets and runs the user opened last, in our own JSON file
 * (`userData/recent.json`), not the OS's recent-documents list (which Linux lacks and which
 * holds files, while ours are database rows). Newest first, no duplicates, at most
 * `MAX_RECENT`. What is read back is validated entry by entry; a corrupt file is an empty list.
 *
 * Main learns what was opened from the replies it relays (`recentFromReply`), never by
 * asking the renderer, so a page cannot write arbitrary entries.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RecentItem } from '../../shared/bridge';

export const RECENT_FILE = 'recent.json';
export const MAX_RECENT = 10;
const MAX_LABEL = 120;

function parseItem(value: unknown): RecentItem | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.kind !== 'dataset' && v.kind !== 'run') return null;
  if (typeof v.id !== 'number' || !Number.isSafeInteger(v.id) || v.id <= 0) return null;
  if (typeof v.label !== 'string' || v.label.trim() === '') return null;
  return { kind: v.kind, id: v.id, label: v.label.slice(0, MAX_LABEL) };
}

export function parseRecent(value: unknown): RecentItem[] {
  if (!Array.isArray(value)) return [];
  const items: RecentItem[] = [];
  for (const entry of value) {
    const item = parseItem(entry);
    if (item && !items.some((i) => i.kind === item.kind && i.id === item.id)) items.push(item);
    if (items.length === MAX_RECENT) break;
  }
  return items;
}

/** The list with `item` first (moved there if present), trimmed to `MAX_RECENT`. */
export function withRecent(list: readonly RecentItem[], item: RecentItem): RecentItem[] {
  return [item, ...list.filter((i) => !(i.kind === item.kind && i.id === item.id))].slice(0, MAX_RECENT);
}

/**
 * The recent entry a successful relayed reply names, if any: a run opened or computed
 * (`runs.get`, `runs.replay`, `runs.shock`), a dataset imported.
 */
export function recentFromReply(method: string, result: unknown): RecentItem | null {
  const r = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
  const run = method === 'runs.get' ? r.run : method === 'runs.replay' || method === 'runs.shock' ? r : undefined;
  if (run) {
    const v = run as { id?: unknown; name?: unknown };
    return parseItem({ kind: 'run', id: v.id, label: typeof v.name === 'string' ? v.name : `Run ${String(v.id)}` });
  }
  if (method === 'datasets.importFile' || method === 'datasets.importText') {
    const d = (r.dataset ?? {}) as { id?: unknown; symbol?: unknown; barSeconds?: unknown; name?: unknown };
    const bar = typeof d.barSeconds === 'number' ? barLabel(d.barSeconds) : '';
    const label = typeof d.name === 'string' && d.name ? d.name : `${typeof d.symbol === 'string' ? d.symbol : 'Dataset'} ${bar}`.trim();
    return parseItem({ kind: 'dataset', id: d.id, label });
  }
  return null;
}

function barLabel(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** The recent list kept in `userDataDir`; `add` persists at once and tells `onChange`. */
export class RecentList {
  private items: RecentItem[];
  private readonly file: string;

  constructor(
    userDataDir: string,
    private readonly onChange: (items: readonly RecentItem[]) => void = () => {},
  ) {
    this.file = path.join(userDataDir, RECENT_FILE);
    let parsed: unknown = [];
    try {
      parsed = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      parsed = [];
    }
    this.items = parseRecent(parsed);
  }

  get list(): readonly RecentItem[] {
    return this.items;
  }

  add(item: RecentItem): void {
    const next = withRecent(this.items, item);
    if (JSON.stringify(next) === JSON.stringify(this.items)) return;
    this.items = next;
    this.persist();
    this.onChange(this.items);
  }

  clear(): void {
    this.items = [];
    this.persist();
    this.onChange(this.items);
  }

  private persist(): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(temp, JSON.stringify(this.items));
      fs.renameSync(temp, this.file);
    } catch (err) {
      console.warn(`Undertow: cannot save the recent list: ${(err as Error).message}`);
    }
  }
}
