/**
 * Stored runs (DESIGN.md §3.5): the parameters that reproduce a run bit for bit, its summary,
 * its per-step series (columnar Float64, stored as one binary blob) and its events (one row
 * each, queryable). A run is written in one transaction.
 */
import type { RunEvent } from '../../../shared/runs';
import type { Db } from './db';

/** One stored event: the wire shape of shared/runs.ts, stored as a row. */
export type RunEventRecord = RunEvent;

/** A run's own fields: written with it and read back as they were. */
interface RunFields {
  kind: string;
  name: string;
  datasetId: number | null;
  portfolioId: number | null;
  params: unknown;
  engineVersion: string;
  seed: number;
  summary: unknown;
}

export interface NewRun extends RunFields {
  /** Equal-length numeric columns, one value per step. */
  series: Record<string, ArrayLike<number>>;
  events: readonly RunEventRecord[];
}

export interface RunRow extends RunFields {
  id: number;
  createdAt: number;
  eventCount: number;
}

export class RunStore {
  constructor(private readonly db: Db) {}

  insert(run: NewRun, now: number): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO runs (kind, name, dataset_id, portfolio_id, params_json, engine_version, seed, summary_json, series, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(run.kind, run.name, run.datasetId, run.portfolioId, JSON.stringify(run.params), run.engineVersion, run.seed,
            JSON.stringify(run.summary), encodeSeries(run.series), now).lastInsertRowid,
      );
      const insert = this.db.prepare(
        'INSERT INTO run_events (run_id, seq, time, kind, ref, side, price, notional, pnl, count, detail, round) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      run.events.forEach((e, seq) => insert.run(id, seq, e.time, e.kind, e.ref, e.side, e.price, e.notional, e.pnl, e.count, e.detail, e.round ?? null));
      return id;
    })();
  }

  list(): RunRow[] {
    const rows = this.db
      .prepare(
        `SELECT r.*, (SELECT count(*) FROM run_events e WHERE e.run_id = r.id) AS event_count FROM runs r ORDER BY r.id DESC`,
      )
      .all() as RawRun[];
    return rows.map(toRunRow);
  }

  get(id: number): RunRow | undefined {
    const row = this.db
      .prepare(`SELECT r.*, (SELECT count(*) FROM run_events e WHERE e.run_id = r.id) AS event_count FROM runs r WHERE r.id = ?`)
      .get(id) as RawRun | undefined;
    return row ? toRunRow(row) : undefined;
  }

  series(id: number): Record<string, number[]> {
    const row = this.db.prepare('SELECT series FROM runs WHERE id = ?').get(id) as { series: Buffer | null } | undefined;
    return row?.series ? decodeSeries(row.series) : {};
  }

  events(id: number): RunEventRecord[] {
    return this.db
      .prepare('SELECT time, kind, ref, side, price, notional, pnl, count, detail, round FROM run_events WHERE run_id = ? ORDER BY seq')
      .all(id) as RunEventRecord[];
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  }
}

interface RawRun {
  id: number;
  kind: string;
  name: string;
  dataset_id: number | null;
  portfolio_id: number | null;
  params_json: string;
  engine_version: string;
  seed: number;
  summary_json: string | null;
  created_at: number;
  event_count: number;
}

function toRunRow(r: RawRun): RunRow {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    datasetId: r.dataset_id,
    portfolioId: r.portfolio_id,
    params: JSON.parse(r.params_json),
    engineVersion: r.engine_version,
    seed: r.seed,
    summary: r.summary_json ? JSON.parse(r.summary_json) : null,
    createdAt: r.created_at,
    eventCount: r.event_count,
  };
}

/**
 * Series blob: 4-byte header length, a JSON header `{names, length}`, padding to 8 bytes,
 * then each column as little-endian Float64 in the header's order. Exact: no value is rounded.
 */
export function encodeSeries(series: Record<string, ArrayLike<number>>): Buffer {
  const names = Object.keys(series);
  const length = names.length ? series[names[0]!]!.length : 0;
  for (const name of names) {
    if (series[name]!.length !== length) throw new Error(`series ${name} has ${series[name]!.length} values, expected ${length}`);
  }
  const header = Buffer.from(JSON.stringify({ names, length }), 'utf8');
  const headerEnd = 4 + header.length;
  const dataStart = Math.ceil(headerEnd / 8) * 8;
  const out = Buffer.alloc(dataStart + names.length * length * 8);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  names.forEach((name, k) => {
    const column = series[name]!;
    for (let i = 0; i < length; i++) out.writeDoubleLE(column[i]!, dataStart + (k * length + i) * 8);
  });
  return out;
}

export function decodeSeries(blob: Buffer): Record<string, number[]> {
  const headerLength = blob.readUInt32LE(0);
  const { names, length } = JSON.parse(blob.subarray(4, 4 + headerLength).toString('utf8')) as { names: string[]; length: number };
  const dataStart = Math.ceil((4 + headerLength) / 8) * 8;
  const out: Record<string, number[]> = {};
  names.forEach((name, k) => {
    const column = new Array<number>(length);
    for (let i = 0; i < length; i++) column[i] = blob.readDoubleLE(dataStart + (k * length + i) * 8);
    out[name] = column;
  });
  return out;
}
