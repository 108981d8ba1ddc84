/**
 * The one API contract between the renderer (or CLI, or tests) and the backend.
 *
 * Each method has a params schema (validated at the backend boundary, whatever the
 * transport) and a result type. Methods marked `trusted` take file-system paths and are
 * refused when they arrive from the renderer or over HTTP: only the Electron main process
 * (after a native dialog) and the in-process CLI may call them.
 */
import { z } from 'zod';
import type { CandleColumns, Dataset, ImportResult } from './domain';
import type { CrashEvent, CrashReport } from './market-data';
import { exactlyOnePortfolio, id, jobId, portfolioChoice, symbol, unixSeconds, userRules } from './fields';
import { portfolioSchema, accountFieldsSchema, type PortfolioSummary, type StoredPortfolio } from './portfolio';
import { scenarioSchema, seedSchema, shockSchema } from './scenario';
import type { LiquidationMapResult, MarginReport, RunDetail, RunInfo } from './runs';
import { LIQUIDITY, type DesignMatrixInfo, type LendingCheckInfo, type RobustnessInfo, type StoredFitInfo, type ValidationReportInfo } from './validation';
import { whatIfMetricsParams, whatIfMonteCarloParams, whatIfShockParams, whatIfSweepParams, type WhatIfMetrics } from './what-if';

const timeframe = z
  .string()
  .trim()
  .regex(/^\d{1,5}[smhdw]$/, 'like 1m, 5m, 1h or 1d');
const fileName = z.string().min(1).max(255);

/** Largest text accepted by `datasets.importText` (characters). */
export const MAX_IMPORT_TEXT = 256 * 1024 * 1024;

const importOptions = {
  symbol: symbol.optional(),
  timeframe: timeframe.optional(),
  venue: z.string().trim().min(1).max(40).optional(),
  market: z.enum(['spot', 'perp', 'index', 'unknown']).optional(),
  job: jobId.optional(),
};

/** Query of the browser-mode streaming upload route `POST /api/upload?fileName=…` (body: the file). */
export const uploadParams = z.object({ fileName, ...importOptions }).strict();

/** Largest crash-finder window: 30 days. */
const crashWindow = z.number().int().min(60).max(30 * 86400);

