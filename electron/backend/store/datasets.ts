/**
 * Datasets and their candles. Every write is one transaction: a dataset appears with all
 * of its rows and its provenance, or not at all.
 */
import type { CandleColumns, CandleFileFormat, Dataset, DatasetSource, Market } from '../../../shared/domain';
import type { Db } from './db';

export interface NewDataset {
  symbol: string;
  venue: string | null;
  market: Market;
  barSeconds: number;
  priceDecimals: number;
  source: { fileName: string; sha256: string; format: CandleFileFormat };
  candles: {
    time: ArrayLike<number>;
    open: ArrayLike<number>;
    high: ArrayLike<number>;
    low: ArrayLike<number>;
    close: ArrayLike<number>;
    volume: ArrayLike<number>;
    rows: number;
  };
}

interface DatasetRow {
  id: number;
  symbol: string;
  venue: string | null;
  market: string;
  bar_seconds: number;
  first_time: number;
  last_time: number;
  rows: number;
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
    const sources = this.db
      .prepare('SELECT * FROM dataset_sources WHERE dataset_id = ? ORDER BY id')
      .all(id) as SourceRow[];
    return toDataset(row, sources);
  }

  /** The dataset that already holds a file with this content hash, if any. */
  findBySha256(sha256: string): Dataset | undefined {
    const hit = this.db.prepare('SELECT dataset_id FROM dataset_sources WHERE sha256 = ?').get(sha256) as
      | { dataset_id: number }
      | undefined;
    return hit ? this.get(hit.dataset_id) : undefined;
  }

  /** Stores a dataset with all its candles and its provenance in one transaction. */
  insert(input: NewDataset, now: number): Dataset {
    const { candles } = input;
    const first = candles.time[0]!;
    const last = candles.time[candles.rows - 1]!;
    const id = this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO datasets (symbol, venue, market, bar_seconds, first_time, last_time, rows, price_decimals, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(input.symbol, input.venue, input.market, input.barSeconds, first, last, candles.rows, input.priceDecimals, now);
      const datasetId = Number(info.lastInsertRowid);
      this.db
        .prepare(
          `INSERT INTO dataset_sources (dataset_id, file_name, sha256, format, rows, first_time, last_time, imported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(datasetId, input.source.fileName, input.source.sha256, input.source.format, candles.rows, first, last, now);
      const insert = this.db.prepare(
        'INSERT INTO candles (dataset_id, time, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (let i = 0; i < candles.rows; i++) {
        insert.run(datasetId, candles.time[i], candles.open[i], candles.high[i], candles.low[i], candles.close[i], candles.volume[i]);
      }
      return datasetId;
    })();
    return this.get(id)!;
  }

  candles(id: number, from?: number, to?: number): CandleColumns {
    const rows = this.db
      .prepare(
        'SELECT time, open, high, low, close, volume FROM candles WHERE dataset_id = ? AND time >= ? AND time <= ? ORDER BY time',
      )
      .raw()
      .all(id, from ?? 0, to ?? Number.MAX_SAFE_INTEGER) as number[][];
    const out: CandleColumns = { time: [], open: [], high: [], low: [], close: [], volume: [] };
    for (const r of rows) {
      out.time.push(r[0]!);
      out.open.push(r[1]!);
      out.high.push(r[2]!);
      out.low.push(r[3]!);
      out.close.push(r[4]!);
      out.volume.push(r[5]!);
    }
    return out;
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  }
}

function toDataset(row: DatasetRow, sources: SourceRow[]): Dataset {
  return {
    id: row.id,
    symbol: row.symbol,
    venue: row.venue,
    market: row.market as Market,
    barSeconds: row.bar_seconds,
    firstTime: row.first_time,
    lastTime: row.last_time,
    rows: row.rows,
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
