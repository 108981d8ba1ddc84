/**
 * One import: files (CSV or zip archives of CSVs) read as streams, validated line by line,
 * staged in bounded memory (blocks beyond a budget spill to a temp table that SQLite drops
 * with the connection), then stored in one transaction. Nothing reaches the database's main
 * tables before that transaction, so a cancel, an error or a SIGKILL leaves nothing behind.
 *
 * Symbol, venue, market and bar size come from the options, else the file name (Binance
 * public-data names `BTCUSDT-1m-2020-03-12.csv` are checked against the rows' times), else
 * the data. Progress (bytes, rows, rows/s, ETA) is reported at most every 100 ms.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { Unzip, UnzipInflate } from 'fflate';
import { ApiError } from '../../../shared/errors';
import { timeframeName, type ImportResult, type Market } from '../../../shared/domain';
import type { Db } from '../store/db';
import type { DatasetStore, StagedFile } from '../store/datasets';
import { BlockBuilder, decodeBlock, type Columns } from './candle-blocks';
import { binaryFile, CandleCsvValidator, isoTime, type CandleFileSummary } from './candle-csv';
import { hintsFromFileName, parseTimeframe } from './file-name';
import { LineSplitter } from './line-splitter';
import type { ImportProgress } from '../../../shared/market-data';

export interface ImportOptions {
  symbol?: string;
  timeframe?: string;
  venue?: string;
  market?: Market;
}

/** A file to import: a name for messages and hints, its size when known, its bytes. */
export interface ImportSource {
  name: string;
  /** Full path or URL-ish origin, for hints like `/futures/um/` (optional). */
  origin?: string;
  size?: number;
  chunks(): AsyncIterable<Uint8Array>;
}

export type { ImportProgress } from '../../../shared/market-data';

/** In-memory staging budget; blocks beyond it go to a temp table. About 96 MB. */
export const MEMORY_ROWS = 2_000_000;
const CHUNK = 1 << 20;

let stageTables = 0;

export class ImportJob {
  private cancelled = false;
  private readonly staged: StagedFileData[] = [];
  private memoryRows = 0;
  private stageTable: string | undefined;
  private bytesDone = 0;
  private bytesTotal = 0;
  private rows = 0;
  private readonly started = performance.now();
  private lastReport = 0;
  /** Imports quicker than 100 ms report nothing; once one report went out, all phases do. */
  private reporting = false;
  private label = '';

  constructor(
    private readonly db: Db,
    private readonly store: DatasetStore,
    readonly id: string,
    private readonly options: ImportOptions,
    private readonly onProgress: (p: ImportProgress) => void,
    private readonly now: () => number,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }

  async run(sources: readonly ImportSource[]): Promise<ImportResult> {
    this.bytesTotal = sources.reduce((sum, s) => sum + (s.size ?? 0), 0);
    try {
      for (const source of sources) await this.readSource(source);
      this.throwIfCancelled();
      this.report('storing', true);
      const files = this.staged.map((f) => this.toStagedFile(f));
      const stored = this.store.storeFiles(files, this.now());
      const warnings = this.staged.flatMap((f) => f.warnings);
      const ids = [...new Set(stored.map((s) => s.datasetId))];
      const datasets = ids.map((id) => this.store.get(id)!);
      this.report('done', true);
      return {
        dataset: datasets[0]!,
        datasets,
        added: stored.reduce((n, s) => n + s.added, 0),
        alreadyImported: stored.every((s) => s.alreadyImported),
        warnings,
        files: stored,
      };
    } catch (err) {
      this.report(this.cancelled ? 'cancelled' : 'failed', true);
      throw err;
    } finally {
      if (this.stageTable && this.db.open) this.db.exec(`DROP TABLE IF EXISTS temp.${this.stageTable}`);
    }
  }

  private throwIfCancelled(): void {
    if (this.cancelled) throw new ApiError('cancelled', 'the import was cancelled; nothing was stored');
  }