export const methods = {
  'app.info': { params: z.object({}).strict(), trusted: false },
  'datasets.list': { params: z.object({}).strict(), trusted: false },
  'datasets.get': { params: z.object({ id }).strict(), trusted: false },
  'datasets.candles': {
    params: z.object({ id, from: unixSeconds.optional(), to: unixSeconds.optional(), timeframe: timeframe.optional() }).strict(),
    trusted: false,
  },
  'datasets.importText': {
    params: z
      .object({ fileName, text: z.string().max(MAX_IMPORT_TEXT), encoding: z.enum(['utf8', 'base64']).optional(), ...importOptions })
      .strict(),
    trusted: false,
  },
  'datasets.importFile': {
    params: z.object({ path: z.string().min(1).max(4096), ...importOptions }).strict(),
    trusted: true,
  },
  'datasets.delete': { params: z.object({ id }).strict(), trusted: false },
  'datasets.importFiles': {
    params: z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000), ...importOptions }).strict(),
    trusted: true,
  },
  'datasets.rename': { params: z.object({ id, name: z.string().trim().max(100).nullable() }).strict(), trusted: false },
  'datasets.crashes': {
    params: z.object({ id, windows: z.array(crashWindow).min(1).max(6).optional(), limit: z.number().int().min(1).max(50).optional() }).strict(),
    trusted: false,
  },
  'crashes.catalog': { params: z.object({}).strict(), trusted: false },
  'datasets.download': {
    params: z
      .object({
        symbol: z.string().trim().regex(/^[A-Z0-9]{2,20}$/, 'an upper-case Binance symbol like BTCUSDT'),
        market: z.enum(['spot', 'perp']),
        timeframe: z.enum(['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d']),
        /** First and last UTC day to fetch (any time within the day). */
        from: unixSeconds,
        to: unixSeconds,
        /** Default https://data.binance.vision; a mirror or a local server otherwise. */
        baseUrl: z.url({ protocol: /^https?$/ }).max(300).optional(),
        job: jobId.optional(),
      })
      .strict(),
    trusted: false,
  },
  'imports.cancel': { params: z.object({ job: jobId }).strict(), trusted: false },
  'portfolios.list': { params: z.object({}).strict(), trusted: false },
  'portfolios.get': { params: z.object({ id }).strict(), trusted: false },
  'portfolios.save': { params: z.object({ id: id.optional(), portfolio: portfolioSchema }).strict(), trusted: false },
  'portfolios.importJson': { params: z.object({ fileName, text: z.string().max(MAX_IMPORT_TEXT) }).strict(), trusted: false },
  'portfolios.importPositionsCsv': {
    params: z
      .object({
        fileName,
        text: z.string().max(MAX_IMPORT_TEXT),
        name: z.string().trim().min(1).max(100),
        account: accountFieldsSchema,
      })
      .strict(),
    trusted: false,
  },
  'portfolios.export': { params: z.object({ id, format: z.enum(['json', 'csv']) }).strict(), trusted: false },
  'portfolios.delete': { params: z.object({ id }).strict(), trusted: false },
  'rules.list': { params: z.object({}).strict(), trusted: false },
  'margin.compute': {
    params: z
      .object({
        ...portfolioChoice,
        marks: z.record(symbol, z.number().finite().positive().max(1e12)).optional(),
        /** Date whose rule tables apply (UTC seconds); default: the newest tables. */
        at: unixSeconds.optional(),
        marginCallRatio: z.number().finite().gt(0).max(1).optional(),
        rules: userRules,
      })
      .strict()
      .refine(exactlyOnePortfolio.check, exactlyOnePortfolio.message),
    trusted: false,
  },
  'runs.replay': {
    params: z
      .object({
        datasetId: id,
        ...portfolioChoice,
        rules: userRules,
        scenario: scenarioSchema,
        seed: seedSchema.optional(),
        name: z.string().trim().min(1).max(120).optional(),
        job: z.string().min(1).max(64).optional(),
        from: unixSeconds.optional(),
        to: unixSeconds.optional(),
      })
      .strict()
      .refine((p) => p.portfolioId === undefined || p.portfolio === undefined, {
        message: 'give portfolioId or portfolio, not both',
        path: ['portfolioId'],
      }),
    trusted: false,
  },
  'runs.shock': {
    params: z
      .object({
        ...portfolioChoice,
        rules: userRules,
        scenario: scenarioSchema,
        shock: shockSchema,
        /** When the shock starts (UTC seconds): picks the rule tables in force; default now. */
        at: unixSeconds.optional(),
        seed: seedSchema.optional(),
        name: z.string().trim().min(1).max(120).optional(),
        job: z.string().min(1).max(64).optional(),
      })
      .strict()
      .refine(exactlyOnePortfolio.check, exactlyOnePortfolio.message),
    trusted: false,
  },
  'runs.list': { params: z.object({}).strict(), trusted: false },
  'runs.get': { params: z.object({ id }).strict(), trusted: false },
  'runs.delete': { params: z.object({ id }).strict(), trusted: false },
  'runs.liquidationMap': {
    params: z
      .object({ id, bins: z.number().int().min(4).max(400).optional(), priceLow: z.number().finite().positive().optional(), priceHigh: z.number().finite().positive().optional() })
      .strict(),
    trusted: false,
  },
  'jobs.cancel': { params: z.object({ job: z.string().min(1).max(64) }).strict(), trusted: false },
  'whatif.metrics': { params: whatIfMetricsParams, trusted: false },
  'whatif.shock': { params: whatIfShockParams, trusted: false },
  'whatif.sweep': { params: whatIfSweepParams, trusted: false },
  'whatif.montecarlo': { params: whatIfMonteCarloParams, trusted: false },
  'validation.run': { params: z.object({ job: jobId.optional() }).strict(), trusted: false },
  'validation.assumptions': { params: z.object({}).strict(), trusted: false },
  /** The population fitted by the latest stored validation run, or null: never computes (see validation.run). */
  'validation.storedFit': { params: z.object({}).strict(), trusted: false },
  'validation.lending': { params: z.object({}).strict(), trusted: false },
  'validation.cancel': { params: z.object({ job: jobId }).strict(), trusted: false },
  'validation.robustness': { params: z.object({ job: jobId.optional() }).strict(), trusted: false },
  'design.run': { params: z.object({ job: jobId.optional(), liquidity: z.enum(LIQUIDITY).optional() }).strict(), trusted: false },
  'design.openCell': {
    params: z.object({ eventId: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), mechanismId: z.string().regex(/^[a-z0-9.-]{1,40}$/), liquidity: z.enum(LIQUIDITY).optional(), job: jobId.optional() }).strict(),
    trusted: false,
  },
} as const;

