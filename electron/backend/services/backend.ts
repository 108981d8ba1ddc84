/**
 * The backend: the application's API as one handler per contract method, composing the
 * store and the market-data importers. Transports (IPC, HTTP, in-process) all call
 * `dispatch`, which validates the payload against the contract before any handler runs and
 * turns every failure into a typed `ApiError`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { methods, isMethodName, type PushEvent } from '../../../shared/contract';
import type { Handlers } from './handler-types';
import { portfolioHandlers } from './portfolios';
import { PortfolioStore } from '../store/portfolios';
import { ApiError } from '../../../shared/errors';
import { openDatabase, schemaVersion, type Db } from '../store/db';
import { DatasetStore } from '../store/datasets';
import { importCandleText } from '../market-data/import-candles';
import { APP_VERSION } from './version';


export interface BackendOptions {
  /** Database file, or ':memory:'. */
  dbPath: string;
  /** Clock for stored timestamps (tests freeze it). */
  now?: () => number;
}

export interface CallContext {
  /** True only for callers holding the user's authority over the file system (main after a dialog, the CLI). */
  trusted: boolean;
}

/** Largest candle file read by `datasets.importFile` until streaming import lands. */
const MAX_FILE_BYTES = 512 * 1024 * 1024;

export class Backend {
  readonly db: Db;
  readonly datasets: DatasetStore;
  readonly portfolios: PortfolioStore;
  private readonly listeners = new Set<(event: PushEvent) => void>();
  private readonly handlers: Handlers;
  private readonly now: () => number;

  constructor(private readonly options: BackendOptions) {
    this.db = openDatabase(options.dbPath);
    this.datasets = new DatasetStore(this.db);
    this.portfolios = new PortfolioStore(this.db);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.handlers = this.createHandlers();
  }

  /** Validates and runs one API call; rejects only with `ApiError`. */
  async dispatch(method: unknown, params: unknown, context: CallContext): Promise<unknown> {
    if (!isMethodName(method)) {
      throw new ApiError('unknown_method', `unknown method ${JSON.stringify(String(method).slice(0, 80))}`);
    }
    const spec = methods[method];
    if (spec.trusted && !context.trusted) {
      throw new ApiError('forbidden', `${method} is not available to this caller`);
    }
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) throw fromZod(parsed.error);
    try {
      const handler = this.handlers[method] as (p: unknown) => unknown;
      return await handler(parsed.data);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      // A bug, not a user error: keep the message, hide the stack from the wire.
      throw new ApiError('internal', `internal error in ${method}: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  subscribe(listener: (event: PushEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }

  private push(event: PushEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private createHandlers(): Handlers {
    return {
      'app.info': () => ({
        name: 'Undertow',
        version: APP_VERSION,
        dbPath: this.options.dbPath,
        schemaVersion: schemaVersion(this.db),
        node: process.versions.node,
      }),
      'datasets.list': () => this.datasets.list(),
      'datasets.get': ({ id }) => this.requireDataset(id),
      'datasets.candles': ({ id, from, to }) => {
        this.requireDataset(id);
        return this.datasets.candles(id, from, to);
      },
      'datasets.importText': ({ fileName, text, ...options }) => {
        const result = importCandleText(this.datasets, fileName, text, options, this.now());
        if (!result.alreadyImported) this.push({ type: 'datasets.changed' });
        return result;
      },
      'datasets.importFile': ({ path: file, ...options }) => {
        const text = readCandleFile(file);
        const result = importCandleText(this.datasets, path.basename(file), text, options, this.now());
        if (!result.alreadyImported) this.push({ type: 'datasets.changed' });
        return result;
      },
      'datasets.delete': ({ id }) => {
        const deleted = this.datasets.delete(id);
        if (deleted) this.push({ type: 'datasets.changed' });
        return { deleted };
      },
      ...portfolioHandlers(this.portfolios, this.now),
    };
  }

  private requireDataset(id: number) {
    const dataset = this.datasets.get(id);
    if (!dataset) throw new ApiError('not_found', `no dataset with id ${id}`, { field: 'id' });
    return dataset;
  }
}

function readCandleFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new ApiError('not_found', 'no such file', { file });
  }
  if (!stat.isFile()) throw new ApiError('invalid_input', 'not a regular file', { file });
  if (stat.size > MAX_FILE_BYTES) {
    throw new ApiError('invalid_input', `file is ${stat.size} bytes; the limit is ${MAX_FILE_BYTES}`, { file });
  }
  return fs.readFileSync(file, 'utf8');
}

/** The first schema problem, with the field path named. */
export function fromZod(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const message = issue ? issue.message : 'invalid request';
  return new ApiError('bad_request', field ? `${field}: ${message}` : message, field ? { field } : {});
}
