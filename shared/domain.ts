/**
 * Domain types shared by the backend and the renderer. Plain data only: everything here
 * crosses IPC, HTTP and JSON.
 */

/** Bar sizes a dataset can have, in seconds, and their names. */
export const TIMEFRAMES: Readonly<Record<string, number>> = {
  '1s': 1,
  '1m': 60,
  '3m': 180,
  '5m': 300,
  '15m': 900,
  '30m': 1800,
  '1h': 3600,
  '2h': 7200,
  '4h': 14400,
  '6h': 21600,
  '8h': 28800,
  '12h': 43200,
  '1d': 86400,
  '3d': 259200,
  '1w': 604800,
};

/** "1m" for 60, "4h" for 14400, else "<n>s". */
export function timeframeName(barSeconds: number): string {
  for (const [name, seconds] of Object.entries(TIMEFRAMES)) if (seconds === barSeconds) return name;
  return `${barSeconds}s`;
}

export type Market = 'spot' | 'perp' | 'index' | 'unknown';

/** Where a dataset's rows came from: one entry per imported file. */
export interface DatasetSource {
  fileName: string;
  sha256: string;
  rows: number;
  firstTime: number;
  lastTime: number;
  format: CandleFileFormat;
  importedAt: number;
}

export type CandleFileFormat = 'generic-csv' | 'binance-kline-csv' | 'tradingview-csv';

export interface Dataset {
  id: number;
  /** The user's name for it; null until renamed (show symbol and bar size then). */
  name: string | null;
  symbol: string;
  venue: string | null;
  market: Market;
  /** Bar size in seconds. */
  barSeconds: number;
  /** Open time of the first and last bar, UTC seconds. */
  firstTime: number;
  lastTime: number;
  rows: number;
  /** Runs of missing bars and how many bars they miss (gaps are warnings, never errors). */
  gaps: number;
  missingBars: number;
  /** Price decimals observed in the data (for axis precision until tick sizes are known). */
  priceDecimals: number;
  sources: DatasetSource[];
}

/** Candles in columns: the compact form sent to the chart. Times are bar open, UTC seconds. */
export interface CandleColumns {
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

export interface ImportResult {
  /** The dataset of the first file (most imports have one). */
  dataset: Dataset;
  /** Rows added by this import; 0 when the same content was already stored. */
  added: number;
  /** True when every file's content was already stored: nothing new. */
  alreadyImported: boolean;
  warnings: string[];
  /** Per imported CSV (a zip contributes one entry per CSV inside). */
  files: ImportedFile[];
  /** Every dataset the import created or extended. */
  datasets: Dataset[];
}

export interface ImportedFile {
  fileName: string;
  datasetId: number;
  rows: number;
  added: number;
  alreadyImported: boolean;
}