  private async readSource(source: ImportSource): Promise<void> {
    this.label = source.name;
    let mode: 'unknown' | 'csv' | 'zip' = 'unknown';
    let csv: FileReader | undefined;
    let unzip: Unzip | undefined;
    let zipFailure: unknown;
    let zipEntries = 0;
    let current: FileReader | undefined;
    for await (const chunk of source.chunks()) {
      this.throwIfCancelled();
      if (chunk.length === 0) continue;
      if (mode === 'unknown') {
        if (isZip(chunk)) {
          mode = 'zip';
          unzip = new Unzip((entry) => {
            if (zipFailure) return;
            const inner = entry.name;
            if (inner.endsWith('/') || /(^|\/)__MACOSX\//.test(inner) || !/\.csv$/i.test(inner)) return;
            zipEntries++;
            try {
              current = this.beginFile(`${source.name}/${inner.split('/').pop()}`, `${source.origin ?? ''}/${inner}`);
            } catch (err) {
              zipFailure = err;
              return;
            }
            const reader = current;
            entry.ondata = (error, data, final) => {
              if (zipFailure) return;
              try {
                if (error) throw new ApiError('invalid_input', `the zip archive is damaged: ${error.message}`, { file: source.name });
                reader.push(data);
                if (final) this.endFile(reader);
              } catch (e) {
                zipFailure = e;
              }
            };
            entry.start();
          });
          unzip.register(UnzipInflate);
        } else {
          mode = 'csv';
          csv = this.beginFile(source.name, source.origin ?? source.name);
        }
      }
      this.bytesDone += chunk.length;
      if (mode === 'zip') {
        pushZip(unzip!, chunk, false, source.name);
        if (zipFailure) throw zipFailure;
      } else {
        if (chunk.indexOf(0) >= 0) throw binaryFile(source.name);
        csv!.push(chunk);
      }
      this.report('reading', false);
    }
    if (mode === 'unknown') throw new ApiError('invalid_input', 'the file is empty', { file: source.name });
    if (mode === 'zip') {
      pushZip(unzip!, new Uint8Array(0), true, source.name);
      if (zipFailure) throw zipFailure;
      if (zipEntries === 0) throw new ApiError('invalid_input', 'the zip archive holds no CSV file', { file: source.name });
      if (current && !current.ended) {
        throw new ApiError('invalid_input', 'the zip archive ends in the middle of a file (truncated download?)', { file: current.name });
      }
    } else {
      this.endFile(csv!);
    }
  }

  private beginFile(name: string, origin: string): FileReader {
    const hints = hintsFromFileName(name);
    // A missing symbol is reported once the file is read: identical content already stored
    // needs none.
    const symbol = (this.options.symbol ?? hints.symbol)?.toUpperCase() ?? '';
    const claimed = this.options.timeframe !== undefined ? parseTimeframe(this.options.timeframe) : hints.barSeconds;
    if (this.options.timeframe !== undefined && claimed === undefined) {
      throw new ApiError('invalid_input', `bar size "${this.options.timeframe}" is not like 1m, 1h or 1d`, { field: 'timeframe' });
    }
    const market: Market =
      this.options.market ?? hints.market ?? (/[\\/]futures[\\/](um|cm)[\\/]/i.test(origin) ? 'perp' : /[\\/]spot[\\/]/i.test(origin) ? 'spot' : 'unknown');
    const data: StagedFileData = {
      name,
      symbol,
      claimedBar: claimed,
      claimedBySource: this.options.timeframe !== undefined ? 'given' : 'in the file name',
      venue: this.options.venue ?? hints.venue ?? (binancePeriod(name) ? 'binance' : null),
      market,
      entries: [],
      summary: undefined,
      sha256: '',
      warnings: [],
    };
    const period = binancePeriod(name);
    return new FileReader(name, period, data, (buffer, rows) => this.stage(data, buffer, rows), () => this.rows++);
  }

  private endFile(reader: FileReader): void {
    const data = reader.finish();
    const s = data.summary!;
    if (!data.symbol && !this.store.findBySha256(data.sha256)) {
      throw new ApiError('invalid_input', 'the symbol cannot be read from the file name; give it (--symbol, or the Symbol field)', {
        file: data.name,
        field: 'symbol',
      });
    }
    if (s.format === 'binance-kline-csv' && data.venue === null) data.venue = 'binance';
    let bar = s.barSeconds;
    if (bar === 0) {
      if (data.claimedBar === undefined) {
        throw new ApiError('invalid_input', 'a single-row file does not show its bar size; give it (--timeframe)', { file: data.name, field: 'timeframe' });
      }
      bar = data.claimedBar;
    } else if (data.claimedBar !== undefined && data.claimedBar !== bar) {
      throw new ApiError(
        'invalid_input',
        `the bar size ${data.claimedBySource} is ${timeframeName(data.claimedBar)} but the rows are ${timeframeName(bar)} apart`,
        { file: data.name, field: 'timeframe' },
      );
    }
    if (bar < 1 || bar > 86400 * 7) {
      throw new ApiError('invalid_input', `bars ${bar}s apart are outside the supported 1s..1w`, { file: data.name, field: 'time' });
    }
    data.barSeconds = bar;
    if (s.gaps > 0) data.warnings.push(`${data.name}: ${s.gaps} gaps, ${s.missingBars} missing ${timeframeName(bar)} bars`);
    this.staged.push(data);
  }

  /** Keeps a block in memory, or spills it to the temp table past the memory budget. */
  private stage(data: StagedFileData, buffer: Buffer, rows: number): void {
    if (this.memoryRows + rows <= MEMORY_ROWS) {
      this.memoryRows += rows;
      data.entries.push({ buffer, rows });
      return;
    }
    if (!this.stageTable) {
      this.stageTable = `undertow_stage_${process.pid}_${++stageTables}`;
      this.db.exec(`CREATE TEMP TABLE ${this.stageTable} (seq INTEGER PRIMARY KEY, rows INTEGER NOT NULL, data BLOB NOT NULL)`);
    }
    const info = this.db.prepare(`INSERT INTO temp.${this.stageTable} (rows, data) VALUES (?, ?)`).run(rows, buffer);
    data.entries.push({ seq: Number(info.lastInsertRowid), rows });
  }

  private toStagedFile(f: StagedFileData): StagedFile {
    const s = f.summary!;
    const table = this.stageTable;
    const db = this.db;
    return {
      key: { symbol: f.symbol, venue: f.venue, market: f.market, barSeconds: f.barSeconds! },
      source: { fileName: f.name, sha256: f.sha256, format: s.format },
      rows: s.rows,
      firstTime: s.firstTime,
      lastTime: s.lastTime,
      gaps: s.gaps,
      missingBars: s.missingBars,
      priceDecimals: s.priceDecimals,
      *blocks(): Generator<Columns> {
        for (const e of f.entries) {
          if ('buffer' in e) yield decodeBlock(e.buffer, e.rows);
          else {
            const row = db.prepare(`SELECT data FROM temp.${table} WHERE seq = ?`).get(e.seq) as { data: Buffer };
            yield decodeBlock(row.data, e.rows);
          }
        }
      },
    };
  }

  private report(phase: ImportProgress['phase'], force: boolean): void {
    const t = performance.now();
    if (!this.reporting) {
      if (t - this.started < 100) return;
      this.reporting = true;
    } else if (!force && t - this.lastReport < 100) return;
    this.lastReport = t;
    const seconds = (t - this.started) / 1000;
    const rate = seconds > 0 ? this.rows / seconds : 0;
    const bytesRate = seconds > 0 ? this.bytesDone / seconds : 0;
    const eta = this.bytesTotal > 0 && bytesRate > 0 ? Math.max(0, (this.bytesTotal - this.bytesDone) / bytesRate) : null;
    this.onProgress({
      job: this.id,
      label: this.label,
      phase,
      done: this.bytesDone,
      total: this.bytesTotal,
      rows: this.rows,
      rowsPerSecond: Math.round(rate),
      etaSeconds: phase === 'reading' ? (eta === null ? null : Math.round(eta * 10) / 10) : 0,
    });
  }
}

interface StagedFileData {
  name: string;
  symbol: string;
  claimedBar: number | undefined;
  claimedBySource: string;
  venue: string | null;
  market: Market;
  barSeconds?: number;
  entries: ({ buffer: Buffer; rows: number } | { seq: number; rows: number })[];
  summary: CandleFileSummary | undefined;
  sha256: string;
  warnings: string[];
}

/** One CSV being read: hash, line splitting, validation, blocks. */
class FileReader {
  private readonly hash: Hash = createHash('sha256');
  private readonly splitter: LineSplitter;
  private readonly validator: CandleCsvValidator;
  private readonly blocks: BlockBuilder;
  ended = false;

