/**
 * The backend: the application's API as one handler per contract method, composing the
 * store and the market-data importers. Transports (IPC, HTTP, in-process) all call
 * `dispatch`, which validates the payload against the contract before any handler runs and
 * turns every failure into a typed `ApiError`.
 */
import { z } from 'zod';
import { methods, isMethodName, type PushEvent } from '../../../shared/contract';
import type { Handlers } from './handler-types';
import { portfolioHandlers } from './portfolios';
import { PortfolioStore } from '../store/portfolios';
import { RunStore } from '../store/runs';
import { runHandlers, type RunContext } from './runs';
import { validationHandlers } from './validation';
import { whatIfHandlers } from './what-if';
import { liquidationMapHandlers } from './liquidation-map';
import { shippedRules } from './venue-tables';
import { ApiError } from '../../../shared/errors';
import { openDatabase, schemaVersion, type Db } from '../store/db';
import { storageError } from '../store/backup';
import { DatasetStore } from '../store/datasets';
import { marketDataHandlers, importUpload, type MarketDataContext } from './market-data';
import type { ImportResult } from '../../../shared/domain';
import { APP_VERSION } from './version';


export interface BackendOptions {
  /** Database file, or ':memory:'. */
  dbPath: string;
  /** Clock for stored timestamps (tests freeze it). */
  now?: () => number;
  /** better-sqlite3 addon built for this runtime's ABI (Electron); default: node_modules' build. */
  nativeBinding?: string;
}

export interface CallContext {
  /** True only for callers holding the user's authority over the file system (main after a dialog, the CLI). */
  trusted: boolean;
}

export class Backend {
  readonly db: Db;
  readonly datasets: DatasetStore;
  readonly portfolios: PortfolioStore;
  readonly runs: RunStore;
  private readonly listeners = new Set<(event: PushEvent) => void>();
  private readonly handlers: Handlers;
  private readonly now: () => number;

  constructor(private readonly options: BackendOptions) {
    this.db = openDatabase(options.dbPath, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    this.datasets = new DatasetStore(this.db);
    this.portfolios = new PortfolioStore(this.db);
    this.runs = new RunStore(this.db);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.handlers = this.createHandlers();
  }

  /** Validates and runs one API call; rejects only with `ApiError`. */
  async dispatch(method: unknown, params: unknown, context: CallContext): Promise<unknown> {
    if (!isMethodName(method)) {
      // Name only a string: String() of a hostile value (deep arrays, `{"toString":1}`) throws.
      const name = typeof method === 'string' ? JSON.stringify(method.slice(0, 80)) : `(a ${Array.isArray(method) ? 'array' : typeof method}, not a name)`;
      throw new ApiError('unknown_method', `unknown method ${name}`, { field: 'method' });
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
      // Disk full, read-only or corrupt file: the user's to fix, and the transaction stored nothing.
      const storage = storageError(err, this.options.dbPath);
      if (storage) throw storage;
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

  /** Market-data state shared by its handlers and the streaming upload route. */
  private readonly marketData: MarketDataContext = {
    db: () => this.db,
    datasets: () => this.datasets,
    push: (event) => this.push(event),
    now: () => this.now(),
    jobs: new Map(),
  };

  /** Streams an uploaded file (browser mode's `POST /api/upload`) into the importer. */
  importUpload(query: unknown, body: AsyncIterable<Uint8Array>, size: number | undefined): Promise<ImportResult> {
    return importUpload(this.marketData, query, body, size);
  }

  private push(event: PushEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private createHandlers(): Handlers {
    const runContext: RunContext = {
      datasets: this.datasets,
      portfolios: this.portfolios,
      runs: this.runs,
      now: this.now,
      push: (event) => this.push(event),
      rules: shippedRules,
    };
    const runs = runHandlers(runContext);
    return {
      'app.info': () => ({
        name: 'Undertow',
        version: APP_VERSION,
        dbPath: this.options.dbPath,
        schemaVersion: schemaVersion(this.db),
        node: process.versions.node,
      }),
      ...marketDataHandlers(this.marketData),
      ...portfolioHandlers(this.portfolios, this.now),
      ...runs,
      ...whatIfHandlers({ ...runContext, cancelOther: runs['jobs.cancel'] }),
      ...liquidationMapHandlers({ datasets: this.datasets, runs: this.runs }),
      ...validationHandlers({ runs: this.runs, now: this.now, push: (event) => this.push(event), rules: shippedRules }),
    };
  }

}

/** The first schema problem, with the field path named. */
export function fromZod(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const message = issue ? issue.message : 'invalid request';
  return new ApiError('bad_request', field ? `${field}: ${message}` : message, field ? { field } : {});
}
