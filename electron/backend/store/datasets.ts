/**
 * Datasets and their candles. Every write is one transaction: a dataset appears (or grows)
 * with all of its rows and its provenance, or not at all.
 *
 * Candles live in the `candles` table (the source of truth, keyed by dataset and time) and,
 * for fast scans, in `candle_blocks` (six Float64 columns per block of up to 65,536 bars).
 * Blocks are rebuilt from the candles whenever their row count disagrees with the dataset's.
 */
import type { CandleColumns, CandleFileFormat, Dataset, DatasetSource, Market } from '../../../shared/domain';
import { ApiError } from '../../../shared/errors';
import { BlockBuilder, decodeBlock, type Columns } from '../market-data/candle-blocks';
import type { Db } from './db';

/** What a dataset is: files with the same key may become one dataset. */
export interface DatasetKey {
  symbol: string;
  venue: string | null;
  market: Market;
  barSeconds: number;
}

/** One validated file, staged and ready to be stored. */
export interface StagedFile {
  key: DatasetKey;
  source: { fileName: string; sha256: string; format: CandleFileFormat };
  rows: number;
  firstTime: number;
  lastTime: number;
  gaps: number;
  missingBars: number;
  priceDecimals: number;
  /** The file's rows in time order, block after block. */
  blocks(): Iterable<Columns>;
}

/** The outcome of storing one staged file. */
export interface StoredFile {
  fileName: string;
  datasetId: number;
  rows: number;
  added: number;
  alreadyImported: boolean;
}

/** Numeric candle columns, whatever their array type. */
export type NumberColumns = Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', ArrayLike<number>>;

/** Copies of the six candle columns as Float64Array: the block store's form and the engine's. */
export function float64Columns(c: NumberColumns): Omit<Columns, 'rows'> {
  return {
    time: Float64Array.from(c.time),
    open: Float64Array.from(c.open),
    high: Float64Array.from(c.high),
    low: Float64Array.from(c.low),
    close: Float64Array.from(c.close),
    volume: Float64Array.from(c.volume),
  };
}

/** Kept for callers that store ready columns (tests, the in-memory path). */
export interface NewDataset extends DatasetKey {
  priceDecimals: number;
  source: StagedFile['source'];
  candles: NumberColumns & { rows: number };
}

interface DatasetRow {
  id: number;
  name: string | null;
  symbol: string;
  venue: string | null;
  market: string;
  bar_seconds: number;
  first_time: number;
  last_time: number;
  rows: number;
  gaps: number;
  missing_bars: number;
  price_decimals: number;
}

interface SourceRow {
  dataset_id: number;
  file_name: string;
  sha256: string;
  format: string;
  rows: number;
  first_time: number;
  last_time: number;
  imported_at: number;
}

/** Files of one key closer than this (seconds) to a dataset extend it rather than start another. */
export const MERGE_GAP = 7 * 86400;

/** Rows per multi-row INSERT: fewer statement runs, well under SQLite's variable limit. */
const INSERT_BATCH = 200;

export class DatasetStore {
  constructor(private readonly db: Db) {}

  list(): Dataset[] {
    const rows = this.db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[];
    const sources = this.db.prepare('SELECT * FROM dataset_sources ORDER BY id').all() as SourceRow[];
    return rows.map((row) => toDataset(row, sources.filter((s) => s.dataset_id === row.id)));
  }

  get(id: number): Dataset | undefined {
    const row = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    if (!row) return undefined;
    const sources = this.db.prepare('SELECT * FROM dataset_sources WHERE dataset_id = ? ORDER BY id').all(id) as SourceRow[];
    return toDataset(row, sources);
  }

  /** The dataset that already holds a file with this content hash, if any. */
  findBySha256(sha256: string): Dataset | undefined {
    const hit = this.db.prepare('SELECT dataset_id FROM dataset_sources WHERE sha256 = ?').get(sha256) as { dataset_id: number } | undefined;
    return hit ? this.get(hit.dataset_id) : undefined;
  }

  /** Stores a dataset with all its candles and its provenance in one transaction. */
  insert(input: NewDataset, now: number): Dataset {
    const c = input.candles;
    const columns: Columns = { rows: c.rows, ...float64Columns(c) };
    const [stored] = this.storeFiles(
      [
        {
          key: { symbol: input.symbol, venue: input.venue, market: input.market, barSeconds: input.barSeconds },
          source: input.source,
          rows: c.rows,
          firstTime: columns.time[0]!,
          lastTime: columns.time[c.rows - 1]!,
          gaps: 0,
          missingBars: 0,
          priceDecimals: input.priceDecimals,
          blocks: () => [columns],
        },
      ],
      now,
    );
    return this.get(stored!.datasetId)!;
  }

