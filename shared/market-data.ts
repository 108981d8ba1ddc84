/** Market-data types shared by the backend and the renderer: crash finder and crash catalog. */

/** One drop found by the crash finder: from a bar's close to the lowest low within the window. */
export interface CrashDrop {
  windowSeconds: number;
  /** Open time of the bar whose close starts the drop (UTC seconds), and that close. */
  fromTime: number;
  fromPrice: number;
  /** Open time of the bar with the lowest low, and that low. */
  toTime: number;
  toPrice: number;
  /** (fromPrice − toPrice) / fromPrice, a fraction. */
  drop: number;
}

/** A reported figure about a known crash, with where it was reported. */
export interface CrashFact {
  label: string;
  value: string;
  source: string;
}

/** A known crash event of the built-in catalog (`resources/crashes/catalog.json`). */
export interface CrashEvent {
  id: string;
  title: string;
  /** First and last day of the event window, YYYY-MM-DD, UTC. */
  from: string;
  to: string;
  description: string;
  facts: CrashFact[];
}

export interface CrashReport {
  datasetId: number;
  windows: { windowSeconds: number; drops: CrashDrop[] }[];
  /** Catalog events whose window the dataset covers (at least in part). */
  events: CrashEvent[];
}

/** Whether a dataset spanning [firstTime, lastTime] (UTC seconds) covers part of an event. */
export function coversEvent(firstTime: number, lastTime: number, event: CrashEvent): boolean {
  const from = Date.parse(`${event.from}T00:00:00Z`) / 1000;
  const to = Date.parse(`${event.to}T00:00:00Z`) / 1000 + 86400;
  return firstTime < to && lastTime >= from;
}

/** Progress of one import, as the backend pushes it and the UI shows it. */
export interface ImportProgress {
  job: string;
  label: string;
  phase: 'reading' | 'storing' | 'done' | 'failed' | 'cancelled';
  /** Bytes read and expected (0 when unknown). */
  done: number;
  total: number;
  rows: number;
  rowsPerSecond: number;
  /** Seconds left, when the total is known. */
  etaSeconds: number | null;
}
