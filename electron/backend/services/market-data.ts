/**
 * Market-data handlers: datasets (list, get, candles with resampling, import, rename,
 * delete), the crash finder and catalog, and import jobs (progress pushes, cancel).
 * The streaming upload route of browser mode enters through `importUpload`.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { uploadParams, type MethodName, type ParsedParams, type PushEvent, type Results } from '../../../shared/contract';
import { timeframeName, type ImportResult } from '../../../shared/domain';
import { ApiError } from '../../../shared/errors';
import { coversEvent } from '../../../shared/market-data';
import type { Db } from '../store/db';
import type { DatasetStore } from '../store/datasets';
import { CRASH_EVENTS } from '../market-data/crash-catalog';
import { BINANCE_PUBLIC_DATA, binanceDailyFiles, fetchFile } from '../market-data/binance-download';
import { largestDrops } from '../market-data/crash-finder';
import { fileSource, ImportJob, memorySource, type ImportOptions, type ImportSource } from '../market-data/import-job';
import { resample, targetBarSeconds } from '../market-data/resample';
import { fromZod } from './backend';

type MarketDataMethod =
  | 'datasets.list'
  | 'datasets.get'
  | 'datasets.candles'
  | 'datasets.importText'
  | 'datasets.importFile'
  | 'datasets.importFiles'
  | 'datasets.delete'
  | 'datasets.rename'
  | 'datasets.crashes'
  | 'crashes.catalog'
  | 'datasets.download'
  | 'imports.cancel';

type MarketDataHandlers = { [M in MarketDataMethod]: (params: ParsedParams<M>) => Results[M] | Promise<Results[M]> };

export interface MarketDataContext {
  db(): Db;
  datasets(): DatasetStore;
  push(event: PushEvent): void;
  now(): number;
  /** Running imports by job id. */
  jobs: Map<string, ImportJob>;
}

/** Most bars `datasets.candles` returns at once; ask for a coarser timeframe or a range beyond. */
export const MAX_BARS_PER_CALL = 2_000_000;
const DEFAULT_CRASH_WINDOWS = [3600, 86400];

export function marketDataHandlers(ctx: MarketDataContext): MarketDataHandlers {
  const requireDataset = (id: number) => {
    const dataset = ctx.datasets().get(id);
    if (!dataset) throw new ApiError('not_found', `no dataset with id ${id}`, { field: 'id' });
    return dataset;
  };
  return {
    'datasets.list': () => ctx.datasets().list(),
    'datasets.get': ({ id }) => requireDataset(id),
    'datasets.candles': ({ id, from, to, timeframe }) => {
      const dataset = requireDataset(id);
      const store = ctx.datasets();
      const bar = timeframe === undefined ? dataset.barSeconds : targetBarSeconds(timeframe, dataset.barSeconds);
      const lo = from ?? 0;
      const hi = to ?? Number.MAX_SAFE_INTEGER;
      const span = Math.min(hi, dataset.lastTime) - Math.max(lo, dataset.firstTime);
      if (span / bar + 1 > MAX_BARS_PER_CALL) {
        throw new ApiError(
          'invalid_input',
          `that is over ${MAX_BARS_PER_CALL.toLocaleString('en-US')} bars of ${timeframeName(bar)}; choose a coarser timeframe or a shorter range`,
          { field: 'timeframe' },
        );
      }
      if (bar === dataset.barSeconds) return store.candles(id, from, to);
      return resample(store.columnBlocks(id, lo, hi), bar);
    },
    'datasets.importText': ({ fileName, text, encoding, ...options }) => {
      const bytes = encoding === 'base64' ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
      return runImport(ctx, [memorySource(fileName, bytes)], options);
    },
    'datasets.importFile': ({ path: file, ...options }) => runImport(ctx, [fileSource(file, path.basename(file))], options),
    'datasets.importFiles': ({ paths, ...options }) =>
      runImport(ctx, paths.map((file) => fileSource(file, path.basename(file))), options),
    'datasets.delete': ({ id }) => {
      const deleted = ctx.datasets().delete(id);
      if (deleted) ctx.push({ type: 'datasets.changed' });
      return { deleted };
    },
    'datasets.rename': ({ id, name }) => {
      requireDataset(id);
      ctx.datasets().rename(id, name === null || name === '' ? null : name);
      ctx.push({ type: 'datasets.changed' });
      return requireDataset(id);
    },
    'datasets.crashes': ({ id, windows, limit }) => {
      const dataset = requireDataset(id);
      const store = ctx.datasets();
      return {
        datasetId: id,
        windows: (windows ?? DEFAULT_CRASH_WINDOWS).map((windowSeconds) => ({
          windowSeconds,
          drops: largestDrops(store.columnBlocks(id), windowSeconds, limit ?? 5),
        })),
        events: CRASH_EVENTS.filter((e) => coversEvent(dataset.firstTime, dataset.lastTime, e)),
      };
    },
    'crashes.catalog': () => [...CRASH_EVENTS],
    'datasets.download': async ({ symbol, market, timeframe, from, to, baseUrl, job }) => {
      const files = binanceDailyFiles(baseUrl ?? BINANCE_PUBLIC_DATA, market, symbol, timeframe, from, to);
      const sources: ImportSource[] = [];
      for (const [i, file] of files.entries()) {
        ctx.push({ type: 'progress', job: job ?? 'download', label: `downloading ${file.name}`, phase: 'reading', done: i, total: files.length, rows: 0, rowsPerSecond: 0, etaSeconds: null });
        // The URL's path (…/futures/um/…) tells the importer the market, as a file path would.
        sources.push({ ...memorySource(file.name, await fetchFile(file)), origin: file.url });
      }
      return runImport(ctx, sources, { venue: 'binance', market, ...(job ? { job } : {}) });
    },
    'imports.cancel': ({ job }) => {
      const running = ctx.jobs.get(job);
      running?.cancel();
      return { cancelled: running !== undefined };
    },
  };
}

async function runImport(
  ctx: MarketDataContext,
  sources: ImportSource[],
  options: ImportOptions & { job?: string },
): Promise<ImportResult> {
  const { job: requested, ...importOptions } = options;
  const id = requested ?? randomUUID();
  if (ctx.jobs.has(id)) throw new ApiError('conflict', `an import with job id ${id} is already running`, { field: 'job' });
  const job = new ImportJob(
    ctx.db(),
    ctx.datasets(),
    id,
    importOptions,
    (p) =>
      ctx.push({
        type: 'progress',
        job: p.job,
        label: p.label,
        phase: p.phase,
        done: p.done,
        total: p.total,
        rows: p.rows,
        rowsPerSecond: p.rowsPerSecond,
        etaSeconds: p.etaSeconds,
      }),
    ctx.now,
  );
  ctx.jobs.set(id, job);
  try {
    const result = await job.run(sources);
    if (!result.alreadyImported) ctx.push({ type: 'datasets.changed' });
    return result;
  } finally {
    ctx.jobs.delete(id);
  }
}

/** Browser mode's streaming upload: the query says what the body is; the body is the file. */
export function importUpload(
  ctx: MarketDataContext,
  query: unknown,
  body: AsyncIterable<Uint8Array>,
  size: number | undefined,
): Promise<ImportResult> {
  const parsed = uploadParams.safeParse(query);
  if (!parsed.success) return Promise.reject(fromZod(parsed.error));
  const { fileName, ...options } = parsed.data;
  const source: ImportSource = { name: path.basename(fileName), size, chunks: () => body };
  return runImport(ctx, [source], options);
}