  /**
   * Stores validated files in one transaction. Files with the same key (symbol, venue,
   * market, bar size) that overlap or lie within MERGE_GAP of each other become one dataset,
   * whether imported together or one after another. Overlapping bars must agree exactly, else nothing is stored and the
   * error names both files and the time. Content already stored (same SHA-256) is skipped.
   */
  storeFiles(files: readonly StagedFile[], now: number): StoredFile[] {
    return this.db.transaction(() => {
      const results = new Map<StagedFile, StoredFile>();
      const touched = new Set<number>();
      const seen = new Set<string>();
      const order = [...files].sort((a, b) => a.firstTime - b.firstTime);
      for (const file of order) {
        const existing = this.db.prepare('SELECT dataset_id FROM dataset_sources WHERE sha256 = ?').get(file.source.sha256) as
          | { dataset_id: number }
          | undefined;
        if (existing || seen.has(file.source.sha256)) {
          const datasetId = existing?.dataset_id ?? results.get(order.find((f) => f.source.sha256 === file.source.sha256)!)!.datasetId;
          results.set(file, { fileName: file.source.fileName, datasetId, rows: file.rows, added: 0, alreadyImported: true });
          continue;
        }
        seen.add(file.source.sha256);
        let target = this.adjoiningDataset(file);
        let added: number;
        if (target === undefined) {
          target = this.createDataset(file, now);
          added = this.insertRows(target, file, false);
          this.insertBlocks(target, file);
        } else {
          this.checkAlignment(target, file);
          this.checkOverlap(target, file);
          added = this.insertRows(target, file, true);
          touched.add(target);
        }
        this.db
          .prepare(
            `INSERT INTO dataset_sources (dataset_id, file_name, sha256, format, rows, first_time, last_time, imported_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(target, file.source.fileName, file.source.sha256, file.source.format, file.rows, file.firstTime, file.lastTime, now);
        this.db.prepare('UPDATE datasets SET price_decimals = max(price_decimals, ?) WHERE id = ?').run(file.priceDecimals, target);
        results.set(file, { fileName: file.source.fileName, datasetId: target, rows: file.rows, added, alreadyImported: false });
      }
      for (const id of touched) this.rebuildBlocks(id);
      // Results in the caller's file order.
      return files.map((f) => results.get(f)!);
    })();
  }

  /**
   * A dataset with the same key whose range overlaps the file's or lies within MERGE_GAP of
   * it (including datasets created earlier in the same import: files are taken in time order,
   * so 31 daily files chain into one dataset, and a missing day or two stays a gap).
   */
  private adjoiningDataset(file: StagedFile): number | undefined {
    const { symbol, venue, market, barSeconds } = file.key;
    const hit = this.db
      .prepare(
        `SELECT id FROM datasets WHERE symbol = ? AND venue IS ? AND market = ? AND bar_seconds = ?
           AND first_time <= ? AND last_time >= ? ORDER BY id LIMIT 1`,
      )
      .get(symbol, venue, market, barSeconds, file.lastTime + MERGE_GAP, file.firstTime - MERGE_GAP) as { id: number } | undefined;
    return hit?.id;
  }

  private createDataset(file: StagedFile, now: number): number {
    const { symbol, venue, market, barSeconds } = file.key;
    const info = this.db
      .prepare(
        `INSERT INTO datasets (symbol, venue, market, bar_seconds, first_time, last_time, rows, gaps, missing_bars, price_decimals, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(symbol, venue, market, barSeconds, file.firstTime, file.lastTime, file.rows, file.gaps, file.missingBars, file.priceDecimals, now);
    return Number(info.lastInsertRowid);
  }

  private checkAlignment(target: number, file: StagedFile): void {
    const row = this.db.prepare('SELECT first_time, bar_seconds FROM datasets WHERE id = ?').get(target) as { first_time: number; bar_seconds: number };
    if ((((file.firstTime - row.first_time) % row.bar_seconds) + row.bar_seconds) % row.bar_seconds !== 0) {
      throw new ApiError(
        'invalid_input',
        `its bars start at ${iso(file.firstTime)}, off the ${row.bar_seconds}s grid of dataset ${target} (which starts at ${iso(row.first_time)})`,
        { file: file.source.fileName, field: 'time' },
      );
    }
  }

  /** Overlapping bars must be identical; the first that is not names both files. */
  private checkOverlap(target: number, file: StagedFile): void {
    const range = this.db.prepare('SELECT min(time) AS lo, max(time) AS hi FROM candles WHERE dataset_id = ?').get(target) as { lo: number; hi: number };
    const lo = Math.max(range.lo, file.firstTime);
    const hi = Math.min(range.hi, file.lastTime);
    if (lo > hi) return;
    const get = this.db.prepare('SELECT open, high, low, close, volume FROM candles WHERE dataset_id = ? AND time = ?').raw();
    for (const b of file.blocks()) {
      if (b.time[b.rows - 1]! < lo || b.time[0]! > hi) continue;
      for (let i = 0; i < b.rows; i++) {
        const t = b.time[i]!;
        if (t < lo || t > hi) continue;
        const stored = get.get(target, t) as number[] | undefined;
        if (!stored) continue;
        const mine = [b.open[i]!, b.high[i]!, b.low[i]!, b.close[i]!, b.volume[i]!];
        const field = ['open', 'high', 'low', 'close', 'volume'].find((_, k) => stored[k] !== mine[k]);
        if (field) {
          const other = this.db
            .prepare('SELECT file_name FROM dataset_sources WHERE dataset_id = ? AND first_time <= ? AND last_time >= ? ORDER BY id LIMIT 1')
            .get(target, t, t) as { file_name: string } | undefined;
          const k = ['open', 'high', 'low', 'close', 'volume'].indexOf(field);
          throw new ApiError(
            'invalid_input',
            `the bar at ${iso(t)} disagrees with ${other?.file_name ?? `dataset ${target}`}: ${field} ${mine[k]} here, ${stored[k]} there; overlapping files must agree`,
            { file: file.source.fileName, field },
          );
        }
      }
    }
  }

  /** Inserts the file's rows; with `ignoreExisting`, bars already stored (checked equal) are skipped. */
  private insertRows(target: number, file: StagedFile, ignoreExisting: boolean): number {
    const verb = ignoreExisting ? 'INSERT OR IGNORE' : 'INSERT';
    const many = this.db.prepare(`${verb} INTO candles (dataset_id, time, open, high, low, close, volume) VALUES ${Array(INSERT_BATCH).fill('(?,?,?,?,?,?,?)').join(',')}`);
    const one = this.db.prepare(`${verb} INTO candles (dataset_id, time, open, high, low, close, volume) VALUES (?,?,?,?,?,?,?)`);
    const params: number[] = new Array(INSERT_BATCH * 7);
    let added = 0;
    for (const b of file.blocks()) {
      const { time, open, high, low, close, volume } = b;
      let i = 0;
      for (; i + INSERT_BATCH <= b.rows; i += INSERT_BATCH) {
        for (let j = 0, p = 0; j < INSERT_BATCH; j++) {
          const r = i + j;
          params[p++] = target;
          params[p++] = time[r]!;
          params[p++] = open[r]!;
          params[p++] = high[r]!;
          params[p++] = low[r]!;
          params[p++] = close[r]!;
          params[p++] = volume[r]!;
        }
        added += many.run(params).changes;
      }
      for (; i < b.rows; i++) added += one.run(target, time[i], open[i], high[i], low[i], close[i], volume[i]).changes;
    }
    if (ignoreExisting) {
      const stats = this.db.prepare('SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM candles WHERE dataset_id = ?').get(target) as { n: number; lo: number; hi: number };
      this.db.prepare('UPDATE datasets SET rows = ?, first_time = ?, last_time = ? WHERE id = ?').run(stats.n, stats.lo, stats.hi, target);
    }
    return added;
  }

  private insertBlocks(target: number, file: StagedFile): void {
    const insert = this.db.prepare('INSERT INTO candle_blocks (dataset_id, first_time, rows, data) VALUES (?, ?, ?, ?)');
    for (const b of file.blocks()) insert.run(target, b.time[0], b.rows, encode(b));
  }

  /** Rewrites a dataset's blocks, gaps and missing bars from its candles. */
  rebuildBlocks(id: number): void {
    const row = this.db.prepare('SELECT bar_seconds FROM datasets WHERE id = ?').get(id) as { bar_seconds: number } | undefined;
    if (!row) return;
    const bar = row.bar_seconds;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM candle_blocks WHERE dataset_id = ?').run(id);
      const insert = this.db.prepare('INSERT INTO candle_blocks (dataset_id, first_time, rows, data) VALUES (?, ?, ?, ?)');
      const builder = new BlockBuilder((data, rows, firstTime) => insert.run(id, firstTime, rows, data));
      let previous = NaN;
      let gaps = 0;
      let missing = 0;
      const rows = this.db.prepare('SELECT time, open, high, low, close, volume FROM candles WHERE dataset_id = ? ORDER BY time').raw().iterate(id) as Iterable<number[]>;
      for (const r of rows) {
        const t = r[0]!;
        if (t - previous > bar) {
          gaps++;
          missing += Math.round((t - previous) / bar) - 1;
        }
        previous = t;
        builder.push(t, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!);
      }
      builder.flush();
      this.db.prepare('UPDATE datasets SET gaps = ?, missing_bars = ? WHERE id = ?').run(gaps, missing, id);
    })();
  }

  /**
   * The dataset's candles as column blocks, in time order, restricted to [from, to].
   * Blocks missing or stale (a database from before blocks existed) are rebuilt first.
   */
  *columnBlocks(id: number, from = 0, to = Number.MAX_SAFE_INTEGER): Generator<Columns> {
    this.ensureBlocks(id);
    const rows = this.db
      .prepare('SELECT rows, data FROM candle_blocks WHERE dataset_id = ? AND first_time <= ? ORDER BY first_time')
      .raw()
      .all(id, to) as [number, Buffer][];
    for (const [n, data] of rows) {
      const b = decodeBlock(data, n);
      if (b.time[n - 1]! < from) continue;
      if (b.time[0]! >= from && b.time[n - 1]! <= to) {
        yield b;
        continue;
      }
      let lo = 0;
      while (lo < n && b.time[lo]! < from) lo++;
      let hi = n;
      while (hi > lo && b.time[hi - 1]! > to) hi--;
      if (hi > lo) yield slice(b, lo, hi);
    }
  }

  private ensureBlocks(id: number): void {
    const row = this.db
      .prepare('SELECT d.rows AS rows, (SELECT coalesce(sum(b.rows), 0) FROM candle_blocks b WHERE b.dataset_id = d.id) AS blocked FROM datasets d WHERE d.id = ?')
      .get(id) as { rows: number; blocked: number } | undefined;
    if (row && row.rows !== row.blocked) this.rebuildBlocks(id);
  }

  /** Candles at the stored bar size, in columns for the chart. */
  candles(id: number, from?: number, to?: number): CandleColumns {
    const out: CandleColumns = { time: [], open: [], high: [], low: [], close: [], volume: [] };
    for (const b of this.columnBlocks(id, from ?? 0, to ?? Number.MAX_SAFE_INTEGER)) {
      for (let i = 0; i < b.rows; i++) {
        out.time.push(b.time[i]!);
        out.open.push(b.open[i]!);
        out.high.push(b.high[i]!);
        out.low.push(b.low[i]!);
        out.close.push(b.close[i]!);
        out.volume.push(b.volume[i]!);
      }
    }
    return out;
  }

  rename(id: number, name: string | null): boolean {
    return this.db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id).changes > 0;
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  }
}

function encode(b: Columns): Buffer {
  const out = Buffer.allocUnsafeSlow(b.rows * 48);
  const view = new Float64Array(out.buffer, out.byteOffset, b.rows * 6);
  [b.time, b.open, b.high, b.low, b.close, b.volume].forEach((col, k) => view.set(col.subarray(0, b.rows), k * b.rows));
  return out;
}

function slice(b: Columns, lo: number, hi: number): Columns {
  return {
    rows: hi - lo,
    time: b.time.subarray(lo, hi),
    open: b.open.subarray(lo, hi),
    high: b.high.subarray(lo, hi),
    low: b.low.subarray(lo, hi),
    close: b.close.subarray(lo, hi),
    volume: b.volume.subarray(lo, hi),
  };
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

function toDataset(row: DatasetRow, sources: SourceRow[]): Dataset {
  return {
    id: row.id,
    name: row.name ?? null,
    symbol: row.symbol,
    venue: row.venue,
    market: row.market as Market,
    barSeconds: row.bar_seconds,
    firstTime: row.first_time,
    lastTime: row.last_time,
    rows: row.rows,
    gaps: row.gaps ?? 0,
    missingBars: row.missing_bars ?? 0,
    priceDecimals: row.price_decimals,
    sources: sources.map(
      (s): DatasetSource => ({
        fileName: s.file_name,
        sha256: s.sha256,
        rows: s.rows,
        firstTime: s.first_time,
        lastTime: s.last_time,
        format: s.format as CandleFileFormat,
        importedAt: s.imported_at,
      }),
    ),
  };
}