export type MethodName = keyof typeof methods;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export type Params<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
export type ParsedParams<M extends MethodName> = z.output<(typeof methods)[M]['params']>;

export interface AppInfo {
  name: string;
  version: string;
  dbPath: string;
  schemaVersion: number;
  node: string;
}

/** Result type of each method. */
export interface Results {
  'app.info': AppInfo;
  'datasets.list': Dataset[];
  'datasets.get': Dataset;
  'datasets.candles': CandleColumns;
  'datasets.importText': ImportResult;
  'datasets.importFile': ImportResult;
  'datasets.delete': { deleted: boolean };
  'datasets.importFiles': ImportResult;
  'datasets.rename': Dataset;
  'datasets.crashes': CrashReport;
  'datasets.download': ImportResult;
  'crashes.catalog': CrashEvent[];
  'imports.cancel': { cancelled: boolean };
  'portfolios.list': PortfolioSummary[];
  'portfolios.get': StoredPortfolio;
  'portfolios.save': StoredPortfolio;
  'portfolios.importJson': StoredPortfolio;
  'portfolios.importPositionsCsv': StoredPortfolio;
  'portfolios.export': { fileName: string; mimeType: string; text: string };
  'portfolios.delete': { deleted: boolean };
  'rules.list': { venue: string; effective: string; source: string; model: string; marginCurrency: string; symbols: string[] }[];
  'margin.compute': MarginReport;
  'runs.replay': RunInfo;
  'runs.shock': RunInfo;
  'runs.list': RunInfo[];
  'runs.get': RunDetail;
  'runs.delete': { deleted: boolean };
  'runs.liquidationMap': LiquidationMapResult;
  'jobs.cancel': { cancelled: boolean };
  'whatif.metrics': WhatIfMetrics;
  'whatif.shock': RunInfo;
  'whatif.sweep': RunInfo;
  'whatif.montecarlo': RunInfo;
  'validation.run': ValidationReportInfo;
  'validation.assumptions': { topic: string; text: string }[];
  'validation.storedFit': StoredFitInfo | null;
  'validation.lending': LendingCheckInfo;
  'validation.cancel': { cancelled: boolean };
  'validation.robustness': RobustnessInfo;
  'design.run': DesignMatrixInfo;
  'design.openCell': RunInfo;
}

export type Result<M extends MethodName> = Results[M];

/** Messages the backend pushes without a request. */
export type PushEvent =
  | { type: 'datasets.changed' }
  | { type: 'runs.changed' }
  | {
      type: 'progress';
      job: string;
      done: number;
      total: number;
      label: string;
      /** Import progress: phase, rows read so far, rows per second and seconds left (null: unknown). */
      phase?: 'reading' | 'storing' | 'done' | 'failed' | 'cancelled';
      rows?: number;
      rowsPerSecond?: number;
      etaSeconds?: number | null;
    };

/**
 * The client side of the API, the same over every transport. The renderer gets one of these
 * at start-up and never learns which transport it has.
 */
export interface Api {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Subscribe to server pushes; returns the unsubscribe function. */
  subscribe(listener: (event: PushEvent) => void): () => void;
}

/** Wire format of one request and its reply, shared by IPC and HTTP. */
export interface RequestMessage {
  id: number;
  method: string;
  params: unknown;
}

export type ReplyMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: import('./errors').ApiErrorShape };

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}