  constructor(
    readonly name: string,
    period: { from: number; to: number; text: string } | undefined,
    private readonly data: StagedFileData,
    onBlock: (buffer: Buffer, rows: number) => void,
    onRow: () => void,
  ) {
    this.blocks = new BlockBuilder((buffer, rows) => onBlock(buffer, rows));
    let lineNo = 0;
    this.validator = new CandleCsvValidator(name, (t, o, h, l, c, v) => {
      if (period && (t < period.from || t >= period.to)) {
        throw new ApiError('invalid_input', `the row at ${isoTime(t)} is outside ${period.text}, the period the file name gives`, {
          file: name,
          line: lineNo,
          field: 'time',
        });
      }
      this.blocks.push(t, o, h, l, c, v);
      onRow();
    });
    this.splitter = new LineSplitter((line, n) => {
      lineNo = n;
      this.validator.line(line, n);
    });
  }

  push(chunk: Uint8Array): void {
    if (chunk.indexOf(0) >= 0) throw binaryFile(this.name);
    this.hash.update(chunk);
    this.splitter.push(chunk);
  }

  finish(): StagedFileData {
    this.splitter.end();
    this.data.summary = this.validator.end();
    this.blocks.flush();
    this.data.sha256 = this.hash.digest('hex');
    this.ended = true;
    return this.data;
  }
}

function pushZip(unzip: Unzip, chunk: Uint8Array, final: boolean, file: string): void {
  try {
    unzip.push(chunk, final);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError('invalid_input', `the zip archive is damaged or uses an unsupported method (${(err as Error).message})`, { file });
  }
}

function isZip(chunk: Uint8Array): boolean {
  return chunk.length >= 4 && chunk[0] === 0x50 && chunk[1] === 0x4b && (chunk[2] === 3 || chunk[2] === 5) && (chunk[3] === 4 || chunk[3] === 6);
}

/** The day or month a Binance public-data file name covers: `BTCUSDT-1m-2020-03-12.csv`, `…-2020-03.csv`. */
export function binancePeriod(fileName: string): { from: number; to: number; text: string } | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const m = /^[A-Z0-9]{2,20}-\d+[smhdw]-(\d{4})-(\d{2})(?:-(\d{2}))?\.(csv|zip)$/.exec(base);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  if (m[3] !== undefined) {
    const from = Date.UTC(year, month, Number(m[3])) / 1000;
    return { from, to: from + 86400, text: `${m[1]}-${m[2]}-${m[3]}` };
  }
  return { from: Date.UTC(year, month, 1) / 1000, to: Date.UTC(year, month + 1, 1) / 1000, text: `${m[1]}-${m[2]}` };
}

/** A file on disk, read in 1 MiB chunks. */
export function fileSource(file: string, name: string): ImportSource {
  let size = 0;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new ApiError('invalid_input', 'not a regular file', { file });
    size = stat.size;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError('not_found', 'no such file', { file });
  }
  return { name, origin: file, size, chunks: () => fs.createReadStream(file, { highWaterMark: CHUNK }) };
}

/** Text or bytes already in memory, handed over in 1 MiB chunks with a turn of the event loop between. */
export function memorySource(name: string, bytes: Uint8Array): ImportSource {
  return {
    name,
    size: bytes.length,
    async *chunks() {
      for (let at = 0; at < bytes.length; at += CHUNK) {
        yield bytes.subarray(at, at + CHUNK);
        // Let progress pushes and cancel requests through between chunks; a small text
        // (one chunk) is imported without leaving the microtask queue.
        if (at + CHUNK < bytes.length) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
  };
}
